/*
 * Just enough of a browser for the SDK to run in Node: a WebSocket whose other end the test
 * plays (answering requests as signaling would, unless told otherwise), RTCPeerConnection,
 * MediaStream and tracks, getUserMedia, and a DOM of plain objects. Installed on globalThis.
 */

export class FakeTrack {
  constructor(kind) {
    this.kind = kind;
    this.id = `${kind}-${FakeTrack.next++}`;
    this.enabled = true;
    this.readyState = 'live';
  }

  stop() {
    this.readyState = 'ended';
  }

  applyConstraints(c) {
    this.constraints = c;
    return Promise.resolve();
  }
}
FakeTrack.next = 1;

export class FakeStream {
  constructor(tracks = [], id) {
    this.id = id || `stream-${FakeStream.next++}`;
    this._tracks = [...tracks];
  }

  getTracks() { return [...this._tracks]; }

  getAudioTracks() { return this._tracks.filter((t) => t.kind === 'audio'); }

  getVideoTracks() { return this._tracks.filter((t) => t.kind === 'video'); }

  addTrack(t) { if (!this._tracks.includes(t)) this._tracks.push(t); }

  removeTrack(t) { this._tracks = this._tracks.filter((x) => x !== t); }
}
FakeStream.next = 1;

/** A peer connection that negotiates with itself: descriptions are data, tracks arrive as the SDP lists them. */
export class FakePeerConnection {
  constructor(config) {
    this.config = config;
    this.signalingState = 'stable';
    this.connectionState = 'new';
    this.localDescription = null;
    this.remoteDescription = null;
    this.transceivers = [];
    this.candidates = [];
    this.closed = false;
    FakePeerConnection.all.push(this);
  }

  addTrack(track) {
    const sender = { track, replaceTrack: (t) => { sender.track = t; return Promise.resolve(); } };
    this.transceivers.push({ mid: String(this.transceivers.length), sender, receiver: { track: new FakeTrack(track.kind) }, direction: 'sendrecv' });
    if (!this._negotiating) {
      this._negotiating = true;
      setTimeout(() => {
        this._negotiating = false;
        if (!this.closed && this.onnegotiationneeded) this.onnegotiationneeded();
      }, 0);
    }
    return sender;
  }

  getTransceivers() { return this.transceivers; }

  getConfiguration() { return this.config; }

  setConfiguration(c) { this.config = c; }

  async setLocalDescription(d) {
    const type = d ? d.type : (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    this.localDescription = { type, sdp: (d && d.sdp) || `v=0 ${type} ${this.transceivers.map((t) => `m=${t.sender.track ? t.sender.track.kind : 'x'}`).join(' ')}` };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
  }

  async createAnswer() {
    return { type: 'answer', sdp: 'v=0 answer' };
  }

  async setRemoteDescription(d) {
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    // Tracks as the SDP lists them: an m-section the other side only receives (a=recvonly) is
    // ours to send on; any other brings a track, its stream named by a=msid (as the SFU does).
    for (const section of String(d.sdp).split(/(?:^|\r?\n|\s)m=/).slice(1)) {
      const kind = section.startsWith('audio') ? 'audio' : section.startsWith('video') ? 'video' : null;
      if (!kind) continue;
      const mid = (section.match(/a=mid:(\S+)/) || [])[1] || String(this.transceivers.length);
      const msid = (section.match(/a=msid:(\S+)/) || [])[1];
      const track = new FakeTrack(kind);
      if (d.type === 'offer' && !this.transceivers.some((t) => t.mid === mid)) {
        const sender = { track: null, replaceTrack: (t) => { sender.track = t; return Promise.resolve(); } };
        this.transceivers.push({ mid, sender, receiver: { track }, direction: 'recvonly' });
      }
      if (!/a=recvonly/.test(section) && this.ontrack) this.ontrack({ track, streams: [new FakeStream([track], msid)] });
    }
  }

  async addIceCandidate(c) { this.candidates.push(c); }

  restartIce() { this.restarted = true; }

  close() {
    this.closed = true;
    this.connectionState = 'closed';
  }

  /** The test says the connection changed state. */
  state(s) {
    this.connectionState = s;
    if (this.onconnectionstatechange) this.onconnectionstatechange();
  }
}
FakePeerConnection.all = [];

/**
 * The socket; `server` answers each request the SDK sends (login-ok, invite-ok with the next
 * callId, <type>-ok) unless a handler for its type is set, and records every frame.
 */
export class FakeSocket {
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
    setTimeout(() => {
      if (FakeSocket.refuse) {
        const { code, reason } = FakeSocket.refuse;
        this.readyState = 3;
        if (this.onclose) this.onclose({ code, reason });
        return;
      }
      this.readyState = 1;
      if (this.onopen) this.onopen();
    }, 0);
  }

  send(text) {
    const f = JSON.parse(text);
    this.sent.push(f);
    const answer = (FakeSocket.handlers[f.type] || defaultAnswer)(f, this);
    if (answer) setTimeout(() => this.push({ ...answer, id: f.id }), 0);
  }

  /** A frame from the server. */
  push(frame) {
    if (this.readyState === 1 && this.onmessage) this.onmessage({ data: JSON.stringify(frame) });
  }

  close(code = 1000, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    const handler = this.onclose;
    if (handler) setTimeout(() => handler({ code, reason }), 0);
  }
}
FakeSocket.CONNECTING = 0;
FakeSocket.OPEN = 1;
FakeSocket.CLOSING = 2;
FakeSocket.CLOSED = 3;
FakeSocket.all = [];
FakeSocket.handlers = {};
FakeSocket.refuse = null;
FakeSocket.nextCall = 1;

function defaultAnswer(f) {
  switch (f.type) {
    case 'login':
      return { type: 'login-ok', sessionId: f.resume || `s-${f.userId}`, resumed: !!f.resume, iceServers: [{ urls: ['turn:relay:8687?transport=tcp'], username: 'u', credential: 'c' }] };
    case 'invite':
      return { type: 'invite-ok', callId: `call-${FakeSocket.nextCall++}`, media: FakeSocket.media || 'p2p' };
    case 'sdp': case 'ice': case 'media': case 'sfu-join': case 'sfu-answer':
      return null;
    default:
      return { type: `${f.type}-ok` };
  }
}

class FakeElement {
  constructor(tag, id) {
    this.tagName = tag;
    this.id = id;
    this.children = [];
    this.attributes = {};
    this.style = {};
    this.srcObject = null;
    this.parent = null;
  }

  appendChild(c) { c.parent = this; this.children.push(c); return c; }

  remove() { if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this); this.parent = null; }

  setAttribute(k, v) { this.attributes[k] = String(v); }

  play() { return Promise.resolve(); }
}

/** Puts the fakes on globalThis (again: a fresh state for each test). */
export function install() {
  FakeSocket.all = [];
  FakeSocket.handlers = {};
  FakeSocket.refuse = null;
  FakeSocket.media = null;
  FakeSocket.nextCall = 1;
  FakePeerConnection.all = [];
  const elements = new Map();
  const devices = [
    { kind: 'audioinput', deviceId: 'mic-1', groupId: 'g', label: 'Fake microphone' },
    { kind: 'videoinput', deviceId: 'cam-1', groupId: 'g', label: 'Fake camera' },
  ];
  const media = {
    devices,
    requests: [],
    refuse: null,
    getUserMedia: async (c) => {
      media.requests.push(c);
      if (media.refuse) throw media.refuse;
      const tracks = [];
      if (c.audio) tracks.push(new FakeTrack('audio'));
      if (c.video) tracks.push(new FakeTrack('video'));
      return new FakeStream(tracks);
    },
    enumerateDevices: async () => devices,
  };
  const globals = {
    WebSocket: FakeSocket,
    RTCPeerConnection: FakePeerConnection,
    MediaStream: FakeStream,
    location: { origin: 'http://localhost:8080' },
    navigator: { mediaDevices: media, userAgent: 'node' },
    document: {
      getElementById: (id) => elements.get(id) || null,
      createElement: (tag) => new FakeElement(tag),
    },
  };
  for (const [k, v] of Object.entries(globals)) {
    Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  }
  return {
    media,
    /** An element the app would have in its page. */
    element(id) {
      const el = new FakeElement('div', id);
      elements.set(id, el);
      return el;
    },
  };
}

/** Lets timers of 0 ms and promise chains run (the SDK's own steps, the fake server's answers). */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
