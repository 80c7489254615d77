/*
 * A calling page written the way trtc-calling-js 1.x apps are: event constants and event
 * strings, the 1.x accept() and reject(), res.code checks, {code, msg} errors. Shared by the
 * webpack build (import) and the classic <script> page (the global TRTCCalling). The test drives
 * it through window.app and reads window.log.
 */
window.startApp = function (TRTCCalling) {
  var params = new URLSearchParams(location.search);
  var answer = params.get('answer') || 'accept'; // what this user does when called: accept | reject
  var trtcCalling = new TRTCCalling({ SDKAppID: Number(params.get('sdkAppId')), server: params.get('server') });
  var log = [];
  window.trtcCalling = trtcCalling;
  window.log = log;

  function note(what, data) {
    log.push({ what: what, data: data === undefined ? null : data });
  }

  trtcCalling.on(TRTCCalling.EVENT.INVITED, function (e) {
    note('onInvited', { sponsor: e.sponsor, callType: e.inviteData.callType, isFromGroup: e.isFromGroup });
    var reply = answer === 'reject' ? trtcCalling.reject() : trtcCalling.accept();
    reply.then(function (res) {
      note(answer + '-result', res && res.code);
      if (answer === 'accept' && res && res.code === 0) {
        trtcCalling.startLocalView({ userID: trtcCalling.getUserID(), videoViewDomID: 'local' });
      }
    });
  });
  // By string, as Tencent's API documentation shows.
  trtcCalling.on('onUserEnter', function (e) {
    note('onUserEnter', e.userID);
    trtcCalling.startRemoteView({ userID: e.userID, videoViewDomID: 'remote' });
  });
  trtcCalling.on(TRTCCalling.EVENT.USER_ACCEPT, function (e) { note('onUserAccept', e.userID); });
  trtcCalling.on(TRTCCalling.EVENT.USER_LEAVE, function (e) { note('onUserLeave', e.userID); });
  trtcCalling.on(TRTCCalling.EVENT.REJECT, function (e) { note('onReject', e.userID); });
  trtcCalling.on(TRTCCalling.EVENT.LINE_BUSY, function (e) { note('onLineBusy', e.userID); });
  trtcCalling.on(TRTCCalling.EVENT.NO_RESP, function (e) { note('onNoResp', e.userIDList); });
  trtcCalling.on(TRTCCalling.EVENT.CALLING_CANCEL, function () { note('onCallingCancel'); });
  trtcCalling.on(TRTCCalling.EVENT.CALLING_TIMEOUT, function () { note('onCallingTimeout'); });
  trtcCalling.on(TRTCCalling.EVENT.CALL_END, function (e) { note('onCallEnd', e.callEnd); });
  trtcCalling.on(TRTCCalling.EVENT.KICKED_OUT, function () { note('onKickedOut'); });
  trtcCalling.on(TRTCCalling.EVENT.ERROR, function (e) { note('onError', { code: e.code, msg: e.msg }); });

  window.app = {
    login: function (userID, userSig) {
      return trtcCalling.login({ userID: userID, userSig: userSig }).then(function () {
        note('logged-in');
      }, function (e) {
        note('login-failed', { code: e.code, msg: e.msg });
      });
    },
    call: function (userID, video) {
      var type = video ? TRTCCalling.CALL_TYPE.VIDEO_CALL : TRTCCalling.CALL_TYPE.AUDIO_CALL;
      return trtcCalling.call({ userID: userID, type: type, timeout: 30 }).then(function (res) {
        if (res.code === 0) {
          note('calling', res.inviteID);
          trtcCalling.startLocalView({ userID: trtcCalling.getUserID(), videoViewDomID: 'local' });
        }
      });
    },
    hangup: function () {
      return trtcCalling.hangup();
    },
    status: function () {
      return trtcCalling.getCallStatus();
    },
  };
};
