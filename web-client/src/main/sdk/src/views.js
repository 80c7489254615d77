/**
 * The media elements: a muted <video> inside the element the app names for each view (local
 * and remote), and for each remote user an <audio> the SDK keeps itself, so an audio call needs
 * no view at all and a video view never echoes.
 */
export class Views {
  constructor() {
    this._local = null;
    this._remote = new Map(); // userID → <video>
    this._audio = new Map(); // userID → <audio>
  }

  /** Shows the local stream (mirrored) in the element with this id. */
  startLocal(userId, domId, stream) {
    const el = video(domId, userId, true);
    this.stopLocal();
    this._local = el;
    this.attachLocal(stream);
  }

  stopLocal() {
    if (this._local) this._local.remove();
    this._local = null;
  }

  attachLocal(stream) {
    if (this._local && stream && this._local.srcObject !== stream) this._local.srcObject = stream;
  }

  startRemote(userId, domId, stream) {
    const el = video(domId, userId, false);
    this.stopRemote(userId);
    this._remote.set(userId, el);
    if (stream) el.srcObject = stream;
  }

  stopRemote(userId) {
    const el = this._remote.get(userId);
    if (el) el.remove();
    this._remote.delete(userId);
  }

  /** A remote user's stream (new or replaced): into their view if the app made one, and their sound on. */
  attachRemote(userId, stream) {
    const el = this._remote.get(userId);
    if (el && el.srcObject !== stream) el.srcObject = stream;
    let audio = this._audio.get(userId);
    if (!audio) {
      audio = document.createElement('audio');
      audio.autoplay = true;
      this._audio.set(userId, audio);
    }
    if (audio.srcObject !== stream) audio.srcObject = stream;
    const played = audio.play && audio.play();
    if (played && played.catch) played.catch(() => {}); // autoplay may wait for a user gesture
  }

  /** The user's media is gone: their view stays (the app removes it), empty. */
  detachRemote(userId) {
    const el = this._remote.get(userId);
    if (el) el.srcObject = null;
    const audio = this._audio.get(userId);
    if (audio) audio.srcObject = null;
    this._audio.delete(userId);
  }

  /** The call is over: every view goes. */
  clear() {
    this.stopLocal();
    for (const el of this._remote.values()) el.remove();
    this._remote.clear();
    for (const a of this._audio.values()) a.srcObject = null;
    this._audio.clear();
  }
}

/** A <video> in the element with this id (which must exist). */
function video(domId, userId, local) {
  const host = typeof document !== 'undefined' && document.getElementById(domId);
  if (!host) throw new RangeError(`no element #${domId}`);
  const el = document.createElement('video');
  el.autoplay = true;
  el.playsInline = true;
  el.muted = true; // sound: the SDK's own <audio>
  el.setAttribute('data-user-id', userId);
  el.style.cssText = `width:100%;height:100%;object-fit:cover${local ? ';transform:scaleX(-1)' : ''}`;
  host.appendChild(el);
  return el;
}
