import { ERROR_CODE, EVENT } from './constants.js';
import { CallingError } from './errors.js';
import { PeerMesh } from './peers.js';
import { SfuClient } from './sfu.js';

/**
 * One call's media connections: peer to peer (a mesh) or through the SFU, as the call says. Remote
 * media goes to the views and the volume meter, and is told as USER_VIDEO_AVAILABLE /
 * USER_AUDIO_AVAILABLE; {@code onEnter(userID)} hears of each member whose media (or offer) came.
 *
 * Given: the {@link Call}, the SDK's deps (logger, emit, signaling, media, views, volume,
 * options {policy, videoCodec}), iceServers() and onEnter.
 */
export class CallTransports {
  constructor(call, deps, { iceServers, onEnter }) {
    this._call = call;
    this._deps = deps;
    this._live = true;
    const common = {
      me: call.me, logger: deps.logger, policy: deps.options.policy, videoCodec: deps.options.videoCodec,
      iceServers, localStream: () => deps.media.stream,
      accepts: (u) => this._live && !call.left.has(u),
      send: (frame) => this._live && call.callId && deps.signaling.send({ ...frame, callId: call.callId }),
      onTrack: (u, track, stream) => this._remoteTrack(u, track, stream),
    };
    this._onEnter = onEnter;
    this.peers = new PeerMesh({ ...common, onOfferFrom: (u) => this._live && onEnter(u) });
    this.sfu = new SfuClient({ ...common,
      onGiveUp: () => this._live && deps.fail(new CallingError(ERROR_CODE.SFU_MEDIA_FAILED,
        'no media connection to the SFU could be made from this browser (ICE failed): check the network or firewall to the relay')) });
  }

  /** A member joined: peer to peer, we offer (through the SFU, it sends their media itself). */
  connect(userId) {
    if (this._live && !this._call.sfu) this.peers.connect(userId);
  }

  /** A member left: their connection or SFU tracks, view and sound go. */
  disconnect(userId) {
    this.peers.disconnect(userId);
    this.sfu.forget(userId);
    this._deps.views.detachRemote(userId);
    this._deps.volume.forget(userId);
  }

  /** Our transport to the SFU (again: a fresh one). */
  joinSfu() {
    if (this._live && this._call.sfu) this.sfu.join();
  }

  /** Capture started after some peers were made: they get the tracks now. */
  captureStarted() {
    this.peers.addLocalTracks();
  }

  /** A local track was replaced (null: the camera is off). */
  localTrack(kind, track) {
    this.peers.replaceTrack(kind, track);
    this.sfu.replaceTrack(kind, track);
  }

  setIceServers(servers) {
    this.peers.setIceServers(servers);
    this.sfu.setIceServers(servers);
  }

  streamOf(userId) {
    return this.peers.streamOf(userId) || this.sfu.streamOf(userId) || null;
  }

  /** Members whose media this user receives. */
  remoteStreamCount() {
    const users = new Set([...this.peers.peers.keys(), ...(this.sfu.current ? this.sfu.current.users.keys() : [])]);
    let n = 0;
    for (const u of users) {
      const s = this.streamOf(u);
      if (s && s.getTracks().length) n++;
    }
    return n;
  }

  close() {
    this._live = false;
    this.peers.closeAll();
    this.sfu.close();
  }

  _remoteTrack(userId, track, stream) {
    if (!this._live) return;
    this._deps.views.attachRemote(userId, stream);
    this._onEnter(userId);
    this._deps.volume.watch(userId, stream);
    // The real package tells when a user's video or audio starts; later changes come as media frames.
    if (track.kind === 'video') this._deps.emit(EVENT.USER_VIDEO_AVAILABLE, { userID: userId, isVideoAvailable: true });
    else this._deps.emit(EVENT.USER_AUDIO_AVAILABLE, { userID: userId, isAudioAvailable: true });
  }
}
