import { LOG_LEVEL } from './constants.js';

/** Console output at or above a level (WARN by default), tagged. */
export class Logger {
  constructor(level = LOG_LEVEL.WARN) {
    this.level = level;
  }

  setLevel(level) {
    const n = Number(level);
    if (Number.isFinite(n)) this.level = n;
  }

  debug(...args) { this._out(LOG_LEVEL.DEBUG, args); }

  info(...args) { this._out(LOG_LEVEL.INFO, args); }

  warn(...args) { this._out(LOG_LEVEL.WARN, args); }

  error(...args) { this._out(LOG_LEVEL.ERROR, args); }

  _out(level, args) {
    if (level < this.level || typeof console === 'undefined') return;
    const out = level >= LOG_LEVEL.ERROR ? console.error : level >= LOG_LEVEL.WARN ? console.warn : console.log;
    out('[TRTCCalling]', ...args);
  }
}
