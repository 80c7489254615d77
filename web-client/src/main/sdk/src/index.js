/*
 * OpenCalling TRTCCalling: a drop-in for Tencent's trtc-calling-js 1.x, talking to a self-hosted
 * OpenCalling cluster. The same class, constructor, methods, events (names and payloads), error
 * codes and results; an app switches by changing its import (or <script>) and server address.
 *
 *   import TRTCCalling from 'trtc-calling-js';           // aliased to this package
 *   const calling = new TRTCCalling({ SDKAppID: 1400000000, server: 'https://calls.example.com' });
 *   calling.on(TRTCCalling.EVENT.INVITED, ({ sponsor }) => calling.accept());
 *   await calling.login({ userID: 'alice', userSig });
 *   const res = await calling.call({ userID: 'bob', type: TRTCCalling.CALL_TYPE.VIDEO_CALL });
 *
 * Signaling is the cluster's WebSocket protocol (docs/protocol.md); media is WebRTC with the ICE
 * servers handed out at login: peer to peer for 1v1 calls, through the cluster's SFU for group
 * calls. docs/sdk.md has the events each scenario gives, next to the real package's.
 */
import { CALL_STATUS, CALL_TYPE, ERROR_CODE, EVENT, EVENT_ALIASES, LOG_LEVEL, VIDEO_PROFILES } from './constants.js';
import { CallingError, asCallingError, invalidParams } from './errors.js';
import { CallController } from './calls.js';
import { Emitter } from './emitter.js';
import { Logger } from './logger.js';
import { LocalMedia } from './media.js';
import { extractCallingInfoFromMessage } from './messages.js';
import { SignalingClient } from './signaling.js';
import { Views } from './views.js';
import { VolumeMeter } from './volume.js';

// The package's version, set by the build (esbuild --define); 'dev' when the sources run as they are.
const VERSION = typeof __SDK_VERSION__ !== 'undefined' ? __SDK_VERSION__ : 'dev'; // eslint-disable-line no-undef

export default class TRTCCalling {
  /**
   * @param {{SDKAppID: number, tim?: any, server?: string, iceTransportPolicy?: RTCIceTransportPolicy, videoCodec?: string}} options
   *   server: where signaling is (an origin, or a ws(s):// URL), default this page's origin;
   *   iceTransportPolicy: 'relay' forces media through the cluster's TURN relay;
   *   videoCodec: 'H264' or 'VP8', the video codec to prefer.
   */
  constructor(options = {}) {
    const opts = options || {};
    this._log = new Logger();
    const appId = Number(opts.SDKAppID);
    // 0 (the real package's placeholder) constructs; login then says what is missing.
    this._sdkAppId = Number.isSafeInteger(appId) && appId > 0 ? appId : 0;
    if (!this._sdkAppId) this._log.warn('no SDKAppID: login will fail until new TRTCCalling({SDKAppID}) gets the application\'s');
    /** The app's own TIM instance, kept as the real package keeps it (signaling here is the cluster's own). */
    this.tim = opts.tim || null;
    this._userId = '';
    this._events = new Emitter(this, this._log, EVENT_ALIASES);
    this._signaling = new SignalingClient({
      url: opts.server || null,
      logger: this._log,
      onFrame: (f) => this._calls.onFrame(f),
      onLoggedIn: (ok) => this._calls.onLoggedIn(ok),
      onKicked: () => {
        this._calls.sessionOver(false);
        this._events.emit(EVENT.KICKED_OUT, {});
      },
      onSessionEnded: (error) => {
        this._calls.sessionOver(true);
        this._fail(error);
      },
    });
    this._views = new Views();
    this._volume = new VolumeMeter({ logger: this._log, onVolumes: (volumeMap) => this._events.emit(EVENT.USER_VOICE_VOLUME, { volumeMap }) });
    this._media = new LocalMedia({
      logger: this._log,
      onStarted: (stream) => this._calls.onCaptureStarted(stream),
      onTrack: (kind, track) => this._calls.onLocalTrack(kind, track),
    });
    this._calls = new CallController({
      logger: this._log,
      emit: (name, payload) => this._events.emit(name, payload),
      fail: (error) => this._fail(error),
      signaling: this._signaling,
      media: this._media,
      views: this._views,
      volume: this._volume,
      me: () => this._userId,
      options: {
        policy: opts.iceTransportPolicy === 'relay' ? 'relay' : 'all',
        videoCodec: typeof opts.videoCodec === 'string' ? opts.videoCodec.toUpperCase() : null,
      },
    });
  }

  // ---- events and logs ----------------------------------------------------------------------

  on(eventName, handler, context) {
    this._events.on(eventName, handler, context);
  }

  off(eventName, handler, context) {
    this._events.off(eventName, handler, context);
  }

  setLogLevel(level) {
    this._log.setLevel(level);
  }

  /** Emits ERROR {code, msg, message} and returns the error (for the caller to throw). */
  _fail(error) {
    const e = asCallingError(error);
    this._events.emit(EVENT.ERROR, e.payload());
    return e;
  }

  // ---- session ------------------------------------------------------------------------------

  async login({ userID, userSig } = {}) {
    if (!this._sdkAppId) {
      throw this._fail(new CallingError(ERROR_CODE.NO_SDK_APPID, 'no SDKAppID: give new TRTCCalling({SDKAppID}) the application\'s'));
    }
    if (!userID) throw this._fail(new CallingError(ERROR_CODE.NO_IDENTIFIER, 'login needs {userID, userSig}: no userID'));
    if (!userSig) throw this._fail(new CallingError(ERROR_CODE.NO_USER_SIG, 'login needs {userID, userSig}: no userSig'));
    if (this._signaling.online && this._userId === String(userID) && this._signaling.ready) {
      return { code: 0, data: { repeatLogin: true } };
    }
    if (this._signaling.online) await this.logout();
    this._userId = String(userID);
    try {
      await this._signaling.login(this._sdkAppId, this._userId, String(userSig));
    } catch (e) {
      throw this._fail(e);
    }
    this._events.emit(EVENT.SDK_READY, {});
    return { code: 0, data: { repeatLogin: false } };
  }

  async logout() {
    const c = this._calls.current;
    if (c && c.callId) this._signaling.send({ type: 'hangup', callId: c.callId }); // goes before the logout
    this._calls.endLocally();
    await this._signaling.logout();
    return { code: 0, data: {} };
  }

  // ---- calls --------------------------------------------------------------------------------

  call(params) {
    return this._calls.call(params);
  }

  /** A new group call, or (in a call already) more members for the current one. */
  groupCall(params) {
    return this._calls.groupCall(params);
  }

  accept(params) {
    return this._calls.accept(params);
  }

  reject(params) {
    return this._calls.reject(params);
  }

  hangup() {
    return this._calls.hangup();
  }

  switchToAudioCall() {
    return this._calls.switchType(CALL_TYPE.AUDIO_CALL);
  }

  switchToVideoCall() {
    return this._calls.switchType(CALL_TYPE.VIDEO_CALL);
  }

  // ---- local media --------------------------------------------------------------------------

  async openCamera() {
    try {
      await this._media.openCamera(this._calls.wants());
    } catch (e) {
      throw this._fail(e);
    }
    this._calls.mediaState({ video: true });
  }

  async closeCamera() {
    this._media.closeCamera();
    this._calls.mediaState({ video: false });
  }

  async setMicMute(isMute) {
    this._media.setMicMute(!!isMute);
    this._calls.mediaState({ audio: !isMute });
  }

  /** '240p' … '1080p' or {width, height, frameRate, bitrate}; resolves with the profile. */
  async setVideoQuality(profile) {
    try {
      this._media.setQuality(profile);
    } catch (e) {
      throw this._fail(e);
    }
    return this._media.quality;
  }

  getVideoQuality() {
    return this._media.quality;
  }

  getCameras() {
    return this._media.devices('videoinput');
  }

  getMicrophones() {
    return this._media.devices('audioinput');
  }

  async switchDevice({ deviceType, deviceId } = {}) {
    if (!deviceType || !deviceId) throw this._fail(invalidParams('switchDevice needs {deviceType, deviceId}'));
    try {
      await this._media.switchDevice(deviceType, deviceId);
    } catch (e) {
      throw this._fail(e);
    }
  }

  // ---- views --------------------------------------------------------------------------------

  async startLocalView({ userID, videoViewDomID } = {}) {
    this._view(() => this._views.startLocal(userID || this._userId, videoViewDomID, this._media.stream));
  }

  async stopLocalView() {
    this._views.stopLocal();
  }

  async startRemoteView({ userID, videoViewDomID } = {}) {
    if (!userID) throw this._fail(invalidParams('startRemoteView needs {userID, videoViewDomID}'));
    this._view(() => this._views.startRemote(String(userID), videoViewDomID, this._calls.streamOf(String(userID))));
  }

  async stopRemoteView({ userID } = {}) {
    this._views.stopRemote(String(userID));
  }

  _view(show) {
    try {
      show();
    } catch (e) {
      throw this._fail(invalidParams(e.message));
    }
  }

  // ---- the real package's getters -----------------------------------------------------------

  getCallStatus() {
    const c = this._calls.current;
    return c ? c.status : CALL_STATUS.IDLE;
  }

  isGroupCall() {
    const c = this._calls.current;
    return !!c && c.group;
  }

  isInviter() {
    const c = this._calls.current;
    return !!c && c.isInviter;
  }

  getInviteeList() {
    const c = this._calls.current;
    return c ? [...c.invitees] : [];
  }

  getUnHandledInviteeList() {
    const c = this._calls.current;
    return c ? [...c.unhandled] : [];
  }

  getGroupID() {
    const c = this._calls.current;
    return (c && c.groupId) || '';
  }

  getUserID() {
    return this._userId;
  }

  /** The current (or last) call's type; CALL_TYPE.UNKNOWN before any. */
  getCallType() {
    return this._calls.lastType;
  }

  getRemoteStreamCount() {
    return this._calls.remoteStreamCount();
  }

  hasRemoteConnectedUsers() {
    return this.getRemoteStreamCount() > 0;
  }

  /** Who placed the current (or last) call. */
  getInviterID() {
    return this._calls.lastInviter;
  }

  /** The invitation this user sent, while nobody has answered it yet. */
  getInviterInviteID() {
    const c = this._calls.current;
    return c ? [...c.inviteIds] : [];
  }

  /** False while a switch between audio and video is on its way. */
  getSwitchCallModeStatus() {
    return !this._calls.switching;
  }

  extractCallingInfoFromMessage(message) {
    return extractCallingInfoFromMessage(message);
  }

  /** Not API (for debugging and the browser tests): each member's peer connection {pc, stream}. */
  get _peers() {
    return this._calls.transports ? this._calls.transports.peers.peers : new Map();
  }

  /** Not API: the SFU transport {pc, users, node, ...}, or null. */
  get _sfu() {
    return this._calls.transports ? this._calls.transports.sfu.current : null;
  }
}

// Assigned, not static fields: older bundlers (webpack 4, Babel 6 era) parse the ES module too.
TRTCCalling.EVENT = EVENT;
TRTCCalling.CALL_TYPE = CALL_TYPE;
TRTCCalling.CALL_STATUS = CALL_STATUS;
TRTCCalling.ERROR_CODE = ERROR_CODE;
TRTCCalling.LOG_LEVEL = LOG_LEVEL;
TRTCCalling.VIDEO_PROFILES = VIDEO_PROFILES;
TRTCCalling.VERSION = VERSION;

export { TRTCCalling, EVENT, CALL_TYPE, CALL_STATUS, ERROR_CODE, LOG_LEVEL };
