/*
 * OpenCalling TRTCCalling: a drop-in for Tencent's trtc-calling-js, talking to a self-hosted
 * OpenCalling cluster. Plain ES module, no dependencies, no build step.
 *
 *   import TRTCCalling from '/sdk/trtc-calling.js';
 *   const calling = new TRTCCalling({ SDKAppID: 1400000000 });   // signaling at this page's origin
 *   calling.on(TRTCCalling.EVENT.INVITED, ({ sponsor }) => calling.accept());
 *   await calling.login({ userID: 'alice', userSig });
 *   await calling.call({ userID: 'bob', type: TRTCCalling.CALL_TYPE.VIDEO_CALL, timeout: 30 });
 *
 * Signaling is the cluster's WebSocket protocol (docs/protocol.md); media is WebRTC with the ICE
 * servers handed out at login (the cluster's TURN relay), peer to peer for 1v1 calls and as a
 * full mesh for group calls.
 */

const EVENT = Object.freeze({
  SDK_READY: 'SDK_READY',
  INVITED: 'INVITED',
  USER_ACCEPT: 'USER_ACCEPT',
  USER_ENTER: 'USER_ENTER',
  USER_LEAVE: 'USER_LEAVE',
  REJECT: 'REJECT',
  LINE_BUSY: 'LINE_BUSY',
  NO_RESP: 'NO_RESP',
  CALLING_CANCEL: 'CALLING_CANCEL',
  CALLING_TIMEOUT: 'CALLING_TIMEOUT',
  CALLING_END: 'CALLING_END',
  CALL_END: 'CALLING_END', // the older name: the same event
  KICKED_OUT: 'KICKED_OUT',
  USER_VIDEO_AVAILABLE: 'USER_VIDEO_AVAILABLE',
  USER_AUDIO_AVAILABLE: 'USER_AUDIO_AVAILABLE',
  USER_VOICE_VOLUME: 'USER_VOICE_VOLUME',
  GROUP_CALL_INVITEE_LIST_UPDATE: 'GROUP_CALL_INVITEE_LIST_UPDATE',
  CALL_TYPE_CHANGED: 'CALL_TYPE_CHANGED',
  ERROR: 'ERROR',
});

const CALL_TYPE = Object.freeze({ AUDIO_CALL: 1, VIDEO_CALL: 2 });

/** Device errors (ERROR event and rejected promises), as the seed numbers them. */
const ERROR_CODE = Object.freeze({
  DEVICE_NOT_FOUND: 60001, // no camera or microphone (or not the one asked for)
  DEVICE_PERMISSION_DENIED: 60002, // the user or the browser refused access
  DEVICE_IN_USE: 60003, // another application holds the device, or it failed to start
  DEVICE_NOT_SUPPORTED: 60004, // no getUserMedia: an insecure origin (use HTTPS or localhost) or an old browser
  DEVICE_UNKNOWN_ERROR: 60005, // any other capture failure
});

const LOG_LEVEL = Object.freeze({ TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, NONE: 5 });

const QUALITY = Object.freeze({
  '480p': { width: 640, height: 480 },
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
});

/** Errors without a request that are races, not failures (logged only). */
const BENIGN = new Set(['not-in-call', 'call-ended', 'unknown-call', 'not-logged-in', 'not-ringing']);

/** How long an SFU join may go unanswered before the SDK asks again (the node may have just died). */
const SFU_OFFER_WAIT_MS = 10000;

/** Login errors worth another try (the cluster was briefly unavailable). */
const RETRY_LOGIN = new Set(['presence-unavailable', 'unavailable', 'conflict']);

/**
 * The ICE servers for the SFU's transport. The SFU answers on the relay's UDP ports, and a
 * browser treats whatever comes from a TURN server's UDP address as TURN's, so its direct checks
 * to the SFU would lose their answers: TURN over TCP only (the way around a network that blocks
 * UDP). Forced through TURN ('relay'), the browser makes no direct checks: every TURN server.
 */
function sfuIceServers(servers, policy) {
  if (policy === 'relay') return servers || [];
  return (servers || []).map((s) => ({ ...s, urls: [].concat(s.urls || []).filter((u) => /transport=tcp/i.test(u)) }))
    .filter((s) => s.urls.length);
}

/**
 * Close codes after which the SDK does not reconnect by itself: kicked, taken over. (1000 comes
 * after our own logout; any other 1000, say from a stopping server, is reconnected.)
 */
/**
 * The video codecs this browser can both send and receive, in its order of preference, the
 * app's choice (videoCodec) first: what the SFU picks a room's one video codec from.
 */
function videoCodecNames(preferred) {
  let names = [];
  try {
    const recv = new Set(RTCRtpReceiver.getCapabilities('video').codecs.map((c) => c.mimeType.slice(6).toUpperCase()));
    for (const c of RTCRtpSender.getCapabilities('video').codecs) {
      const n = c.mimeType.slice(6).toUpperCase();
      if (recv.has(n) && /^[A-Z0-9]{1,16}$/.test(n) && !['RTX', 'RED', 'ULPFEC'].includes(n) && !names.includes(n)) names.push(n);
    }
  } catch (e) {
    return []; // no capabilities API: the SFU's default
  }
  if (preferred && names.includes(preferred)) names = [preferred, ...names.filter((n) => n !== preferred)];
  return names.slice(0, 8);
}

/** Puts the app's video codec first on a peer-to-peer video transceiver (the browser's order otherwise). */
function preferVideoCodec(transceiver, preferred) {
  if (!preferred || typeof transceiver.setCodecPreferences !== 'function') return;
  try {
    const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
    const first = codecs.filter((c) => c.mimeType.slice(6).toUpperCase() === preferred);
    if (first.length) transceiver.setCodecPreferences([...first, ...codecs.filter((c) => !first.includes(c))]);
  } catch (e) {
    // An old browser: its own order.
  }
}

const FINAL_CLOSE = new Set([4001, 4002]);

/** An error with the code the ERROR event and the rejected promise carry. */
class CallingError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'TRTCCallingError';
    this.code = code;
  }
}

function roomIdOf(callId) {
  let h = 0x811c9dc5; // FNV-1a: a stable 32-bit number for the seed's numeric roomID
  for (let i = 0; i < callId.length; i++) {
    h ^= callId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 4294967294 + 1;
}

function wireType(type) {
  return Number(type) === CALL_TYPE.AUDIO_CALL ? 'audio' : 'video';
}

function seedType(wire) {
  return wire === 'audio' ? CALL_TYPE.AUDIO_CALL : CALL_TYPE.VIDEO_CALL;
}

function deviceError(e) {
  const name = e && e.name;
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return new CallingError(ERROR_CODE.DEVICE_NOT_FOUND, `no such camera or microphone (${name})`);
  }
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new CallingError(ERROR_CODE.DEVICE_PERMISSION_DENIED, `access to the camera or microphone was refused (${name})`);
  }
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') {
    return new CallingError(ERROR_CODE.DEVICE_IN_USE, `the camera or microphone cannot be started (${name})`);
  }
  return new CallingError(ERROR_CODE.DEVICE_UNKNOWN_ERROR, `capture failed: ${e && e.message ? e.message : e}`);
}

export default class TRTCCalling {

  /**
   * @param {{SDKAppID: number, tim?: any, server?: string, iceTransportPolicy?: RTCIceTransportPolicy}} options
   *   server: where signaling is (an origin, or a ws(s):// URL), default this page's origin;
   *   iceTransportPolicy: 'relay' forces media through the cluster's TURN relay.
   */
  constructor(options) {
    if (!options || !Number.isSafeInteger(Number(options.SDKAppID)) || Number(options.SDKAppID) <= 0) {
      throw new CallingError(-1, 'new TRTCCalling({SDKAppID}) needs the application\'s SDKAppID');
    }
    this._sdkAppId = Number(options.SDKAppID);
    this._server = options.server || null;
    this._icePolicy = options.iceTransportPolicy === 'relay' ? 'relay' : 'all';
    // 'H264' or 'VP8': the video codec this browser asks for (a group call's room takes its first member's).
    this._videoCodec = typeof options.videoCodec === 'string' ? options.videoCodec.toUpperCase() : null;
    this._logLevel = LOG_LEVEL.WARN;
    this._listeners = new Map();
    this._ws = null;
    this._userId = null;
    this._userSig = null;
    this._sessionId = null;
    this._iceServers = [];
    this._online = false; // logged in, and meant to stay so (reconnects while true)
    this._reconnects = 0;
    this._reconnectTimer = null;
    this._nextId = 1;
    this._pending = new Map();
    this._ready = false; // logged in on the current socket: frames may go out
    this._outbox = []; // frames waiting for the socket to be ready again (a reconnect)
    this._call = null;
    this._peers = new Map();
    /** Group calls through the SFU: one peer connection to it, and each member's stream. */
    this._sfu = null;
    this._localStream = null;
    this._quality = '480p';
    this._cameraId = undefined;
    this._micId = undefined;
    this._localView = null;
    this._remoteViews = new Map();
    this._volumeTimer = null;
    this._audioContext = null;
    if (options.tim) {
      this._log(LOG_LEVEL.DEBUG, 'the tim option is accepted and not needed: signaling is the cluster\'s own');
    }
  }

  // ---- events -------------------------------------------------------------------------------

  on(eventName, handler, context) {
    const name = eventName === 'CALL_END' ? EVENT.CALLING_END : eventName;
    if (!this._listeners.has(name)) this._listeners.set(name, []);
    this._listeners.get(name).push({ handler, context });
  }

  off(eventName, handler) {
    const name = eventName === 'CALL_END' ? EVENT.CALLING_END : eventName;
    const list = this._listeners.get(name);
    if (!list) return;
    this._listeners.set(name, handler ? list.filter((l) => l.handler !== handler) : []);
  }

  _emit(name, payload) {
    this._log(LOG_LEVEL.INFO, 'event', name, payload);
    for (const { handler, context } of [...(this._listeners.get(name) || [])]) {
      try {
        handler.call(context, payload);
      } catch (e) {
        this._log(LOG_LEVEL.ERROR, `a ${name} handler threw`, e);
      }
    }
  }

  _error(err) {
    this._emit(EVENT.ERROR, { code: err.code, message: err.message });
    return err;
  }

  setLogLevel(level) {
    this._logLevel = Number(level);
  }

  _log(level, ...args) {
    if (level < this._logLevel) return;
    const out = level >= LOG_LEVEL.ERROR ? console.error : level >= LOG_LEVEL.WARN ? console.warn : console.log;
    out('[TRTCCalling]', ...args);
  }

  // ---- session ------------------------------------------------------------------------------

  async login({ userID, userSig } = {}) {
    if (!userID || !userSig) throw this._error(new CallingError(-1, 'login needs {userID, userSig}'));
    if (this._online && this._userId === String(userID) && this._ready) return; // already logged in
    if (this._online) await this.logout();
    this._userId = String(userID);
    this._userSig = String(userSig);
    this._sessionId = null;
    this._online = true;
    this._reconnects = 0;
    try {
      await this._connect();
    } catch (e) {
      this._online = false;
      throw this._error(e instanceof CallingError ? e : new CallingError(-1, String(e && e.message || e)));
    }
    this._emit(EVENT.SDK_READY, {});
  }

  async logout() {
    const hadCall = this._call && this._call.callId;
    this._online = false;
    clearTimeout(this._reconnectTimer);
    if (hadCall) this._outbox.push({ type: 'hangup', callId: this._call.callId });
    this._endLocally();
    if (this._ws && this._ws.readyState === WebSocket.OPEN && this._ready) {
      this._flush();
      try {
        await this._request({ type: 'logout' });
      } catch (e) {
        this._log(LOG_LEVEL.DEBUG, 'logout', e);
      }
    }
    if (this._ws) this._ws.close(1000);
    this._ws = null;
    this._ready = false;
    this._outbox = [];
    this._sessionId = null;
  }

  _url() {
    let base = this._server || location.origin;
    if (/^https?:/.test(base)) base = base.replace(/^http/, 'ws');
    return /\/v1\/signaling/.test(base) ? base : `${base.replace(/\/$/, '')}/v1/signaling`;
  }

  /** Opens the socket and logs in (resuming the session after a drop); resolves with login-ok. */
  _connect() {
    return new Promise((resolve, reject) => {
      if (this._ws) {
        const old = this._ws;
        old.onclose = null;
        old.onmessage = null;
        if (old.readyState <= WebSocket.OPEN) old.close(1000);
      }
      const ws = new WebSocket(this._url());
      this._ws = ws;
      this._ready = false;
      let settled = false;
      // A connection that does not get as far as login-ok in time is given up (and retried).
      const deadline = setTimeout(() => {
        if (!settled) ws.close();
      }, 15000);
      ws.onopen = () => {
        const login = { type: 'login', sdkAppId: this._sdkAppId, userId: this._userId, userSig: this._userSig };
        if (this._sessionId) login.resume = this._sessionId;
        this._request(login, ws).then((ok) => {
          settled = true;
          clearTimeout(deadline);
          const resumedCall = this._call && ok.resumed;
          if (this._call && !ok.resumed) {
            this._log(LOG_LEVEL.WARN, 'the session could not be resumed: the call is over');
            this._endLocally();
            this._emit(EVENT.CALLING_END, { reason: 'connection-lost' });
          }
          this._sessionId = ok.sessionId;
          this._setIceServers(ok.iceServers || []);
          this._reconnects = 0;
          this._ready = true;
          this._flush(); // what was asked while the socket was away (a hangup, SDP, ICE)
          this._log(LOG_LEVEL.INFO, ok.resumed ? 'session resumed' : 'logged in', resumedCall ? 'with the call' : '');
          resolve(ok);
        }, (e) => {
          settled = true;
          clearTimeout(deadline);
          ws.onclose = null;
          ws.close(1000);
          reject(e);
        });
      };
      ws.onmessage = (m) => {
        if (ws === this._ws) this._onMessage(m.data);
      };
      ws.onclose = (ev) => {
        this._failPending(ws);
        if (ws === this._ws) this._ready = false;
        if (!settled) {
          settled = true;
          clearTimeout(deadline);
          reject(new CallingError(-1, `signaling closed the connection (${ev.code})`));
          if (this._online && this._sessionId) this._scheduleReconnect();
          return;
        }
        this._onClose(ev, ws);
      };
    });
  }

  _onClose(ev, ws) {
    if (ws !== this._ws) return;
    this._log(LOG_LEVEL.INFO, 'signaling closed', ev.code, ev.reason);
    if (ev.code === 4001) {
      this._kicked();
      return;
    }
    if (!this._online || FINAL_CLOSE.has(ev.code)) {
      if (this._online) this._sessionEnded(`signaling ended the session (${ev.code} ${ev.reason || ''})`);
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    clearTimeout(this._reconnectTimer);
    const delay = Math.min(10000, 250 * 2 ** this._reconnects) * (0.8 + Math.random() * 0.4);
    this._reconnects++;
    this._log(LOG_LEVEL.INFO, `reconnecting in ${Math.round(delay)} ms`);
    this._reconnectTimer = setTimeout(() => {
      if (!this._online) return;
      this._connect().catch((e) => {
        if (!this._online) return;
        if (e instanceof CallingError && e.code !== -1 && !RETRY_LOGIN.has(e.code)) {
          // The server refused the login itself (an expired UserSig, say): retrying cannot help.
          this._sessionEnded(`signaling refused the login (${e.code}: ${e.message})`);
        } else {
          this._scheduleReconnect(); // unreachable, timed out, or briefly unavailable: again, later
        }
      });
    }, delay);
  }

  /** The session is over for good (not by logout): the call ends, and the app hears why. */
  _sessionEnded(message) {
    this._online = false;
    this._ready = false;
    this._outbox = [];
    clearTimeout(this._reconnectTimer);
    const c = this._call;
    this._endLocally();
    if (c && c.callId) this._emit(EVENT.CALLING_END, { inviteID: c.callId, reason: 'session-ended', callEnd: 0 });
    this._error(new CallingError('session-ended', message));
  }

  _kicked() {
    if (!this._online) return;
    this._online = false;
    clearTimeout(this._reconnectTimer);
    this._endLocally();
    this._emit(EVENT.KICKED_OUT, {});
  }

  _send(frame, ws = this._ws) {
    const login = frame.type === 'login';
    if (!login && ws === this._ws && (!this._ready || !ws || ws.readyState !== WebSocket.OPEN)) {
      if (!this._online) return false;
      // Reconnecting: held (bounded) and sent, in order, right after the session is resumed.
      if (this._outbox.length < 500) this._outbox.push(frame);
      return true;
    }
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this._log(LOG_LEVEL.DEBUG, 'not sent (not connected)', frame.type);
      return false;
    }
    ws.send(JSON.stringify(frame));
    return true;
  }

  _flush() {
    const frames = this._outbox;
    this._outbox = [];
    for (const f of frames) this._send(f);
  }

  /** Sends a request and resolves with its -ok answer (or rejects with its error). */
  _request(frame, ws = this._ws) {
    const id = String(this._nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new CallingError(-1, `${frame.type}: no answer from signaling`));
      }, 10000);
      this._pending.set(id, { resolve, reject, timer, ws });
      if (!this._send({ ...frame, id }, ws)) {
        clearTimeout(timer);
        this._pending.delete(id);
        reject(new CallingError(-1, `${frame.type}: not connected to signaling`));
      }
    });
  }

  _failPending(ws) {
    for (const [id, p] of this._pending) {
      if (p.ws === ws) {
        clearTimeout(p.timer);
        this._pending.delete(id);
        p.reject(new CallingError(-1, 'the connection to signaling was lost'));
      }
    }
  }

  _onMessage(data) {
    let f;
    try {
      f = JSON.parse(data);
    } catch (e) {
      this._log(LOG_LEVEL.WARN, 'not JSON from signaling', data);
      return;
    }
    this._log(LOG_LEVEL.DEBUG, '<-', f);
    if (f.id) {
      const p = this._pending.get(f.id);
      if (!p) return; // the answer to a request given up on
      this._pending.delete(f.id);
      clearTimeout(p.timer);
      if (f.type === 'error') p.reject(new CallingError(f.code, f.message));
      else p.resolve(f);
      return;
    }
    this._onFrame(f);
  }

  _onFrame(f) {
    if (f.callId && this._call && this._call.early) {
      // Our invitation is on its way: frames about it (busy, accepted) may come before invite-ok;
      // they are held until the app has heard of its call, then handled in order.
      this._call.early.push(f);
      return;
    }
    const handler = this._frames[f.type];
    if (handler) handler.call(this, f);
  }

  // ---- server frames → the seed's events ----------------------------------------------------

  get _frames() {
    return {
      'ice-servers': (f) => this._setIceServers(f.iceServers || this._iceServers),
      invited: (f) => {
        if (this._call && this._call.callId !== f.callId) {
          this._send({ type: 'busy', callId: f.callId }); // one call at a time
          return;
        }
        this._call = {
          callId: f.callId, role: 'callee', state: 'ringing', type: seedType(f.callType), caller: f.caller,
          groupId: f.groupId || null, invitees: f.userIds || [], members: new Set([f.caller]), entered: new Set(),
          sfu: f.media === 'sfu',
        };
        this._emit(EVENT.INVITED, {
          sponsor: f.caller,
          userIDList: f.userIds || [],
          isFromGroup: !!f.groupId,
          inviteID: f.callId,
          inviteData: { version: 4, callType: seedType(f.callType), roomID: roomIdOf(f.callId) },
        });
      },
      accepted: (f) => {
        const c = this._callOf(f);
        if (!c) return;
        c.members.add(f.userId);
        if (c.left) c.left.delete(f.userId); // re-invited and back
        this._emit(EVENT.USER_ACCEPT, { userID: f.userId });
        // Anyone in the call (or accepting: our own accept-ok may still be on its way) offers.
        if (c.sfu) {
          if (c.role === 'caller') c.state = 'connected';
          return; // the SFU sends their media (and USER_ENTER comes with it)
        }
        if (c.state === 'connected' || c.state === 'accepting' || c.role === 'caller') {
          if (c.role === 'caller') c.state = 'connected';
          this._enter(f.userId);
          this._peer(f.userId, true); // those already in the call offer to whoever joins
        }
      },
      rejected: (f) => this._callOf(f) && this._emit(EVENT.REJECT, { userID: f.userId }),
      busy: (f) => this._callOf(f) && this._emit(EVENT.LINE_BUSY, { userID: f.userId }),
      cancelled: (f) => {
        if (!this._callOf(f)) return;
        this._endLocally();
        this._emit(EVENT.CALLING_CANCEL, { inviteID: f.callId, invitee: this._userId });
      },
      timeout: (f) => {
        if (!this._callOf(f)) return;
        this._endLocally();
        this._emit(EVENT.CALLING_TIMEOUT, { inviteID: f.callId });
      },
      'no-answer': (f) => {
        if (!this._callOf(f)) return;
        const ids = f.userIds || [];
        for (const u of ids) this._emit(EVENT.NO_RESP, { userID: u, userIDList: ids });
      },
      left: (f) => {
        const c = this._callOf(f);
        if (!c) return;
        c.members.delete(f.userId);
        c.entered.delete(f.userId);
        (c.left || (c.left = new Set())).add(f.userId);
        this._closePeer(f.userId);
        this._sfuForget(f.userId);
        this._emit(EVENT.USER_LEAVE, { userID: f.userId });
      },
      ended: (f) => {
        if (!this._callOf(f)) return;
        this._endLocally();
        this._emit(EVENT.CALLING_END, { inviteID: f.callId, reason: f.reason, callEnd: Math.round((f.duration || 0) / 1000) });
      },
      'invitee-list': (f) => {
        const c = this._callOf(f);
        if (!c) return;
        c.invitees = f.userIds || [];
        this._emit(EVENT.GROUP_CALL_INVITEE_LIST_UPDATE, { userIDList: c.invitees });
      },
      'type-changed': (f) => {
        const c = this._callOf(f);
        if (!c) return;
        const oldCallType = c.type;
        const newCallType = seedType(f.callType);
        if (oldCallType === newCallType) return;
        c.type = newCallType;
        this._applyType(newCallType).then(() => {
          // Through the SFU, video m-lines exist only in video calls: a fresh transport gets them.
          if (c.sfu && this._call === c) this._sfuJoin();
        }).catch((e) => this._error(e instanceof CallingError ? e : deviceError(e)));
        this._emit(EVENT.CALL_TYPE_CHANGED, { oldCallType, newCallType });
      },
      media: (f) => {
        if (!this._callOf(f)) return;
        if (typeof f.video === 'boolean') {
          this._emit(EVENT.USER_VIDEO_AVAILABLE, { userID: f.userId, isVideoAvailable: f.video });
        }
        if (typeof f.audio === 'boolean') {
          this._emit(EVENT.USER_AUDIO_AVAILABLE, { userID: f.userId, isAudioAvailable: f.audio });
        }
      },
      'sfu-offer': (f) => {
        const s = this._sfu;
        if (!this._callOf(f) || !s || (f.transport && f.transport !== s.id)) return; // for a transport we replaced
        s.offered = true;
        if (f.node) s.node = f.node;
        s.queue = s.queue.then(() => this._onSfuOffer(s, f.sdp)).catch((e) => this._log(LOG_LEVEL.WARN, 'SFU offer', e));
      },
      'sfu-gone': (f) => {
        // Our transport ended: a fresh one. Not if the SFU names another of ours (one we replaced),
        // nor, when signaling says a dead node's transports are gone, if we are already on another
        // node or still waiting for our first offer (if that never comes, the offer timer joins again).
        const s = this._sfu;
        const ours = f.transport ? s && f.transport === s.id : !s || !f.node || s.node === f.node;
        if (this._callOf(f) && ours) this._sfuJoin();
      },
      sdp: (f) => this._callOf(f) && this._queue(f.from, () => this._onDescription(f.from, f.description)),
      ice: (f) => this._callOf(f) && this._queue(f.from, () => this._onCandidate(f.from, f.candidate)),
      kicked: () => this._kicked(),
      error: (f) => {
        const s = this._sfu;
        if (f.code === 'sfu-refused' && s && !s.retry) {
          // The SFU refused our answer (it no longer matched its offer): start over, once a second at most.
          s.retry = setTimeout(() => { if (this._sfu === s) this._sfuJoin(); }, 1000);
          return;
        }
        if ((f.code === 'sfu-codec' || f.code === 'sfu-full') && s) clearTimeout(s.offerWait); // joining again would not help
        if (f.code === 'sfu-unavailable' && s && !s.retry) {
          // No live SFU node right now (one is restarting, say): try again every 2 s while in the
          // call, telling the app once per call.
          s.retry = setTimeout(() => { if (this._sfu === s) this._sfuJoin(); }, 2000);
          if (s.call.sfuUnavailable) {
            this._log(LOG_LEVEL.WARN, 'signaling:', f.code, f.message);
            return;
          }
          s.call.sfuUnavailable = true;
        }
        // Races that end by themselves (SDP after someone left, media while ringing) are not the app's concern.
        if (BENIGN.has(f.code)) this._log(LOG_LEVEL.WARN, 'signaling:', f.code, f.message);
        else this._error(new CallingError(f.code, f.message));
      },
    };
  }

  /** New TURN credentials: for new connections and for the ICE restarts of live ones. */
  _setIceServers(servers) {
    this._iceServers = servers;
    if (this._sfu) {
      try {
        this._sfu.pc.setConfiguration({ ...this._sfu.pc.getConfiguration(), iceServers: sfuIceServers(servers, this._icePolicy) });
      } catch (e) {
        this._log(LOG_LEVEL.DEBUG, 'setConfiguration', e);
      }
    }
    for (const p of this._peers.values()) {
      try {
        p.pc.setConfiguration({ ...p.pc.getConfiguration(), iceServers: servers });
      } catch (e) {
        this._log(LOG_LEVEL.DEBUG, 'setConfiguration', e);
      }
    }
  }

  _callOf(f) {
    return this._call && this._call.callId === f.callId ? this._call : null;
  }

  _enter(userId) {
    const c = this._call;
    if (!c || userId === this._userId || c.entered.has(userId)) return;
    c.entered.add(userId);
    this._emit(EVENT.USER_ENTER, { userID: userId });
  }

  // ---- calls --------------------------------------------------------------------------------

  async call({ userID, type = CALL_TYPE.VIDEO_CALL, timeout = 30 } = {}) {
    if (!userID) throw this._error(new CallingError(-1, 'call needs {userID}'));
    return this._invite([String(userID)], type, timeout, null);
  }

  async groupCall({ userIDList, type = CALL_TYPE.VIDEO_CALL, groupID, timeout = 30 } = {}) {
    if (!Array.isArray(userIDList) || userIDList.length === 0) {
      throw this._error(new CallingError(-1, 'groupCall needs {userIDList}'));
    }
    if (this._call && this._call.state === 'connected' && this._call.groupId) {
      await this._request({ type: 'invite-more', callId: this._call.callId, users: userIDList.map(String) });
      return;
    }
    const group = groupID || `group-${Math.random().toString(36).slice(2, 10)}`;
    return this._invite(userIDList.map(String), type, timeout, String(group));
  }

  async _invite(callees, type, timeout, groupId) {
    if (!this._online) throw this._error(new CallingError(-1, 'log in first'));
    if (this._call) throw this._error(new CallingError(-1, 'already in a call'));
    const placeholder = { callId: null, role: 'caller', state: 'calling', type: Number(type) === 1 ? 1 : 2,
      caller: this._userId, groupId, invitees: callees, members: new Set([this._userId]), entered: new Set(), early: [] };
    this._call = placeholder;
    try {
      await this._startMedia(placeholder.type);
      if (this._call !== placeholder) return; // hung up while the camera was being opened
      // 0 ("never") and anything above is the longest the cluster rings: 300 s.
      const seconds = Number(timeout) > 0 ? Math.min(300, Math.ceil(Number(timeout))) : Number(timeout) === 0 ? 300 : 30;
      const frame = { type: 'invite', callees, callType: wireType(type), timeoutSeconds: seconds };
      if (groupId) frame.groupId = groupId;
      const ok = await this._request(frame);
      if (this._call !== placeholder) { // hung up while the invitation was on its way: take it back
        this._send({ type: 'hangup', callId: ok.callId });
        return;
      }
      placeholder.callId = ok.callId;
      placeholder.sfu = ok.media === 'sfu';
      if (placeholder.sfu) this._sfuJoin(); // the caller is in the call from the start
      setTimeout(() => {
        const early = placeholder.early || [];
        placeholder.early = null;
        early.forEach((f) => this._onFrame(f));
      }, 0);
      return { inviteID: ok.callId };
    } catch (e) {
      if (this._call === placeholder) {
        const held = placeholder.early || [];
        this._endLocally();
        // An invitation that came in meanwhile (the other side called us at the same moment) still rings.
        setTimeout(() => held.filter((f) => f.type === 'invited').forEach((f) => this._onFrame(f)), 0);
      }
      throw this._error(e instanceof CallingError ? e : new CallingError(-1, String(e && e.message || e)));
    }
  }

  /** Accept the ringing call (also the older form accept({inviteID, roomID, callType})). */
  async accept(params = {}) {
    const c = this._call;
    if (!c || c.state !== 'ringing' || (params.inviteID && params.inviteID !== c.callId)) {
      throw this._error(new CallingError(-1, 'no ringing call to accept'));
    }
    c.state = 'accepting';
    try {
      await this._startMedia(c.type);
      if (this._call !== c) throw new CallingError(-1, 'the call ended before it was answered');
      await this._request({ type: 'accept', callId: c.callId });
    } catch (e) {
      if (this._call === c && c.state === 'accepting') c.state = 'ringing';
      throw this._error(e instanceof CallingError ? e : deviceError(e));
    }
    if (this._call !== c) throw this._error(new CallingError('call-ended', 'the call ended as it was answered'));
    c.state = 'connected';
    c.members.add(this._userId);
    if (c.sfu) this._sfuJoin();
    // USER_ENTER comes with each member's offer (those in the call offer to whoever joins), so
    // a group caller who left while we rang never "enters".
  }

  /** Reject the ringing call (also the older form reject({inviteID, isBusy, callType})). */
  async reject(params = {}) {
    const c = this._call;
    if (!c || c.state !== 'ringing' || (params.inviteID && params.inviteID !== c.callId)) {
      throw this._error(new CallingError(-1, 'no ringing call to reject'));
    }
    this._endLocally();
    await this._request({ type: params.isBusy ? 'busy' : 'reject', callId: c.callId }).catch((e) => this._error(e));
  }

  /** Leave the call: a caller before any answer cancels it, a ringing callee rejects it. */
  async hangup() {
    const c = this._call;
    if (!c) return;
    this._endLocally();
    if (c.callId) {
      await this._request({ type: 'hangup', callId: c.callId }).catch((e) => this._log(LOG_LEVEL.DEBUG, 'hangup', e));
    }
  }

  async switchToAudioCall() {
    return this._switchType(CALL_TYPE.AUDIO_CALL);
  }

  async switchToVideoCall() {
    return this._switchType(CALL_TYPE.VIDEO_CALL);
  }

  async _switchType(type) {
    const c = this._call;
    if (!c || !c.callId) throw this._error(new CallingError(-1, 'not in a call'));
    await this._request({ type: 'switch-type', callId: c.callId, callType: wireType(type) });
    if (this._call === c && c.type !== type) {
      const oldCallType = c.type;
      c.type = type;
      await this._applyType(type);
      if (c.sfu && this._call === c) this._sfuJoin();
      this._emit(EVENT.CALL_TYPE_CHANGED, { oldCallType, newCallType: type });
    }
  }

  async _applyType(type) {
    if (type === CALL_TYPE.AUDIO_CALL) {
      this._stopCamera();
    } else if (this._call) {
      await this.openCamera();
    }
  }

  /** Forgets the call here: closes every peer connection, stops capture and the views. */
  _endLocally() {
    for (const u of [...this._peers.keys()]) this._closePeer(u);
    this._sfuClose();
    if (this._localStream) this._localStream.getTracks().forEach((t) => t.stop());
    this._localStream = null;
    if (this._localView) this._localView.remove();
    this._localView = null;
    for (const v of this._remoteViews.values()) v.el.remove();
    this._remoteViews.clear();
    this._analysers = new Map();
    clearInterval(this._volumeTimer);
    this._volumeTimer = null;
    if (this._audioContext) this._audioContext.close().catch(() => {});
    this._audioContext = null;
    this._call = null;
  }

  // ---- local media --------------------------------------------------------------------------

  _videoConstraints() {
    const q = QUALITY[this._quality];
    const v = { width: { ideal: q.width }, height: { ideal: q.height } };
    if (this._cameraId) v.deviceId = { exact: this._cameraId };
    return v;
  }

  async _capture(constraints) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new CallingError(ERROR_CODE.DEVICE_NOT_SUPPORTED,
        'no camera access here: serve the page over HTTPS (or from localhost)');
    }
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (e) {
      throw deviceError(e);
    }
  }

  /** Opens camera and microphone once for the current call (a second caller waits for the first). */
  _startMedia(type) {
    if (this._localStream) return Promise.resolve();
    const call = this._call;
    if (!this._mediaPromise) {
      this._mediaPromise = this._capture({
        audio: this._micId ? { deviceId: { exact: this._micId } } : true,
        video: type === CALL_TYPE.VIDEO_CALL ? this._videoConstraints() : false,
      }).then((stream) => {
        if (this._call !== call || !call) {
          stream.getTracks().forEach((t) => t.stop()); // the call is gone: no camera left on
          return;
        }
        this._localStream = stream;
        this._attachLocal();
        this._startVolumes();
        // Peers made while the camera was opening (someone joined meanwhile) get the tracks now.
        for (const peer of this._peers.values()) this._addTracks(peer);
      }).finally(() => {
        this._mediaPromise = null;
      });
    }
    return this._mediaPromise;
  }

  async openCamera() {
    if (!this._localStream) {
      await this._startMedia(CALL_TYPE.VIDEO_CALL).catch((e) => { throw this._error(e); });
    } else if (!this._localStream.getVideoTracks().some((t) => t.readyState === 'live')) {
      const call = this._call;
      const cam = await this._capture({ video: this._videoConstraints() }).catch((e) => { throw this._error(e); });
      const track = cam.getVideoTracks()[0];
      if (this._call !== call || !this._localStream) {
        track.stop(); // the call ended while the camera was opening
        return;
      }
      this._localStream.getVideoTracks().forEach((t) => { t.stop(); this._localStream.removeTrack(t); });
      this._localStream.addTrack(track);
      this._replaceTrack('video', track);
      this._attachLocal();
    }
    this._mediaState({ video: true });
  }

  async closeCamera() {
    this._stopCamera();
    this._mediaState({ video: false });
  }

  _stopCamera() {
    if (!this._localStream) return;
    for (const t of this._localStream.getVideoTracks()) {
      t.stop(); // the camera light goes off; the others see USER_VIDEO_AVAILABLE false
      this._localStream.removeTrack(t);
    }
    this._replaceTrack('video', null);
  }

  async setMicMute(isMute) {
    if (this._localStream) this._localStream.getAudioTracks().forEach((t) => { t.enabled = !isMute; });
    this._mediaState({ audio: !isMute });
  }

  _mediaState(state) {
    if (this._call && this._call.callId) this._send({ type: 'media', callId: this._call.callId, ...state });
  }

  async setVideoQuality(profile) {
    if (!QUALITY[profile]) throw this._error(new CallingError(-1, `video quality is one of ${Object.keys(QUALITY).join(', ')}`));
    this._quality = profile;
    const track = this._localStream && this._localStream.getVideoTracks()[0];
    if (track) await track.applyConstraints(this._videoConstraints()).catch((e) => this._log(LOG_LEVEL.WARN, e));
  }

  async getCameras() {
    return this._devices('videoinput');
  }

  async getMicrophones() {
    return this._devices('audioinput');
  }

  async _devices(kind) {
    if (!navigator.mediaDevices) return [];
    const all = await navigator.mediaDevices.enumerateDevices();
    return all.filter((d) => d.kind === kind).map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, label: d.label, kind: d.kind }));
  }

  async switchDevice({ deviceType, deviceId } = {}) {
    const video = deviceType === 'video';
    if (video) this._cameraId = deviceId;
    else this._micId = deviceId;
    if (!this._localStream) return;
    const fresh = await this._capture(video ? { video: this._videoConstraints() } : { audio: { deviceId: { exact: deviceId } } })
      .catch((e) => { throw this._error(e); });
    const track = video ? fresh.getVideoTracks()[0] : fresh.getAudioTracks()[0];
    const old = video ? this._localStream.getVideoTracks() : this._localStream.getAudioTracks();
    if (!video && old.length) track.enabled = old[0].enabled; // a muted microphone stays muted
    if (video && !old.length) {
      track.stop(); // the camera is off (or an audio call): the next openCamera uses the new one
      return;
    }
    old.forEach((t) => { t.stop(); this._localStream.removeTrack(t); });
    this._localStream.addTrack(track);
    this._replaceTrack(video ? 'video' : 'audio', track);
    this._attachLocal();
  }

  _replaceTrack(kind, track) {
    if (this._sfu) {
      const t = this._sfu.own.find((x) => x.receiver.track.kind === kind);
      if (t) t.sender.replaceTrack(track).catch((e) => this._log(LOG_LEVEL.WARN, e));
    }
    for (const p of this._peers.values()) {
      const sender = p.pc.getTransceivers().map((t) => t.sender)
        .find((s) => (s.track && s.track.kind === kind) || p.senderKinds.get(s) === kind);
      if (sender) {
        sender.replaceTrack(track).catch((e) => this._log(LOG_LEVEL.WARN, e));
      } else if (track) {
        p.senderKinds.set(p.pc.addTrack(track, this._localStream), kind); // renegotiates
        this._preferCodec(p);
      }
    }
  }

  // ---- views --------------------------------------------------------------------------------

  async startLocalView({ userID, videoViewDomID } = {}) {
    const host = document.getElementById(videoViewDomID);
    if (!host) throw this._error(new CallingError(-1, `no element #${videoViewDomID}`));
    if (this._localView) this._localView.remove();
    const el = document.createElement('video');
    Object.assign(el, { autoplay: true, playsInline: true, muted: true });
    el.setAttribute('data-user-id', userID || this._userId);
    el.style.cssText = 'width:100%;height:100%;object-fit:cover;transform:scaleX(-1)';
    host.appendChild(el);
    this._localView = el;
    this._attachLocal();
  }

  async stopLocalView() {
    if (this._localView) this._localView.remove();
    this._localView = null;
  }

  _attachLocal() {
    if (this._localView && this._localStream && this._localView.srcObject !== this._localStream) {
      this._localView.srcObject = this._localStream;
    }
  }

  async startRemoteView({ userID, videoViewDomID } = {}) {
    const host = document.getElementById(videoViewDomID);
    if (!host) throw this._error(new CallingError(-1, `no element #${videoViewDomID}`));
    const old = this._remoteViews.get(userID);
    if (old) old.el.remove();
    const el = document.createElement('video');
    Object.assign(el, { autoplay: true, playsInline: true, muted: true }); // sound: the SDK's own <audio>
    el.setAttribute('data-user-id', userID);
    el.style.cssText = 'width:100%;height:100%;object-fit:cover';
    host.appendChild(el);
    this._remoteViews.set(userID, { el });
    const p = this._peers.get(userID) || (this._sfu && this._sfu.users.get(userID));
    if (p) el.srcObject = p.stream;
  }

  async stopRemoteView({ userID } = {}) {
    const v = this._remoteViews.get(userID);
    if (v) v.el.remove();
    this._remoteViews.delete(userID);
  }

  // ---- WebRTC -------------------------------------------------------------------------------

  /** The peer connection to a user; {@code offer}: this side adds its tracks now and so offers. */
  _peer(userId, offer) {
    let p = this._peers.get(userId);
    if (p) {
      if (offer) this._addTracks(p);
      return p;
    }
    const pc = new RTCPeerConnection({ iceServers: this._iceServers, iceTransportPolicy: this._icePolicy,
      bundlePolicy: 'max-bundle' });
    p = { pc, stream: new MediaStream(), makingOffer: false, ignoreOffer: false, polite: this._userId > userId,
      queue: Promise.resolve(), senderKinds: new Map(), candidates: [], candidateTimer: null, early: [],
      audio: document.createElement('audio') };
    p.audio.autoplay = true;
    p.audio.srcObject = p.stream;
    this._peers.set(userId, p);
    pc.onnegotiationneeded = async () => {
      try {
        p.makingOffer = true;
        await pc.setLocalDescription();
        this._send({ type: 'sdp', callId: this._call.callId, to: userId, description: pc.localDescription });
      } catch (e) {
        this._log(LOG_LEVEL.WARN, 'offer', e);
      } finally {
        p.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate || !this._call) return;
      // Batched: one frame every 50 ms at most per peer (signaling limits messages per second).
      p.candidates.push(candidate.toJSON ? candidate.toJSON() : candidate);
      if (!p.candidateTimer) {
        p.candidateTimer = setTimeout(() => {
          p.candidateTimer = null;
          const batch = p.candidates;
          p.candidates = [];
          if (this._call && this._peers.get(userId) === p && batch.length) {
            this._send({ type: 'ice', callId: this._call.callId, to: userId, candidate: batch.length === 1 ? batch[0] : batch });
          }
        }, 50);
      }
    };
    pc.ontrack = ({ track }) => {
      p.stream.addTrack(track);
      const view = this._remoteViews.get(userId);
      if (view && view.el.srcObject !== p.stream) view.el.srcObject = p.stream;
      this._enter(userId);
      this._watchVolume(userId, p.stream);
      // The seed tells when a user's video or audio starts; later changes come as media frames.
      if (track.kind === 'video') this._emit(EVENT.USER_VIDEO_AVAILABLE, { userID: userId, isVideoAvailable: true });
      else this._emit(EVENT.USER_AUDIO_AVAILABLE, { userID: userId, isAudioAvailable: true });
      p.audio.play().catch(() => {}); // (autoplay may wait for a user gesture)
    };
    pc.onconnectionstatechange = () => {
      this._log(LOG_LEVEL.INFO, `media with ${userId}: ${pc.connectionState}`);
      if (pc.connectionState === 'failed') pc.restartIce();
    };
    if (offer) this._addTracks(p);
    return p;
  }

  _addTracks(p) {
    if (!this._localStream || p.tracksAdded) return;
    p.tracksAdded = true;
    for (const t of this._localStream.getTracks()) p.senderKinds.set(p.pc.addTrack(t, this._localStream), t.kind);
    this._preferCodec(p);
  }

  _preferCodec(p) {
    for (const t of p.pc.getTransceivers()) {
      if (t.sender.track && t.sender.track.kind === 'video') preferVideoCodec(t, this._videoCodec);
    }
  }

  /** Runs a peer's signaling steps one at a time, in arrival order. */
  _queue(userId, step) {
    const c = this._call;
    if (!c || (!this._peers.has(userId) && c.left && c.left.has(userId))) return; // late, from someone gone
    const p = this._peer(userId, false);
    p.queue = p.queue.then(step).catch((e) => this._log(LOG_LEVEL.WARN, `signaling with ${userId}`, e));
  }

  /** Perfect negotiation (polite side rolls back on a collision). */
  async _onDescription(from, description) {
    const p = this._peers.get(from);
    if (!p || !description) return;
    const pc = p.pc;
    const collision = description.type === 'offer' && (p.makingOffer || pc.signalingState !== 'stable');
    p.ignoreOffer = !p.polite && collision;
    if (p.ignoreOffer) return;
    await pc.setRemoteDescription(description);
    for (const cand of p.early.splice(0)) {
      await pc.addIceCandidate(cand).catch((e) => this._log(LOG_LEVEL.DEBUG, 'candidate', e));
    }
    if (description.type === 'offer') {
      this._addTracks(p); // after the offer: the tracks fill the transceivers it created
      await pc.setLocalDescription();
      this._send({ type: 'sdp', callId: this._call.callId, to: from, description: pc.localDescription });
      this._enter(from);
    }
  }

  async _onCandidate(from, candidate) {
    const p = this._peers.get(from);
    if (!p || !candidate) return;
    for (const cand of Array.isArray(candidate) ? candidate : [candidate]) {
      if (!p.pc.remoteDescription) {
        p.early.push(cand); // before the offer or answer it belongs to: kept until then
        continue;
      }
      try {
        await p.pc.addIceCandidate(cand);
      } catch (e) {
        if (!p.ignoreOffer) throw e;
      }
    }
  }

  _closePeer(userId) {
    const p = this._peers.get(userId);
    if (!p) return;
    this._peers.delete(userId);
    clearTimeout(p.candidateTimer);
    p.pc.close();
    p.stream.getTracks().forEach((t) => t.stop());
    p.audio.srcObject = null;
    if (this._analysers) this._analysers.delete(userId);
    const v = this._remoteViews.get(userId);
    if (v) v.el.srcObject = null;
  }

  // ---- the SFU (group calls) -----------------------------------------------------------------

  /**
   * Asks for a transport to the call's SFU (again after a failure: a fresh one). The SFU offers;
   * we only answer, so offers never collide: our tracks go on the m-lines it receives (recvonly
   * on its side), each other member's come on the others, their stream id being their userID.
   */
  _sfuJoin() {
    const c = this._call;
    if (!c || !c.sfu || !c.callId) return;
    this._sfuClose();
    const pc = new RTCPeerConnection({ iceServers: sfuIceServers(this._iceServers, this._icePolicy), iceTransportPolicy: this._icePolicy,
      bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    const s = { pc, call: c, users: new Map(), own: [], queue: Promise.resolve(), retry: null, offerWait: null, offered: false, node: null,
      id: Math.random().toString(36).slice(2, 12) + Date.now().toString(36) };
    this._sfu = s;
    pc.ontrack = ({ track, streams }) => {
      const userId = streams && streams[0] && streams[0].id;
      if (!userId || userId === this._userId || this._sfu !== s || (s.call.left && s.call.left.has(userId))) return;
      let u = s.users.get(userId);
      if (!u) {
        u = { stream: new MediaStream(), audio: document.createElement('audio') };
        u.audio.autoplay = true;
        u.audio.srcObject = u.stream;
        s.users.set(userId, u);
      }
      u.stream.getTracks().filter((t) => t.kind === track.kind).forEach((t) => u.stream.removeTrack(t));
      u.stream.addTrack(track);
      const view = this._remoteViews.get(userId);
      if (view && view.el.srcObject !== u.stream) view.el.srcObject = u.stream;
      this._enter(userId);
      this._watchVolume(userId, u.stream);
      if (track.kind === 'video') this._emit(EVENT.USER_VIDEO_AVAILABLE, { userID: userId, isVideoAvailable: true });
      else this._emit(EVENT.USER_AUDIO_AVAILABLE, { userID: userId, isAudioAvailable: true });
      u.audio.play().catch(() => {});
    };
    pc.onconnectionstatechange = () => {
      this._log(LOG_LEVEL.INFO, `media with the SFU: ${pc.connectionState}`);
      // The node went away (or the path did): ask again, and signaling moves the room if the node
      // is dead. 'disconnected' for 5 s counts too: 'failed' would take Chrome 30 s.
      const state = pc.connectionState;
      if ((state === 'failed' || state === 'disconnected') && this._sfu === s && !s.retry) {
        s.retry = setTimeout(() => {
          s.retry = null;
          if (this._sfu === s && pc.connectionState !== 'connected') this._sfuJoin();
        }, state === 'failed' ? 1000 : 5000);
      }
    };
    this._send({ type: 'sfu-join', callId: c.callId, transport: s.id, videoCodecs: videoCodecNames(this._videoCodec) });
    // A join sent to a node that died a moment ago is never answered: ask again.
    s.offerWait = setTimeout(() => { if (this._sfu === s && !s.offered) this._sfuJoin(); }, SFU_OFFER_WAIT_MS);
  }

  async _onSfuOffer(s, sdp) {
    if (this._sfu !== s) return;
    const pc = s.pc;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const own = sdp.split(/\r?\nm=/).slice(1).filter((m) => /\r?\na=recvonly/.test(m))
      .map((m) => (m.match(/\r?\na=mid:(\S+)/) || [])[1]);
    s.own = pc.getTransceivers().filter((t) => own.includes(t.mid));
    for (const t of s.own) {
      const kind = t.receiver.track.kind;
      const track = this._localStream && this._localStream.getTracks().find((x) => x.kind === kind);
      if (track && t.sender.track !== track) await t.sender.replaceTrack(track);
      t.direction = 'sendonly'; // even without a track yet (camera off): one comes by replaceTrack
    }
    await pc.setLocalDescription(await pc.createAnswer());
    if (this._sfu === s) this._send({ type: 'sfu-answer', callId: s.call.callId, sdp: pc.localDescription.sdp });
  }

  _sfuForget(userId) {
    const s = this._sfu;
    const u = s && s.users.get(userId);
    if (!u) return;
    s.users.delete(userId);
    u.stream.getTracks().forEach((t) => u.stream.removeTrack(t));
    u.audio.srcObject = null;
    if (this._analysers) this._analysers.delete(userId);
    const v = this._remoteViews.get(userId);
    if (v) v.el.srcObject = null;
  }

  _sfuClose() {
    const s = this._sfu;
    if (!s) return;
    this._sfu = null;
    clearTimeout(s.retry);
    clearTimeout(s.offerWait);
    for (const u of [...s.users.keys()]) {
      this._sfu = s;
      this._sfuForget(u);
      this._sfu = null;
    }
    s.pc.close();
  }

  // ---- voice volume -------------------------------------------------------------------------

  _startVolumes() {
    if (this._volumeTimer || typeof AudioContext === 'undefined') return;
    try {
      this._audioContext = new AudioContext();
      if (this._audioContext.state === 'suspended') this._audioContext.resume().catch(() => {});
    } catch (e) {
      return;
    }
    this._analysers = new Map();
    this._watchVolume(this._userId, this._localStream);
    this._volumeTimer = setInterval(() => {
      const volumeMap = [];
      for (const [userId, a] of this._analysers) {
        const data = new Uint8Array(a.fftSize);
        a.getByteTimeDomainData(data);
        let peak = 0;
        for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
        volumeMap.push({ userId, audioVolume: Math.min(100, Math.round(peak / 128 * 100)) });
      }
      if (volumeMap.length) this._emit(EVENT.USER_VOICE_VOLUME, { volumeMap });
    }, 500);
  }

  _watchVolume(userId, stream) {
    if (!this._audioContext || !this._analysers || !stream || !stream.getAudioTracks().length || this._analysers.has(userId)) return;
    try {
      const a = this._audioContext.createAnalyser();
      a.fftSize = 256;
      this._audioContext.createMediaStreamSource(stream).connect(a);
      this._analysers.set(userId, a);
    } catch (e) {
      this._log(LOG_LEVEL.DEBUG, 'volume', e);
    }
  }
}

// Assigned, not static fields: older bundlers (webpack 4, Babel 6 era) parse this file too.
TRTCCalling.EVENT = EVENT;
TRTCCalling.CALL_TYPE = CALL_TYPE;
TRTCCalling.ERROR_CODE = ERROR_CODE;
TRTCCalling.LOG_LEVEL = LOG_LEVEL;
TRTCCalling.VERSION = '0.1.0';

export { TRTCCalling, EVENT, CALL_TYPE, ERROR_CODE };
