const INTERVAL_MS = 500;

/**
 * Speaking volume (0-100) of the local user and each remote one, measured from their audio
 * every 500 ms while in a call and handed to {@code onVolumes([{userId, audioVolume}])}.
 * Without Web Audio (an old browser, or Node) it stays silent.
 */
export class VolumeMeter {
  constructor({ logger, onVolumes }) {
    this._log = logger;
    this._onVolumes = onVolumes;
    this._context = null;
    this._analysers = new Map();
    this._timer = null;
  }

  start(userId, stream) {
    if (this._timer || typeof AudioContext === 'undefined') return;
    try {
      this._context = new AudioContext();
      if (this._context.state === 'suspended') this._context.resume().catch(() => {});
    } catch (e) {
      return;
    }
    this.watch(userId, stream);
    this._timer = setInterval(() => this._measure(), INTERVAL_MS);
  }

  watch(userId, stream) {
    if (!this._context || !stream || !stream.getAudioTracks().length || this._analysers.has(userId)) return;
    try {
      const a = this._context.createAnalyser();
      a.fftSize = 256;
      this._context.createMediaStreamSource(stream).connect(a);
      this._analysers.set(userId, a);
    } catch (e) {
      this._log.debug('volume', e);
    }
  }

  forget(userId) {
    this._analysers.delete(userId);
  }

  stop() {
    clearInterval(this._timer);
    this._timer = null;
    this._analysers = new Map();
    if (this._context) this._context.close().catch(() => {});
    this._context = null;
  }

  _measure() {
    const volumeMap = [];
    for (const [userId, a] of this._analysers) {
      const data = new Uint8Array(a.fftSize);
      a.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
      volumeMap.push({ userId, audioVolume: Math.min(100, Math.round(peak / 128 * 100)) });
    }
    if (volumeMap.length) this._onVolumes(volumeMap);
  }
}
