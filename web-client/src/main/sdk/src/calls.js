import { CALL_STATUS, CALL_TYPE, ERROR_CODE, EVENT } from './constants.js';
import { CallingError, asCallingError, fromSignaling, invalidParams } from './errors.js';
import { Call, roomIdOf, wireType } from './call.js';
import { ACTION, signalingMessage } from './messages.js';
import { CallTransports } from './transports.js';

/** Errors without a request that are races, not failures (logged only). */
const BENIGN = new Set(['not-in-call', 'call-ended', 'unknown-call', 'not-logged-in', 'not-ringing']);

/** How long a call rings without a timeout given, and at most (the cluster's limit). */
const DEFAULT_RING_SECONDS = 30;
const MAX_RING_SECONDS = 300;

/**
 * Calls: placing, answering and leaving them, server frames turned into events (through
 * {@link Call}), and each call's media (peer to peer, or through the SFU). One call at a time.
 *
 * Given by the SDK: logger, emit(name, payload), fail(error) (emits ERROR and returns the error),
 * signaling (SignalingClient), media (LocalMedia), views, volume, options {policy, videoCodec}
 * and me().
 */
export class CallController {
  constructor(deps) {
    Object.assign(this, { _deps: deps, _log: deps.logger });
    this.current = null;
    /** The current call's media connections (CallTransports). */
    this.transports = null;
    this.lastType = CALL_TYPE.UNKNOWN;
    this.lastInviter = '';
    this.switching = false;
    /** The TURN servers from the last login-ok or ice-servers frame. */
    this.iceServers = [];
    /** Each call's SfuClient.timeScale (tests only). */
    this.sfuTimeScale = 1;
  }

  // ---- placing and answering ----------------------------------------------------------------

  async call({ userID, type = CALL_TYPE.VIDEO_CALL, timeout } = {}) {
    if (!userID) throw this._deps.fail(invalidParams('call needs {userID, type}'));
    const callee = String(userID);
    const ok = await this._invite([callee], type, timeout, null);
    if (!ok) return undefined;
    return { code: 0, inviteID: ok.callId, roomID: roomIdOf(ok.callId), userID: callee,
      data: { message: this._message(ACTION.INVITE, callee) } };
  }

  async groupCall({ userIDList, type = CALL_TYPE.VIDEO_CALL, groupID, timeout } = {}) {
    if (!Array.isArray(userIDList) || userIDList.length === 0) {
      throw this._deps.fail(invalidParams('groupCall needs {userIDList, type}'));
    }
    const users = [...new Set(userIDList.map(String))];
    const c = this.current;
    if (c && c.callId && c.status === CALL_STATUS.CONNECTED) return this._inviteMore(c, users, groupID);
    const group = groupID ? String(groupID) : `group-${Math.random().toString(36).slice(2, 10)}`;
    const ok = await this._invite(users, type, timeout, group);
    if (!ok) return undefined;
    return this._groupResult(ok.callId, users, groupID);
  }

  /** A call in progress takes more members (a 1v1 call becomes a group call, as in the real package). */
  async _inviteMore(c, users, groupID) {
    const groupId = c.groupId || (groupID ? String(groupID) : `group-${Math.random().toString(36).slice(2, 10)}`);
    try {
      await this._deps.signaling.request({ type: 'invite-more', callId: c.callId, users, groupId });
    } catch (e) {
      throw this._deps.fail(asCallingError(e));
    }
    if (this.current === c) {
      c.group = true;
      c.groupId = groupId;
      for (const u of users) {
        if (!c.invitees.includes(u)) c.invitees.push(u);
        if (!c.members.has(u)) c.unhandled.add(u);
      }
    }
    return this._groupResult(c.callId, users, groupID);
  }

  /** The real package's results: one invitation to a group, or (no groupID) one per user. */
  _groupResult(callId, users, groupID) {
    const roomID = roomIdOf(callId);
    if (groupID) {
      return { code: 0, inviteID: callId, roomID, groupID: String(groupID),
        data: { message: this._message(ACTION.INVITE, String(groupID), true) } };
    }
    return { code: 0, data: users.map((u) => ({ code: 0, inviteID: callId, roomID, userID: u,
      data: { message: this._message(ACTION.INVITE, u) } })) };
  }

  /** Camera and microphone, then the invitation; resolves with invite-ok (undefined if hung up meanwhile). */
  async _invite(callees, type, timeout, groupId) {
    const { signaling, fail, me } = this._deps;
    if (!signaling.online) throw fail(new CallingError(ERROR_CODE.USER_NOT_LOGGED_IN, 'log in first'));
    if (this.current) throw fail(new CallingError(ERROR_CODE.CALL_REFUSED, 'already in a call', 'already-in-call'));
    if (callees.includes(me())) throw fail(new CallingError(ERROR_CODE.CALL_REFUSED, 'a user cannot call themselves', 'self-call'));
    const c = this._begin(Call.outgoing(me(), callees, Number(type) === CALL_TYPE.AUDIO_CALL ? 1 : 2, groupId));
    try {
      await this._startMedia(c);
      if (this.current !== c) return undefined; // hung up while the camera was being opened
      const frame = { type: 'invite', callees, callType: wireType(c.type), timeoutSeconds: ringSeconds(timeout) };
      if (groupId) frame.groupId = groupId;
      const ok = await signaling.request(frame);
      if (this.current !== c) { // hung up while the invitation was on its way: take it back
        signaling.send({ type: 'hangup', callId: ok.callId });
        return undefined;
      }
      c.sent(ok);
      if (c.sfu) this._joinSfu();
      setTimeout(() => {
        const early = c.early || [];
        c.early = null;
        early.forEach((f) => this.onFrame(f));
      }, 0);
      return ok;
    } catch (e) {
      if (this.current === c) {
        const held = c.early || [];
        this.endLocally();
        // An invitation that came in meanwhile (the other side called us at the same moment) still rings.
        setTimeout(() => held.filter((f) => f.type === 'invited').forEach((f) => this.onFrame(f)), 0);
      }
      throw fail(asCallingError(e));
    }
  }

  /** Answers the ringing call (also the older accept({inviteID, roomID, callType})). */
  async accept(params = {}) {
    const c = this._ringing(params, 'accept');
    if (!c) return undefined;
    c.accepting = true;
    try {
      await this._startMedia(c);
      if (this.current !== c) throw new CallingError(ERROR_CODE.NOT_IN_CALL, 'the call ended before it was answered');
      await this._deps.signaling.request({ type: 'accept', callId: c.callId });
    } catch (e) {
      if (this.current === c) c.accepting = false;
      throw this._deps.fail(asCallingError(e));
    }
    if (this.current !== c) throw this._deps.fail(new CallingError(ERROR_CODE.NOT_IN_CALL, 'the call ended as it was answered'));
    c.joined(Date.now());
    if (c.sfu) this._joinSfu();
    // USER_ENTER comes with each member's offer or media (those in the call offer to whoever joins).
    return { code: 0, inviteID: c.callId, roomID: roomIdOf(c.callId), callType: c.type,
      data: { message: this._message(ACTION.ACCEPT_INVITE, c.inviter) } };
  }

  /** Declines the ringing call (also the older reject({inviteID, isBusy, callType})). */
  async reject(params = {}) {
    const c = this._ringing(params, 'reject');
    if (!c) return undefined;
    this.endLocally();
    await this._deps.signaling.request({ type: params.isBusy ? 'busy' : 'reject', callId: c.callId })
      .catch((e) => this._deps.fail(asCallingError(e)));
    return { code: 0, data: { message: this._message(ACTION.REJECT_INVITE, c.inviter, false, c) } };
  }

  /** The ringing invitation (of this inviteID, if given), or undefined with a warning, as in the real package. */
  _ringing(params, what) {
    const c = this.current;
    if (!c || c.isInviter || c.status !== CALL_STATUS.CALLING || c.accepting
        || (params && params.inviteID && params.inviteID !== c.callId)) {
      this._log.warn(`${what}: there is no invitation to ${what}`);
      return null;
    }
    return c;
  }

  /**
   * Leaves the call: a caller before any answer cancels it, a ringing callee rejects it. Whoever
   * ends the call by leaving (the last but one) hears CALLING_END too, as in the real package.
   */
  async hangup() {
    const c = this.current;
    if (!c) return { code: 0, msg: 'ok' };
    const ends = c.endsWhenLeft();
    const callEnd = c.secondsSince(Date.now());
    const cancels = c.isInviter && !c.connectedAt && c.callId;
    this.endLocally();
    if (c.callId) {
      await this._deps.signaling.request({ type: 'hangup', callId: c.callId }).catch((e) => this._log.debug('hangup', e));
    }
    if (ends) this._deps.emit(EVENT.CALLING_END, c.endPayload(callEnd, 'hangup'));
    if (cancels) return [{ code: 0, data: { message: this._message(ACTION.CANCEL_INVITE, c.groupId || c.invitees[0], c.group, c) } }];
    return { code: 0, msg: 'ok' };
  }

  /** Audio ↔ video for everyone in the call; a failure is the real package's 60001 / 60002. */
  async switchType(type) {
    const c = this.current;
    if (!c || !c.callId || c.status !== CALL_STATUS.CONNECTED || c.type === type) {
      this._log.warn(c && c.type === type ? 'the call is already of that type' : 'switching needs a call in progress');
      return undefined;
    }
    this.switching = true;
    try {
      await this._deps.signaling.request({ type: 'switch-type', callId: c.callId, callType: wireType(type) });
      if (this.current === c && c.type !== type) {
        const oldCallType = c.type;
        c.type = type;
        this.lastType = type;
        await this._applyType(c, type);
        this._deps.emit(EVENT.CALL_TYPE_CHANGED, { oldCallType, newCallType: type });
      }
    } catch (e) {
      const code = type === CALL_TYPE.AUDIO_CALL ? ERROR_CODE.FAILURE_SWITCH_TO_AUDIO : ERROR_CODE.FAILURE_SWITCH_TO_VIDEO;
      const cause = asCallingError(e);
      throw this._deps.fail(new CallingError(code, `switch to ${wireType(type)} call error: ${cause.msg}`, cause.reason));
    } finally {
      this.switching = false;
    }
    return undefined;
  }

  /** Camera or microphone state told to the others in the call. */
  mediaState(state) {
    const c = this.current;
    if (c && c.callId) this._deps.signaling.send({ type: 'media', callId: c.callId, ...state });
  }

  /** Whether capture should still go on: the call it was for is still the current one. */
  wants(c = this.current) {
    return () => !!c && this.current === c;
  }

  // ---- server frames ------------------------------------------------------------------------

  onFrame(f) {
    const c = this.current;
    if (f.callId && c && c.early) {
      // Our invitation is on its way: frames about it (busy, accepted) may come before invite-ok;
      // they wait until the app has heard of its call, then are handled in order.
      c.early.push(f);
      return;
    }
    const ours = !!c && !!f.callId && c.callId === f.callId;
    switch (f.type) {
      case 'ice-servers':
        this.setIceServers(f.iceServers);
        return;
      case 'invited':
        this._invited(f);
        return;
      case 'sdp':
        if (ours) this.transports.peers.onDescription(f.from, f.description);
        return;
      case 'ice':
        if (ours) this.transports.peers.onCandidate(f.from, f.candidate);
        return;
      case 'sfu-offer':
        if (ours) this.transports.sfu.onOffer(f);
        return;
      case 'sfu-gone':
        if (ours) this.transports.sfu.onGone(f);
        return;
      case 'error':
        this._onError(f);
        return;
      default:
        if (ours) this._run(c, c.onFrame(f, Date.now()));
    }
  }

  _invited(f) {
    const c = this.current;
    if (c) {
      // One call at a time (the cluster answers busy itself; this covers a race).
      if (c.callId !== f.callId) this._deps.signaling.send({ type: 'busy', callId: f.callId });
      return;
    }
    const call = this._begin(Call.incoming(this._deps.me(), f));
    this._deps.emit(EVENT.INVITED, call.invitation());
  }

  _onError(f) {
    const verdict = this.current && this.transports ? this.transports.sfu.onError(f.code) : null;
    // Races that end by themselves (SDP after someone left, media while ringing) are not the app's concern.
    if (verdict === 'quiet' || BENIGN.has(f.code)) {
      this._log.warn('signaling:', f.code, f.message);
      return;
    }
    this._deps.fail(fromSignaling(f.code, f.message, false));
  }

  /** Each (re)login: fresh ICE servers; a session that could not be resumed took its call with it. */
  onLoggedIn(ok) {
    this.setIceServers(ok.iceServers || []);
    const c = this.current;
    if (c && c.callId && !ok.resumed) {
      this._log.warn('the session could not be resumed: the call is over');
      this.endLocally();
      this._deps.emit(EVENT.CALLING_END, c.endPayload(c.secondsSince(Date.now()), 'connection-lost'));
    }
  }

  /** The session is over for good (kicked, or ended): the call ends here. */
  sessionOver(withCallEnd) {
    const c = this.current;
    this.endLocally();
    if (withCallEnd && c && c.callId) this._deps.emit(EVENT.CALLING_END, c.endPayload(c.secondsSince(Date.now()), 'session-ended'));
  }

  // ---- media --------------------------------------------------------------------------------

  _begin(c) {
    this.current = c;
    this.lastType = c.type;
    this.lastInviter = c.inviter;
    this.transports = new CallTransports(c, this._deps, {
      iceServers: () => this.iceServers,
      onEnter: (u) => this._run(c, c.entering(u)),
    });
    this.transports.sfu.timeScale = this.sfuTimeScale;
    return c;
  }

  _startMedia(c) {
    return this._deps.media.start(c.type, this.wants(c));
  }

  _joinSfu() {
    if (this.transports) this.transports.joinSfu();
  }

  /** Capture started: the local view, volumes, and peers made while the camera opened get the tracks. */
  onCaptureStarted(stream) {
    this._deps.views.attachLocal(stream);
    this._deps.volume.start(this._deps.me(), stream);
    if (this.transports) this.transports.captureStarted();
  }

  /** A local track was replaced (null: the camera is off). */
  onLocalTrack(kind, track) {
    if (this.transports) this.transports.localTrack(kind, track);
    this._deps.views.attachLocal(this._deps.media.stream);
  }

  setIceServers(servers) {
    this.iceServers = servers || this.iceServers;
    if (this.transports) this.transports.setIceServers(this.iceServers);
  }

  async _applyType(c, type) {
    try {
      if (type === CALL_TYPE.AUDIO_CALL) this._deps.media.closeCamera();
      else await this._deps.media.openCamera(this.wants(c));
    } catch (e) {
      const cause = asCallingError(e);
      throw this._deps.fail(new CallingError(ERROR_CODE.FAILURE_SWITCH_TO_VIDEO, `switch to video call error: ${cause.msg}`));
    }
    // Through the SFU, video m-lines exist only in video calls: a fresh transport gets them.
    if (this.current === c) this._joinSfu();
  }

  remoteStreamCount() {
    return this.current && this.transports ? this.transports.remoteStreamCount() : 0;
  }

  streamOf(userId) {
    return this.transports ? this.transports.streamOf(userId) : null;
  }

  /** Forgets the call here: every connection closed, capture stopped, views gone. */
  endLocally() {
    if (this.transports) this.transports.close();
    this._deps.media.stop();
    this._deps.views.clear();
    this._deps.volume.stop();
    this.current = null;
  }

  _run(c, effects) {
    for (const fx of effects) {
      if (fx.emit) {
        this._deps.emit(fx.emit, fx.payload);
      } else if (fx.connect) {
        if (this.current === c) this.transports.connect(fx.connect);
      } else if (fx.disconnect) {
        if (this.current === c) this.transports.disconnect(fx.disconnect);
      } else if (fx.end) {
        if (this.current === c) this.endLocally();
      } else if (fx.applyType) {
        this.lastType = fx.applyType;
        this._applyType(c, fx.applyType).catch(() => {}); // told as ERROR
      }
    }
  }

  _message(action, to, group = false, c = this.current) {
    return signalingMessage({
      action, callId: c ? c.callId : '', from: this._deps.me(), to, group, inviter: c ? c.inviter : this._deps.me(),
      invitees: c ? c.invitees : [], groupId: c ? c.groupId : '', callType: c ? c.type : this.lastType,
      roomId: c ? roomIdOf(c.callId) : 0,
    });
  }
}

/** The ring time asked for, within the cluster's limits (0: the longest). */
function ringSeconds(timeout) {
  const t = Number(timeout);
  if (t > 0) return Math.min(MAX_RING_SECONDS, Math.ceil(t));
  return t === 0 && timeout !== undefined && timeout !== null ? MAX_RING_SECONDS : DEFAULT_RING_SECONDS;
}
