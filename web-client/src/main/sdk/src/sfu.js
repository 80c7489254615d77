import { sfuIceServers, videoCodecNames } from './codecs.js';

/** How long a join may go unanswered before asking again (the node may have just died). */
const OFFER_WAIT_MS = 10000;
const REFUSED_RETRY_MS = 1000;
const UNAVAILABLE_RETRY_MS = 2000;
/** 'disconnected' this long counts as failed (Chrome says 'failed' only after about 30 s). */
const DISCONNECTED_MS = 5000;
/**
 * Transports in a row that never connected (ICE cannot reach the SFU from this browser): each
 * next join waits twice as long (1, 2, 4, 8 s, give or take a quarter), and after this many the
 * SDK stops and tells the app (ERROR 61010) instead of offering the others new media forever.
 */
export const MAX_UNCONNECTED_TRANSPORTS = 5;
const BACKOFF_FIRST_MS = 1000;
/** An answered transport not connected this long has failed (no usable candidate: ICE may never say so). */
const CONNECT_WAIT_MS = 10000;
const BACKOFF_MAX_MS = 8000;

/** The wait before the next join after {@code n} transports in a row never connected (jittered). */
export function backoffMs(n, random = Math.random) {
  const base = Math.min(BACKOFF_FIRST_MS * 2 ** (n - 1), BACKOFF_MAX_MS);
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * A call's media through the SFU (docs/protocol.md, "Group calls through the SFU"): one
 * transport at a time, which the SFU offers and we only answer, so offers never collide. Our
 * tracks go on the m-lines it receives; each other member's come on the others, their stream id
 * being their userID. A transport that fails, is gone, or whose join goes unanswered is replaced
 * by a fresh join; each join names its transport, so frames about a replaced one are ignored.
 *
 * The owner gives {@code send(frame)} (callId added by it), {@code iceServers()},
 * {@code localStream()}, {@code accepts(userID)}, and hears {@code onTrack(userID, track, stream)}
 * and {@code onGiveUp()} (no transport could connect: joining stopped).
 */
export class SfuClient {
  constructor({ me, logger, policy, videoCodec, send, iceServers, localStream, accepts, onTrack, onGiveUp }) {
    this._me = me;
    this._log = logger;
    this._policy = policy;
    this._videoCodec = videoCodec;
    this._send = send;
    this._iceServers = iceServers;
    this._localStream = localStream;
    this._accepts = accepts;
    this._onTrack = onTrack;
    this._onGiveUp = onGiveUp || (() => {});
    /** Transports in a row that failed before ever connecting; 0 again once one connects. */
    this.unconnected = 0;
    /** The live transport: {id, pc, users, own, queue, retry, offerWait, offered, node, connected, connectWait}. */
    this.current = null;
    /**
     * The connect wait and the back-off are multiplied by this: a browser test of the whole
     * give-up path sets it below 1 instead of waiting about a minute (the schedule itself is unit-tested).
     */
    this.timeScale = 1;
    /** sfu-unavailable is told to the app once per call. */
    this._unavailableTold = false;
  }

  streamOf(userId) {
    const u = this.current && this.current.users.get(userId);
    return u ? u.stream : null;
  }

  /** Asks for a (fresh) transport to the call's SFU. */
  join() {
    this.close();
    const pc = new RTCPeerConnection({ iceServers: sfuIceServers(this._iceServers(), this._policy), iceTransportPolicy: this._policy,
      bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    const s = { pc, users: new Map(), own: [], queue: Promise.resolve(), retry: null, offerWait: null, offered: false, node: null,
      connected: false, connectWait: null,
      id: Math.random().toString(36).slice(2, 12) + Date.now().toString(36) };
    this.current = s;
    pc.ontrack = ({ track, streams }) => {
      const userId = streams && streams[0] && streams[0].id;
      if (!userId || userId === this._me || this.current !== s || !this._accepts(userId)) return;
      let u = s.users.get(userId);
      if (!u) {
        u = { stream: new MediaStream() };
        s.users.set(userId, u);
      }
      u.stream.getTracks().filter((t) => t.kind === track.kind).forEach((t) => u.stream.removeTrack(t));
      u.stream.addTrack(track);
      this._onTrack(userId, track, u.stream);
    };
    pc.onconnectionstatechange = () => {
      this._log.info(`media with the SFU: ${pc.connectionState}`);
      // The node went away (or the path did): ask again, and signaling moves the room if the node is dead.
      const state = pc.connectionState;
      if (state === 'connected' && this.current === s) {
        s.connected = true;
        this.unconnected = 0;
      }
      if (state === 'failed' || state === 'disconnected') this._failed(s, state === 'failed' ? REFUSED_RETRY_MS : DISCONNECTED_MS);
    };
    this._send({ type: 'sfu-join', transport: s.id, videoCodecs: videoCodecNames(this._videoCodec) });
    s.offerWait = setTimeout(() => { if (this.current === s && !s.offered) this.join(); }, OFFER_WAIT_MS);
  }

  /**
   * The transport failed: join again after {@code wait}, or, if it never connected (this browser
   * cannot reach the SFU), after a back-off, stopping at last and telling the owner.
   */
  _failed(s, wait) {
    if (this.current !== s || s.retry) return;
    if (!s.connected) {
      this.unconnected += 1;
      if (this.unconnected >= MAX_UNCONNECTED_TRANSPORTS) {
        this._log.warn(`media with the SFU: ${this.unconnected} transports in a row never connected; giving up`);
        this.close();
        this._onGiveUp();
        return;
      }
      wait = backoffMs(this.unconnected) * this.timeScale;
    }
    s.retry = setTimeout(() => {
      s.retry = null;
      if (this.current === s && s.pc.connectionState !== 'connected') this.join();
    }, wait);
  }

  /** sfu-offer: answered in order; one for a transport we replaced is ignored. */
  onOffer(f) {
    const s = this.current;
    if (!s || (f.transport && f.transport !== s.id)) return;
    s.offered = true;
    if (f.node) s.node = f.node;
    s.queue = s.queue.then(() => this._answer(s, f.sdp)).catch((e) => this._log.warn('SFU offer', e));
  }

  /**
   * sfu-gone: our transport ended, so a fresh one. Not if the SFU names another of ours (one we
   * replaced), nor, when signaling says a dead node's transports are gone, if we are already on
   * another node or still waiting for our first offer (if that never comes, the offer timer joins again).
   */
  onGone(f) {
    const s = this.current;
    const ours = f.transport ? s && f.transport === s.id : !s || !f.node || s.node === f.node;
    if (ours) this.join();
  }

  /**
   * An SFU error frame: 'retry' (handled here: a refused answer or no SFU node, tried again),
   * 'tell' (the app should hear it), or 'quiet' (handled, already told).
   */
  onError(code) {
    const s = this.current;
    if (code === 'sfu-refused') {
      // The SFU refused our answer (it no longer matched its offer): start over, once a second at most.
      if (s && !s.retry) s.retry = setTimeout(() => { if (this.current === s) this.join(); }, REFUSED_RETRY_MS);
      return 'quiet';
    }
    if (code === 'sfu-codec' || code === 'sfu-full') {
      if (s) clearTimeout(s.offerWait); // joining again would not help
      return 'tell';
    }
    if (code === 'sfu-unavailable') {
      // No live SFU node right now (one is restarting, say): again every 2 s, telling the app once per call.
      if (s && !s.retry) s.retry = setTimeout(() => { if (this.current === s) this.join(); }, UNAVAILABLE_RETRY_MS);
      if (this._unavailableTold) return 'quiet';
      this._unavailableTold = true;
      return 'tell';
    }
    return null;
  }

  /** A camera or microphone track changed (null: the camera is off). */
  replaceTrack(kind, track) {
    const s = this.current;
    if (!s) return;
    const t = s.own.find((x) => x.receiver.track.kind === kind);
    if (t) t.sender.replaceTrack(track).catch((e) => this._log.warn(e));
  }

  setIceServers(servers) {
    const s = this.current;
    if (!s) return;
    try {
      s.pc.setConfiguration({ ...s.pc.getConfiguration(), iceServers: sfuIceServers(servers, this._policy) });
    } catch (e) {
      this._log.debug('setConfiguration', e);
    }
  }

  /** A member left: their tracks go (their m-lines stay, inactive, until the next offer). */
  forget(userId) {
    const s = this.current;
    const u = s && s.users.get(userId);
    if (!u) return;
    s.users.delete(userId);
    u.stream.getTracks().forEach((t) => u.stream.removeTrack(t));
  }

  close() {
    const s = this.current;
    if (!s) return;
    this.current = null;
    clearTimeout(s.retry);
    clearTimeout(s.offerWait);
    clearTimeout(s.connectWait);
    for (const u of s.users.values()) u.stream.getTracks().forEach((t) => u.stream.removeTrack(t));
    s.pc.close();
  }

  async _answer(s, sdp) {
    if (this.current !== s) return;
    const pc = s.pc;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const own = sdp.split(/\r?\nm=/).slice(1).filter((m) => /\r?\na=recvonly/.test(m))
      .map((m) => (m.match(/\r?\na=mid:(\S+)/) || [])[1]);
    s.own = pc.getTransceivers().filter((t) => own.includes(t.mid));
    const local = this._localStream();
    for (const t of s.own) {
      const kind = t.receiver.track.kind;
      const track = local && local.getTracks().find((x) => x.kind === kind);
      if (track && t.sender.track !== track) await t.sender.replaceTrack(track);
      t.direction = 'sendonly'; // even without a track yet (camera off): one comes by replaceTrack
    }
    await pc.setLocalDescription(await pc.createAnswer());
    if (this.current !== s) return;
    this._send({ type: 'sfu-answer', sdp: pc.localDescription.sdp });
    if (!s.connectWait) s.connectWait = setTimeout(() => { if (!s.connected) this._failed(s, REFUSED_RETRY_MS); }, CONNECT_WAIT_MS * this.timeScale);
  }
}
