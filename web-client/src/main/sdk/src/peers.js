import { preferVideoCodec } from './codecs.js';

const CANDIDATE_BATCH_MS = 50;

/**
 * Peer-to-peer media: one RTCPeerConnection per other member (a full mesh in a group call).
 * Whoever is in the call when another joins offers to the newcomer; renegotiation (a camera
 * added to an audio call) uses perfect negotiation, the user with the greater userID polite.
 * Candidates go out in batches (one frame per 50 ms per peer: signaling limits frames per second).
 *
 * The owner gives: {@code send(frame)} (callId added by it), {@code iceServers()},
 * {@code localStream()}, {@code accepts(userID)} (false for a member who left: their late
 * frames are dropped), and hears {@code onTrack(userID, track, stream)} and
 * {@code onOfferFrom(userID)} (the newcomer learns of each member by their offer).
 */
export class PeerMesh {
  constructor({ me, logger, policy, videoCodec, send, iceServers, localStream, accepts, onTrack, onOfferFrom }) {
    this._me = me;
    this._log = logger;
    this._policy = policy;
    this._videoCodec = videoCodec;
    this._send = send;
    this._iceServers = iceServers;
    this._localStream = localStream;
    this._accepts = accepts;
    this._onTrack = onTrack;
    this._onOfferFrom = onOfferFrom;
    this.peers = new Map();
  }

  get size() {
    return this.peers.size;
  }

  streamOf(userId) {
    const p = this.peers.get(userId);
    return p ? p.stream : null;
  }

  /** Opens media to a member who joined: we add our tracks, so we offer. */
  connect(userId) {
    this._addTracks(this._peer(userId));
  }

  /** An SDP description from a member, handled in arrival order with their other frames. */
  onDescription(from, description) {
    this._queue(from, () => this._description(from, description));
  }

  onCandidate(from, candidate) {
    this._queue(from, () => this._candidate(from, candidate));
  }

  /** Capture started after some peers were made (someone joined while the camera opened). */
  addLocalTracks() {
    for (const p of this.peers.values()) this._addTracks(p);
  }

  /** A camera or microphone track changed (null: the camera is off). */
  replaceTrack(kind, track) {
    for (const p of this.peers.values()) {
      const sender = p.pc.getTransceivers().map((t) => t.sender)
        .find((s) => (s.track && s.track.kind === kind) || p.senderKinds.get(s) === kind);
      if (sender) {
        sender.replaceTrack(track).catch((e) => this._log.warn(e));
      } else if (track) {
        p.senderKinds.set(p.pc.addTrack(track, this._localStream()), kind); // renegotiates
        this._preferCodec(p);
      }
    }
  }

  /** New TURN credentials, for ICE restarts of live connections. */
  setIceServers(servers) {
    for (const p of this.peers.values()) {
      try {
        p.pc.setConfiguration({ ...p.pc.getConfiguration(), iceServers: servers });
      } catch (e) {
        this._log.debug('setConfiguration', e);
      }
    }
  }

  disconnect(userId) {
    const p = this.peers.get(userId);
    if (!p) return;
    this.peers.delete(userId);
    clearTimeout(p.candidateTimer);
    p.pc.close();
    p.stream.getTracks().forEach((t) => t.stop());
  }

  closeAll() {
    for (const u of [...this.peers.keys()]) this.disconnect(u);
  }

  _peer(userId) {
    let p = this.peers.get(userId);
    if (p) return p;
    const pc = new RTCPeerConnection({ iceServers: this._iceServers(), iceTransportPolicy: this._policy, bundlePolicy: 'max-bundle' });
    p = { pc, stream: new MediaStream(), makingOffer: false, ignoreOffer: false, polite: this._me > userId,
      queue: Promise.resolve(), senderKinds: new Map(), candidates: [], candidateTimer: null, early: [], tracksAdded: false };
    this.peers.set(userId, p);
    pc.onnegotiationneeded = async () => {
      try {
        p.makingOffer = true;
        await pc.setLocalDescription();
        this._send({ type: 'sdp', to: userId, description: pc.localDescription });
      } catch (e) {
        this._log.warn('offer', e);
      } finally {
        p.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate || this.peers.get(userId) !== p) return;
      p.candidates.push(candidate.toJSON ? candidate.toJSON() : candidate);
      if (!p.candidateTimer) {
        p.candidateTimer = setTimeout(() => {
          p.candidateTimer = null;
          const batch = p.candidates;
          p.candidates = [];
          if (this.peers.get(userId) === p && batch.length) {
            this._send({ type: 'ice', to: userId, candidate: batch.length === 1 ? batch[0] : batch });
          }
        }, CANDIDATE_BATCH_MS);
      }
    };
    pc.ontrack = ({ track }) => {
      p.stream.addTrack(track);
      this._onTrack(userId, track, p.stream);
    };
    pc.onconnectionstatechange = () => {
      this._log.info(`media with ${userId}: ${pc.connectionState}`);
      if (pc.connectionState === 'failed') pc.restartIce();
    };
    return p;
  }

  _addTracks(p) {
    const stream = this._localStream();
    if (!stream || p.tracksAdded) return;
    p.tracksAdded = true;
    for (const t of stream.getTracks()) p.senderKinds.set(p.pc.addTrack(t, stream), t.kind);
    this._preferCodec(p);
  }

  _preferCodec(p) {
    for (const t of p.pc.getTransceivers()) {
      if (t.sender.track && t.sender.track.kind === 'video') preferVideoCodec(t, this._videoCodec);
    }
  }

  /** Runs a peer's signaling steps one at a time, in arrival order. */
  _queue(userId, step) {
    if (!this.peers.has(userId) && !this._accepts(userId)) return; // late, from someone gone
    const p = this._peer(userId);
    p.queue = p.queue.then(step).catch((e) => this._log.warn(`signaling with ${userId}`, e));
  }

  /** Perfect negotiation (the polite side rolls back on a collision). */
  async _description(from, description) {
    const p = this.peers.get(from);
    if (!p || !description) return;
    const pc = p.pc;
    const collision = description.type === 'offer' && (p.makingOffer || pc.signalingState !== 'stable');
    p.ignoreOffer = !p.polite && collision;
    if (p.ignoreOffer) return;
    await pc.setRemoteDescription(description);
    for (const cand of p.early.splice(0)) {
      await pc.addIceCandidate(cand).catch((e) => this._log.debug('candidate', e));
    }
    if (description.type === 'offer') {
      this._addTracks(p); // after the offer: the tracks fill the transceivers it created
      await pc.setLocalDescription();
      this._send({ type: 'sdp', to: from, description: pc.localDescription });
      this._onOfferFrom(from);
    }
  }

  async _candidate(from, candidate) {
    const p = this.peers.get(from);
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
}
