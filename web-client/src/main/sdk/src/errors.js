import { ERROR_CODE } from './constants.js';

/**
 * What a failing method rejects with and what the ERROR event carries: {code, msg} as the real
 * package gives them, message (the same text) as an Error has, and for our own codes the
 * cluster's reason ('expired', 'already-in-call', ...).
 */
export class CallingError extends Error {
  constructor(code, msg, reason) {
    super(msg);
    this.name = 'TRTCCallingError';
    this.code = code;
    this.msg = msg;
    if (reason !== undefined) this.reason = reason;
  }

  /** The real package's error objects answer getCode() too. */
  getCode() {
    return this.code;
  }

  /** The ERROR event's payload. */
  payload() {
    const p = { code: this.code, msg: this.msg, message: this.msg };
    if (this.reason !== undefined) p.reason = this.reason;
    return p;
  }
}

/** Anything thrown, as a CallingError (an unexpected one becomes UNKNOWN with its text). */
export function asCallingError(e, fallback = ERROR_CODE.UNKNOWN) {
  if (e instanceof CallingError) return e;
  return new CallingError(fallback, String((e && e.message) || e));
}

/** Server reasons for a refused login, which no retry can fix. */
const LOGIN_REASONS = new Set(['expired', 'bad-signature', 'wrong-user', 'wrong-app', 'malformed', 'unknown-app',
  'missing-field', 'invalid-field', 'invalid-user-id']);

/** A signaling `error` frame as an error: refused logins and refused call requests have codes of their own. */
export function fromSignaling(code, message, login) {
  if (login && LOGIN_REASONS.has(code)) return new CallingError(ERROR_CODE.LOGIN_REFUSED, message, code);
  if (code === 'sfu-unavailable') return new CallingError(ERROR_CODE.SFU_UNAVAILABLE, message, code);
  if (code === 'sfu-codec' || code === 'sfu-full') return new CallingError(ERROR_CODE.SFU_REFUSED, message, code);
  return new CallingError(login ? ERROR_CODE.LOGIN_REFUSED : ERROR_CODE.CALL_REFUSED, message, code);
}

/**
 * A getUserMedia failure in the real package's terms: no microphone (60003), no camera (60004),
 * refused or failing (60005), no capture API at all (60006). {@code video}: whether a camera was
 * asked for; {@code hasMicrophone}: whether the browser lists one (to tell which device is missing).
 */
export function deviceError(e, video, hasMicrophone) {
  const name = e && e.name;
  const what = `${name || 'Error'}${e && e.message ? `: ${e.message}` : ''}`;
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return video && hasMicrophone
      ? new CallingError(ERROR_CODE.NOT_CAMERA_LIST, `no camera (or not the one asked for) (${what})`)
      : new CallingError(ERROR_CODE.NOT_MICROPHONE_LIST, `no microphone (or not the one asked for) (${what})`);
  }
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new CallingError(ERROR_CODE.NOT_MEDIA_ACCESS, `access to the camera or microphone was refused (${what})`);
  }
  return new CallingError(ERROR_CODE.NOT_MEDIA_ACCESS, `the camera or microphone cannot be started (${what})`);
}

export function notSupported() {
  return new CallingError(ERROR_CODE.NOT_SUPPORT,
    'this page cannot use WebRTC: serve it over HTTPS (or from localhost), in a browser with WebRTC');
}

export function invalidParams(message) {
  return new CallingError(ERROR_CODE.INVALID_PARAMS, message);
}
