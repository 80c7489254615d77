import { ERROR_CODE } from './constants.js';
import { CallingError, fromSignaling } from './errors.js';

/** Login errors worth another try (the cluster was briefly unavailable). */
const RETRY_LOGIN = new Set(['presence-unavailable', 'unavailable', 'conflict']);

/** Close codes after which there is no reconnecting: kicked (4001), taken over by a resume elsewhere (4002). */
const FINAL_CLOSE = new Set([4001, 4002]);

/** Frames held while the socket is away; beyond this the oldest matter less than the session itself. */
const OUTBOX_LIMIT = 500;

const REQUEST_TIMEOUT_MS = 10000;
const LOGIN_DEADLINE_MS = 15000;

/**
 * The signaling WebSocket (docs/protocol.md): login and resume, requests and their answers,
 * and staying connected. A dropped socket is reconnected with backoff (250 ms doubling to 10 s,
 * ±20 % jitter so a restarted pod's users do not all come back at once) and the session resumed;
 * what is sent meanwhile waits in order and goes out right after the resume.
 *
 * The owner hears: {@code onFrame(frame)} for each server frame that answers no request,
 * {@code onLoggedIn(loginOk)} after each (re)login, {@code onKicked()}, and
 * {@code onSessionEnded(error)} when the session is over for good (not by logout).
 */
export class SignalingClient {
  constructor({ url, logger, onFrame, onLoggedIn, onKicked, onSessionEnded }) {
    this._url = url;
    this._log = logger;
    this._onFrame = onFrame;
    this._onLoggedIn = onLoggedIn;
    this._onKicked = onKicked;
    this._onSessionEnded = onSessionEnded;
    this._ws = null;
    this._credentials = null;
    this._sessionId = null;
    this._online = false; // logged in, and meant to stay so (reconnects while true)
    this._ready = false; // logged in on the current socket: frames may go out
    this._reconnects = 0;
    this._reconnectTimer = null;
    this._nextId = 1;
    this._pending = new Map();
    this._outbox = [];
  }

  get online() {
    return this._online;
  }

  get ready() {
    return this._ready;
  }

  /** Logs in (a fresh session); resolves with login-ok. */
  async login(sdkAppId, userId, userSig) {
    this._credentials = { sdkAppId, userId, userSig };
    this._sessionId = null;
    this._online = true;
    this._reconnects = 0;
    try {
      return await this._connect();
    } catch (e) {
      this._online = false;
      throw e;
    }
  }

  /** Ends the session for good: held frames go first, then logout, then close 1000. */
  async logout() {
    this._online = false;
    clearTimeout(this._reconnectTimer);
    const ws = this._ws;
    if (ws && ws.readyState === WebSocket.OPEN && this._ready) {
      this._flush();
      try {
        await this.request({ type: 'logout' });
      } catch (e) {
        this._log.debug('logout', e);
      }
    }
    if (ws) ws.close(1000);
    this._ws = null;
    this._ready = false;
    this._outbox = [];
    this._sessionId = null;
  }

  /** Sends a frame now, or (reconnecting) after the resume; false if it cannot go at all. */
  send(frame, ws = this._ws) {
    const login = frame.type === 'login';
    if (!login && ws === this._ws && (!this._ready || !ws || ws.readyState !== WebSocket.OPEN)) {
      if (!this._online) return false;
      if (this._outbox.length < OUTBOX_LIMIT) this._outbox.push(frame);
      return true;
    }
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this._log.debug('not sent (not connected)', frame.type);
      return false;
    }
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a request and resolves with its -ok answer, or rejects with its error as a CallingError. */
  request(frame, ws = this._ws) {
    const id = String(this._nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new CallingError(ERROR_CODE.SIGNALING_TIMEOUT, `${frame.type}: no answer from signaling`));
      }, REQUEST_TIMEOUT_MS);
      this._pending.set(id, { resolve, reject, timer, ws, login: frame.type === 'login' });
      if (!this.send({ ...frame, id }, ws)) {
        clearTimeout(timer);
        this._pending.delete(id);
        reject(new CallingError(ERROR_CODE.NO_NETWORK, `${frame.type}: not connected to signaling`));
      }
    });
  }

  _wsUrl() {
    let base = this._url || location.origin;
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
      const ws = new WebSocket(this._wsUrl());
      this._ws = ws;
      this._ready = false;
      let settled = false;
      // A connection that does not get as far as login-ok in time is given up (and retried).
      const deadline = setTimeout(() => {
        if (!settled) ws.close();
      }, LOGIN_DEADLINE_MS);
      ws.onopen = () => {
        const { sdkAppId, userId, userSig } = this._credentials;
        const login = { type: 'login', sdkAppId, userId, userSig };
        if (this._sessionId) login.resume = this._sessionId;
        this.request(login, ws).then((ok) => {
          settled = true;
          clearTimeout(deadline);
          this._sessionId = ok.sessionId;
          this._reconnects = 0;
          this._ready = true;
          this._onLoggedIn(ok);
          this._flush(); // what was asked while the socket was away (a hangup, SDP, ICE)
          this._log.info(ok.resumed ? 'session resumed' : 'logged in');
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
          reject(closedBeforeLogin(ev, this._wsUrl())); // a reconnect's failure is retried by its caller
          return;
        }
        this._onClose(ev, ws);
      };
    });
  }

  _onClose(ev, ws) {
    if (ws !== this._ws) return;
    this._log.info('signaling closed', ev.code, ev.reason);
    if (ev.code === 4001) {
      this._kicked();
      return;
    }
    if (!this._online || FINAL_CLOSE.has(ev.code)) {
      if (this._online) {
        this._ended(new CallingError(ERROR_CODE.SESSION_ENDED,
          `signaling ended the session (${ev.code} ${ev.reason || ''})`.trim(), 'session-ended'));
      }
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    clearTimeout(this._reconnectTimer);
    const delay = Math.min(10000, 250 * 2 ** this._reconnects) * (0.8 + Math.random() * 0.4);
    this._reconnects++;
    this._log.info(`reconnecting in ${Math.round(delay)} ms`);
    this._reconnectTimer = setTimeout(() => {
      if (!this._online) return;
      this._connect().catch((e) => {
        if (!this._online) return;
        if (e.code === ERROR_CODE.LOGIN_REFUSED || e.code === ERROR_CODE.ORIGIN_NOT_ALLOWED
            || (e.code === ERROR_CODE.CALL_REFUSED && !RETRY_LOGIN.has(e.reason))) {
          // The server refused the login itself (an expired UserSig, say): retrying cannot help.
          this._ended(new CallingError(ERROR_CODE.SESSION_ENDED,
            `signaling refused the login (${e.reason || e.code}: ${e.msg})`, 'session-ended'));
        } else {
          this._scheduleReconnect(); // unreachable, timed out, or briefly unavailable: again, later
        }
      });
    }, delay);
  }

  /** Kicked by a login elsewhere: no reconnecting. */
  _kicked() {
    if (!this._online) return;
    this._online = false;
    clearTimeout(this._reconnectTimer);
    this._onKicked();
  }

  _ended(error) {
    this._online = false;
    this._ready = false;
    this._outbox = [];
    clearTimeout(this._reconnectTimer);
    this._onSessionEnded(error);
  }

  _flush() {
    const frames = this._outbox;
    this._outbox = [];
    for (const f of frames) this.send(f);
  }

  _failPending(ws) {
    for (const [id, p] of this._pending) {
      if (p.ws === ws) {
        clearTimeout(p.timer);
        this._pending.delete(id);
        p.reject(new CallingError(ERROR_CODE.NO_NETWORK, 'the connection to signaling was lost'));
      }
    }
  }

  _onMessage(data) {
    let f;
    try {
      f = JSON.parse(data);
    } catch (e) {
      this._log.warn('not JSON from signaling', data);
      return;
    }
    if (!f || typeof f !== 'object') return;
    this._log.debug('<-', f);
    if (f.id) {
      const p = this._pending.get(f.id);
      if (!p) return; // the answer to a request given up on
      this._pending.delete(f.id);
      clearTimeout(p.timer);
      if (f.type === 'error') p.reject(fromSignaling(f.code, f.message, p.login));
      else p.resolve(f);
      return;
    }
    if (f.type === 'kicked') {
      this._kicked();
      return;
    }
    this._onFrame(f);
  }
}

/**
 * Why a socket closed before its login: a refused origin says so (1008 with its reason);
 * otherwise signaling could not be reached.
 */
function closedBeforeLogin(ev, url) {
  if (ev.code === 1008 && /origin/i.test(ev.reason || '')) {
    const origin = typeof location !== 'undefined' ? location.origin : 'this page';
    return new CallingError(ERROR_CODE.ORIGIN_NOT_ALLOWED,
      `signaling refused this page's origin (${origin}): add it to the cluster's ALLOWED_ORIGINS`
      + ' (./run-local --allowed-origin URL)', 'origin-not-allowed');
  }
  return new CallingError(ERROR_CODE.NO_NETWORK,
    `signaling at ${url} closed the connection before login (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
}
