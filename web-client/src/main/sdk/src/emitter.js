/**
 * Listeners by event name, each called with its context ({@code this} in the handler, the
 * TRTCCalling instance when none is given, as in the real package). A handler that throws is
 * logged; the others still run.
 */
export class Emitter {
  constructor(owner, logger, aliases = {}) {
    this._owner = owner;
    this._log = logger;
    this._aliases = aliases;
    this._listeners = new Map();
  }

  on(name, handler, context) {
    if (typeof handler !== 'function') throw new TypeError(`${handler} is not a function`);
    const key = this._name(name);
    if (!this._listeners.has(key)) this._listeners.set(key, []);
    this._listeners.get(key).push({ handler, context: context || this._owner });
  }

  /** Without a handler, every listener of the event goes. */
  off(name, handler, context) {
    const key = this._name(name);
    const list = this._listeners.get(key);
    if (!list) return;
    this._listeners.set(key, handler
      ? list.filter((l) => l.handler !== handler || (context && l.context !== context))
      : []);
  }

  emit(name, payload) {
    this._log.info('event', name, payload);
    for (const { handler, context } of [...(this._listeners.get(name) || [])]) {
      try {
        handler.call(context, payload);
      } catch (e) {
        this._log.error(`a ${name} handler threw`, e);
      }
    }
  }

  _name(name) {
    return Object.prototype.hasOwnProperty.call(this._aliases, name) ? this._aliases[name] : name;
  }
}
