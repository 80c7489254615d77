import { CALL_TYPE, VIDEO_PROFILES } from './constants.js';
import { deviceError, invalidParams, notSupported } from './errors.js';

/**
 * The local camera and microphone: captured once per call, the camera turned off and on, the
 * microphone muted, devices switched and the video profile changed mid-call. Whoever sends the
 * tracks hears {@code onTrack(kind, track)} when one is replaced (null: the camera is off), and
 * {@code onStarted(stream)} when capture starts.
 */
export class LocalMedia {
  constructor({ logger, onTrack, onStarted }) {
    this._log = logger;
    this._onTrack = onTrack;
    this._onStarted = onStarted;
    this.stream = null;
    this.quality = '480p';
    this._cameraId = undefined;
    this._micId = undefined;
    this._starting = null;
  }

  /** The profile: a name of VIDEO_PROFILES or {width, height, frameRate, bitrate}; a bad one throws. */
  setQuality(profile) {
    if (typeof profile === 'string' ? !VIDEO_PROFILES[profile] : !isProfileObject(profile)) {
      throw invalidParams(`video quality is one of ${Object.keys(VIDEO_PROFILES).join(', ')} or {width, height, frameRate, bitrate}`);
    }
    this.quality = typeof profile === 'string' ? profile : { ...profile };
    const track = this.stream && this.stream.getVideoTracks()[0];
    if (track) track.applyConstraints(this._videoConstraints()).catch((e) => this._log.warn('video quality', e));
  }

  /**
   * Opens camera (for video) and microphone once; a second caller waits for the first.
   * {@code wanted()} is asked when capture is done: false (the call went meanwhile) stops it.
   */
  start(type, wanted) {
    if (this.stream) return Promise.resolve(this.stream);
    if (!this._starting) {
      const video = Number(type) === CALL_TYPE.VIDEO_CALL;
      this._starting = this._capture({
        audio: this._micId ? { deviceId: { exact: this._micId } } : true,
        video: video ? this._videoConstraints() : false,
      }, video).then((stream) => {
        if (!wanted()) {
          stopAll(stream); // the call is gone: no camera left on
          return null;
        }
        this.stream = stream;
        this._onStarted(stream);
        return stream;
      }).finally(() => {
        this._starting = null;
      });
    }
    return this._starting;
  }

  /** Turns the camera on (capturing for the first time if needed). */
  async openCamera(wanted) {
    if (!this.stream) {
      await this.start(CALL_TYPE.VIDEO_CALL, wanted);
      return;
    }
    if (this.stream.getVideoTracks().some((t) => t.readyState === 'live')) return;
    const cam = await this._capture({ video: this._videoConstraints() }, true);
    const track = cam.getVideoTracks()[0];
    if (!wanted() || !this.stream) {
      track.stop(); // the call ended while the camera was opening
      return;
    }
    this.stream.getVideoTracks().forEach((t) => { t.stop(); this.stream.removeTrack(t); });
    this.stream.addTrack(track);
    this._onTrack('video', track);
  }

  /** The camera light goes off; senders send nothing until it is opened again. */
  closeCamera() {
    if (!this.stream) return;
    for (const t of this.stream.getVideoTracks()) {
      t.stop();
      this.stream.removeTrack(t);
    }
    this._onTrack('video', null);
  }

  setMicMute(mute) {
    if (this.stream) this.stream.getAudioTracks().forEach((t) => { t.enabled = !mute; });
  }

  async devices(kind) {
    if (typeof navigator === 'undefined' || !navigator.mediaDevices) return [];
    const all = await navigator.mediaDevices.enumerateDevices();
    return all.filter((d) => d.kind === kind).map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, label: d.label, kind: d.kind }));
  }

  /** The camera ('video') or microphone ('audio') to use, now if capturing. */
  async switchDevice(deviceType, deviceId) {
    const video = deviceType === 'video';
    if (video) this._cameraId = deviceId;
    else this._micId = deviceId;
    if (!this.stream) return;
    const fresh = await this._capture(video ? { video: this._videoConstraints() } : { audio: { deviceId: { exact: deviceId } } }, video);
    const track = video ? fresh.getVideoTracks()[0] : fresh.getAudioTracks()[0];
    const old = video ? this.stream.getVideoTracks() : this.stream.getAudioTracks();
    if (!video && old.length) track.enabled = old[0].enabled; // a muted microphone stays muted
    if (video && !old.length) {
      track.stop(); // the camera is off (or an audio call): the next openCamera uses the new one
      return;
    }
    old.forEach((t) => { t.stop(); this.stream.removeTrack(t); });
    this.stream.addTrack(track);
    this._onTrack(video ? 'video' : 'audio', track);
  }

  /** Capture ends with the call. */
  stop() {
    if (this.stream) stopAll(this.stream);
    this.stream = null;
  }

  _videoConstraints() {
    const q = typeof this.quality === 'string' ? VIDEO_PROFILES[this.quality] : this.quality;
    const v = { width: { ideal: q.width }, height: { ideal: q.height } };
    if (q.frameRate) v.frameRate = { ideal: q.frameRate };
    if (this._cameraId) v.deviceId = { exact: this._cameraId };
    return v;
  }

  async _capture(constraints, video) {
    if (typeof navigator === 'undefined' || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw notSupported();
    }
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (e) {
      const mics = await this.devices('audioinput').catch(() => []);
      throw deviceError(e, video, mics.length > 0);
    }
  }
}

function isProfileObject(p) {
  return !!p && typeof p === 'object' && Number(p.width) > 0 && Number(p.height) > 0;
}

function stopAll(stream) {
  stream.getTracks().forEach((t) => t.stop());
}
