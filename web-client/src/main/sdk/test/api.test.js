/*
 * The real package's surface: constants, construction, every method and getter, results and
 * errors, as an app written for trtc-calling-js 1.0.6 uses them.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import TRTCCalling, { EVENT } from '../src/index.js';
import { FakeSocket, install, settle } from './fakes.js';
import { APP, client, invited, logoutAll, offerFrom } from './harness.js';

let env;
beforeEach(() => { env = install(); });
afterEach(logoutAll);

test('every EVENT key has the real package\'s value', () => {
  assert.deepEqual({ ...EVENT }, {
    ERROR: 'onError', SDK_READY: 'sdkReady', INVITED: 'onInvited', USER_ACCEPT: 'onUserAccept', USER_ENTER: 'onUserEnter',
    USER_LEAVE: 'onUserLeave', REJECT: 'onReject', NO_RESP: 'onNoResp', LINE_BUSY: 'onLineBusy',
    CALLING_CANCEL: 'onCallingCancel', KICKED_OUT: 'onKickedOut', CALLING_TIMEOUT: 'onCallingTimeout',
    CALL_END: 'onCallEnd', CALLING_END: 'onCallEnd', USER_VIDEO_AVAILABLE: 'onUserVideoAvailable',
    USER_AUDIO_AVAILABLE: 'onUserAudioAvailable', USER_VOICE_VOLUME: 'onUserVoiceVolume',
    GROUP_CALL_INVITEE_LIST_UPDATE: 'onGroupCallInviteeListUpdate', CALL_TYPE_CHANGED: 'onCallTypeChanged',
  });
  assert.equal(TRTCCalling.EVENT, EVENT);
});

test('CALL_TYPE is the real enum, reverse map included', () => {
  assert.deepEqual({ ...TRTCCalling.CALL_TYPE },
    { UNKNOWN: 0, AUDIO_CALL: 1, VIDEO_CALL: 2, 0: 'UNKNOWN', 1: 'AUDIO_CALL', 2: 'VIDEO_CALL' });
  assert.equal(TRTCCalling.CALL_TYPE[TRTCCalling.CALL_TYPE.VIDEO_CALL], 'VIDEO_CALL');
});

test('the real error table keeps its codes; ours start at 61001', () => {
  const c = TRTCCalling.ERROR_CODE;
  assert.deepEqual([c.FAILURE_SWITCH_TO_AUDIO, c.FAILURE_SWITCH_TO_VIDEO, c.NOT_MICROPHONE_LIST, c.NOT_CAMERA_LIST,
    c.NOT_MEDIA_ACCESS, c.NOT_SUPPORT], [60001, 60002, 60003, 60004, 60005, 60006]);
  assert.deepEqual([c.NO_SDK_APPID, c.NO_IDENTIFIER, c.NO_USER_SIG, c.USER_NOT_LOGGED_IN, c.NO_NETWORK, c.UNKNOWN],
    [2000, 2002, 2003, 2024, 2805, 65535]);
  const ours = Object.values(c).filter((v) => v > 61000 && v < 62000);
  assert.ok(ours.length >= 9 && new Set(ours).size === ours.length, 'our own codes are distinct');
});

test('every documented method and getter exists', () => {
  const methods = ['setLogLevel', 'on', 'off', 'login', 'logout', 'call', 'groupCall', 'accept', 'reject', 'hangup',
    'startRemoteView', 'stopRemoteView', 'startLocalView', 'stopLocalView', 'openCamera', 'closeCamera', 'setMicMute',
    'setVideoQuality', 'switchToAudioCall', 'switchToVideoCall', 'getCameras', 'getMicrophones', 'switchDevice',
    'getCallStatus', 'isGroupCall', 'isInviter', 'getInviteeList', 'getUnHandledInviteeList', 'getGroupID', 'getUserID',
    'getCallType', 'getVideoQuality', 'getRemoteStreamCount', 'hasRemoteConnectedUsers', 'getInviterID',
    'getInviterInviteID', 'getSwitchCallModeStatus', 'extractCallingInfoFromMessage'];
  for (const m of methods) assert.equal(typeof TRTCCalling.prototype[m], 'function', m);
});

test('the .d.ts declares every public method, getter and event', () => {
  const dts = readFileSync(new URL('../types/trtc-calling.d.ts', import.meta.url), 'utf8');
  const publicMethods = Object.getOwnPropertyNames(TRTCCalling.prototype).filter((m) => m !== 'constructor' && !m.startsWith('_'));
  for (const m of publicMethods) assert.match(dts, new RegExp(`\\n\\s+${m}\\(`), `d.ts lacks ${m}()`);
  for (const [k, v] of Object.entries(EVENT)) assert.match(dts, new RegExp(`${k}: '${v}'`), `d.ts lacks EVENT.${k}`);
  for (const [k, v] of Object.entries(TRTCCalling.ERROR_CODE)) assert.match(dts, new RegExp(`${k}: ${v}`), `d.ts lacks ERROR_CODE.${k}`);
});

test('new TRTCCalling({SDKAppID: 0}) constructs; login then fails with a clear ERROR', async () => {
  const sdk = new TRTCCalling({ SDKAppID: 0, tim: { mine: true } });
  assert.deepEqual(sdk.tim, { mine: true }, 'the app\'s own TIM instance is kept');
  const errors = [];
  sdk.on('onError', (e) => errors.push(e));
  await assert.rejects(sdk.login({ userID: 'a', userSig: 's' }), (e) => e.code === 2000 && /SDKAppID/.test(e.msg));
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 2000);
  assert.equal(errors[0].msg, errors[0].message);
  assert.equal(FakeSocket.all.length, 0, 'no connection tried');
  assert.equal(new TRTCCalling().tim, null);
});

test('login without userID or userSig: the real codes', async () => {
  const sdk = new TRTCCalling({ SDKAppID: APP });
  await assert.rejects(sdk.login({ userSig: 's' }), { code: 2002 });
  await assert.rejects(sdk.login({ userID: 'a' }), { code: 2003 });
});

test('listeners by string, by constant, by the older key names, with a context', async () => {
  const sdk = new TRTCCalling({ SDKAppID: APP });
  const seen = [];
  const ctx = { name: 'ctx' };
  sdk.on('sdkReady', function () { seen.push(['string', this === sdk]); });
  sdk.on(TRTCCalling.EVENT.SDK_READY, function () { seen.push(['constant', this.name]); }, ctx);
  sdk.on('SDK_READY', () => seen.push(['key']));
  const dropped = () => seen.push(['dropped']);
  sdk.on('sdkReady', dropped);
  sdk.off('sdkReady', dropped);
  assert.throws(() => sdk.on('sdkReady', 'not a function'), TypeError);
  await sdk.login({ userID: 'ann', userSig: 's' });
  assert.deepEqual(seen, [['string', true], ['constant', 'ctx'], ['key']]);
  await sdk.logout();
});

test('call, groupCall, accept, reject and hangup resolve with the real results', async () => {
  const alice = await client('alice');
  const res = await alice.sdk.call({ userID: 'bob', type: 2 });
  assert.equal(res.code, 0);
  assert.equal(typeof res.inviteID, 'string');
  assert.equal(res.userID, 'bob');
  assert.ok(res.roomID > 0);
  assert.equal(alice.sdk.extractCallingInfoFromMessage(res.data.message), '发起通话');
  assert.deepEqual(alice.sdk.getInviterInviteID(), [res.inviteID]);
  assert.equal(alice.sdk.isInviter(), true);
  assert.equal(alice.sdk.getCallStatus(), 'connected', 'the inviter is in the call from the start, as in the real package');
  const cancel = await alice.sdk.hangup();
  assert.equal(alice.sdk.extractCallingInfoFromMessage(cancel[0].data.message), '取消通话');

  const g = await alice.sdk.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team' });
  assert.deepEqual([g.code, g.groupID, typeof g.inviteID], [0, 'team', 'string']);
  await alice.sdk.hangup();
  const noGroup = await alice.sdk.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
  assert.equal(noGroup.code, 0);
  assert.deepEqual(noGroup.data.map((d) => [d.code, d.userID]), [[0, 'bob'], [0, 'carol']], 'one result per invitee');
  await alice.sdk.hangup();

  const bob = await client('bob');
  await bob.push(invited('c9', 'alice', ['bob']));
  assert.equal(bob.sdk.getCallStatus(), 'calling');
  const acc = await bob.sdk.accept();
  assert.deepEqual([acc.code, acc.callType, acc.roomID > 0], [0, 2, true]);
  assert.equal(bob.sdk.extractCallingInfoFromMessage(acc.data.message), '已接听');
  assert.equal(bob.sdk.getCallStatus(), 'connected');
  assert.deepEqual(await bob.sdk.hangup(), { code: 0, msg: 'ok' });
  await bob.push(invited('c10', 'alice', ['bob']));
  const rej = await bob.sdk.reject();
  assert.equal(bob.sdk.extractCallingInfoFromMessage(rej.data.message), '拒绝通话');
});

test('accept and reject with no invitation resolve with nothing (a warning), as in the real package', async () => {
  const bob = await client('bob');
  assert.equal(await bob.sdk.accept(), undefined);
  assert.equal(await bob.sdk.reject(), undefined);
  await bob.push(invited('c1', 'alice', ['bob']));
  assert.equal(await bob.sdk.accept({ inviteID: 'another' }), undefined, 'the older form names the invitation');
  assert.equal((await bob.sdk.accept({ inviteID: 'c1' })).code, 0);
  assert.deepEqual(bob.names(), [TRTCCalling.EVENT.INVITED]);
});

test('the getters follow a group call', async () => {
  const alice = await client('alice');
  assert.deepEqual([alice.sdk.getCallStatus(), alice.sdk.getCallType(), alice.sdk.getGroupID(), alice.sdk.isGroupCall()], ['idle', 0, '', false]);
  const { inviteID } = await alice.sdk.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team' });
  assert.equal(alice.sdk.getUserID(), 'alice');
  assert.equal(alice.sdk.getInviterID(), 'alice');
  assert.equal(alice.sdk.getCallType(), 1);
  assert.equal(alice.sdk.getGroupID(), 'team');
  assert.equal(alice.sdk.isGroupCall(), true);
  assert.deepEqual(alice.sdk.getInviteeList(), ['bob', 'carol']);
  assert.deepEqual(alice.sdk.getUnHandledInviteeList(), ['bob', 'carol']);
  await alice.push({ type: 'accepted', callId: inviteID, userId: 'bob' }, offerFrom(inviteID, 'bob'));
  assert.deepEqual(alice.sdk.getUnHandledInviteeList(), ['carol']);
  assert.deepEqual(alice.sdk.getInviterInviteID(), [], 'answered');
  assert.equal(alice.sdk.getSwitchCallModeStatus(), true);
  assert.ok(alice.sdk.getRemoteStreamCount() >= 0);
  await alice.sdk.hangup();
  assert.equal(alice.sdk.getCallType(), 1, 'the last call\'s type stays, as in the real package');
});

test('remote streams are counted as their media arrives', async () => {
  const bob = await client('bob');
  await bob.push(invited('c1', 'alice', ['bob']));
  await bob.sdk.accept();
  assert.equal(bob.sdk.hasRemoteConnectedUsers(), false);
  await bob.push(offerFrom('c1', 'alice'));
  assert.equal(bob.sdk.getRemoteStreamCount(), 1);
  assert.equal(bob.sdk.hasRemoteConnectedUsers(), true);
  assert.deepEqual(bob.events.filter((e) => e[0] === 'onUserVideoAvailable').map((e) => e[1]), [{ userID: 'alice', isVideoAvailable: true }]);
});

test('setVideoQuality takes every real profile and a profile object', async () => {
  const sdk = new TRTCCalling({ SDKAppID: APP });
  for (const p of ['240p', '360p', '480p', '720p', '1080p']) assert.equal(await sdk.setVideoQuality(p), p);
  assert.deepEqual(await sdk.setVideoQuality({ width: 800, height: 600, frameRate: 30, bitrate: 900 }),
    { width: 800, height: 600, frameRate: 30, bitrate: 900 });
  assert.deepEqual(sdk.getVideoQuality(), { width: 800, height: 600, frameRate: 30, bitrate: 900 });
  await assert.rejects(sdk.setVideoQuality('4k'), { code: TRTCCalling.ERROR_CODE.INVALID_PARAMS });
  await assert.rejects(sdk.setVideoQuality({ width: 0 }), { code: TRTCCalling.ERROR_CODE.INVALID_PARAMS });
});

test('device failures have the real codes: no microphone, no camera, refused, no WebRTC', async () => {
  const alice = await client('alice');
  const cases = [
    [() => { env.media.refuse = Object.assign(new Error('none'), { name: 'NotFoundError' }); }, 60004, 2],
    [() => { env.media.devices.splice(0, 1); }, 60003, 2],
    [() => { env.media.refuse = Object.assign(new Error('no'), { name: 'NotAllowedError' }); }, 60005, 1],
    [() => { env.media.refuse = Object.assign(new Error('busy'), { name: 'NotReadableError' }); }, 60005, 1],
    [() => { env.media.refuse = null; globalThis.navigator.mediaDevices = undefined; }, 60006, 1],
  ];
  for (const [arrange, code, type] of cases) {
    arrange();
    alice.events.length = 0;
    await assert.rejects(alice.sdk.call({ userID: 'bob', type }), (e) => e.code === code && e.msg === e.message);
    assert.deepEqual(alice.events.map(([n, p]) => [n, p.code]), [['onError', code]]);
    assert.equal(alice.sdk.getCallStatus(), 'idle');
  }
  assert.equal(alice.sent('invite').length, 0, 'no invitation without a microphone');
});

test('a refused call request: ERROR with our code and the cluster\'s reason', async () => {
  const alice = await client('alice');
  FakeSocket.handlers.invite = () => ({ type: 'error', code: 'already-in-call', message: 'alice is in another call' });
  await assert.rejects(alice.sdk.call({ userID: 'bob', type: 2 }),
    (e) => e.code === TRTCCalling.ERROR_CODE.CALL_REFUSED && e.reason === 'already-in-call');
  assert.deepEqual(alice.payload('onError'),
    { code: 61004, msg: 'alice is in another call', message: 'alice is in another call', reason: 'already-in-call' });
  await assert.rejects(alice.sdk.call({ userID: 'alice', type: 2 }), { reason: 'self-call' });
});

test('calling before login: USER_NOT_LOGGED_IN', async () => {
  const sdk = new TRTCCalling({ SDKAppID: APP });
  await assert.rejects(sdk.call({ userID: 'bob', type: 2 }), { code: 2024 });
});

test('views go into the named elements; a missing one is an error', async () => {
  const { bob } = await (async () => {
    const b = await client('bob');
    await b.push(invited('c1', 'alice', ['bob']));
    await b.sdk.accept();
    await b.push(offerFrom('c1', 'alice'));
    return { bob: b };
  })();
  const local = env.element('local');
  const remote = env.element('remote');
  await bob.sdk.startLocalView({ userID: 'bob', videoViewDomID: 'local' });
  await bob.sdk.startRemoteView({ userID: 'alice', videoViewDomID: 'remote' });
  assert.equal(local.children.length, 1);
  assert.equal(remote.children[0].attributes['data-user-id'], 'alice');
  assert.ok(remote.children[0].srcObject, 'the remote stream is shown');
  await assert.rejects(bob.sdk.startRemoteView({ userID: 'alice', videoViewDomID: 'nowhere' }), { code: TRTCCalling.ERROR_CODE.INVALID_PARAMS });
  await bob.push({ type: 'left', callId: 'c1', userId: 'alice' }, { type: 'ended', callId: 'c1', reason: 'hangup', duration: 1000 });
  assert.equal(local.children.length + remote.children.length, 0, 'the call\'s end takes the views down');
});

test('devices are listed and switched', async () => {
  const bob = await client('bob');
  assert.deepEqual((await bob.sdk.getCameras()).map((d) => d.deviceId), ['cam-1']);
  assert.deepEqual((await bob.sdk.getMicrophones()).map((d) => d.kind), ['audioinput']);
  await assert.rejects(bob.sdk.switchDevice({ deviceType: 'video' }), { code: TRTCCalling.ERROR_CODE.INVALID_PARAMS });
  await bob.push(invited('c1', 'alice', ['bob']));
  await bob.sdk.accept();
  const before = bob.sdk._media.stream.getVideoTracks()[0];
  await bob.sdk.switchDevice({ deviceType: 'video', deviceId: 'cam-1' });
  const after = bob.sdk._media.stream.getVideoTracks()[0];
  assert.notEqual(before, after);
  assert.equal(before.readyState, 'ended');
  assert.deepEqual(env.media.requests.at(-1).video.deviceId, { exact: 'cam-1' });
});

test('a switch that fails is the real 60001 / 60002', async () => {
  const { alice } = await (async () => {
    const a = await client('alice');
    const { inviteID } = await a.sdk.call({ userID: 'bob', type: 1 });
    await a.push({ type: 'accepted', callId: inviteID, userId: 'bob' });
    return { alice: a };
  })();
  env.media.refuse = Object.assign(new Error('no'), { name: 'NotAllowedError' });
  await assert.rejects(alice.sdk.switchToVideoCall(), { code: 60002 });
  assert.equal(alice.sdk.getCallType(), 2, 'the call switched; only this camera failed');
  FakeSocket.handlers['switch-type'] = () => ({ type: 'error', code: 'unavailable', message: 'retry' });
  await assert.rejects(alice.sdk.switchToAudioCall(), { code: 60001, reason: 'unavailable' });
  assert.equal(alice.sdk.getSwitchCallModeStatus(), true, 'no switch on its way any more');
  await settle();
  assert.equal(await alice.sdk.switchToVideoCall(), undefined, 'already video: nothing to do');
});
