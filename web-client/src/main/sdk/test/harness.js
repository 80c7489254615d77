import TRTCCalling from '../src/index.js';
import { FakeSocket, settle } from './fakes.js';

export const APP = 1400000000;

/** Every client made, logged out after each test (so no timer of theirs outlives it). */
const clients = [];

export async function logoutAll() {
  for (const c of clients.splice(0)) await c.sdk.logout().catch(() => {});
}

/**
 * A logged-in SDK whose signaling the test plays: `events` records every event but the volume
 * ticks, `push(frame)` is a server frame, `sent(type)` what the SDK sent.
 */
export async function client(userId, options = {}) {
  const sdk = new TRTCCalling({ SDKAppID: APP, ...options });
  sdk.setLogLevel(TRTCCalling.LOG_LEVEL.NONE);
  const events = [];
  for (const name of new Set(Object.values(TRTCCalling.EVENT))) {
    if (name !== TRTCCalling.EVENT.USER_VOICE_VOLUME) sdk.on(name, (payload) => events.push([name, payload]));
  }
  const before = FakeSocket.all.length;
  await sdk.login({ userID: userId, userSig: `sig-${userId}` });
  const ws = FakeSocket.all[before];
  const c = {
    sdk,
    ws,
    events,
    /** Event names, in order, after SDK_READY; availability and volume left out unless asked. */
    names(all = false) {
      return events.map((e) => e[0]).filter((n) => n !== TRTCCalling.EVENT.SDK_READY)
        .filter((n) => all || (n !== TRTCCalling.EVENT.USER_VIDEO_AVAILABLE && n !== TRTCCalling.EVENT.USER_AUDIO_AVAILABLE));
    },
    payload(name) {
      const e = events.find((x) => x[0] === name);
      if (!e) throw new Error(`no ${name} in ${JSON.stringify(events.map((x) => x[0]))}`);
      return e[1];
    },
    async push(...frames) {
      for (const f of frames) {
        ws.push(f);
        await settle();
      }
    },
    sent(type) {
      return ws.sent.filter((f) => f.type === type);
    },
  };
  clients.push(c);
  return c;
}

/** The invited frame signaling sends a callee. */
export function invited(callId, caller, userIds, { groupId = null, callType = 'video', media = 'p2p', ringing } = {}) {
  const f = { type: 'invited', callId, caller, callType, groupId, media, userIds, timeoutSeconds: 30 };
  if (ringing) f.ringing = ringing;
  return f;
}

/** An SDP offer from a member, with their audio and video. */
export function offerFrom(callId, from) {
  return { type: 'sdp', callId, from, description: { type: 'offer', sdp: 'v=0 m=audio m=video' } };
}

/** An SFU offer: our own m-lines (which it receives), then each member's audio and video. */
export function sfuOffer(callId, members, transport) {
  const lines = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=recvonly', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=recvonly'];
  members.forEach((m, i) => lines.push(
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', `a=mid:${2 + 2 * i}`, `a=msid:${m} ${m}-audio`, 'a=sendonly',
    'm=video 9 UDP/TLS/RTP/SAVPF 96', `a=mid:${3 + 2 * i}`, `a=msid:${m} ${m}-video`, 'a=sendonly'));
  return { type: 'sfu-offer', callId, sdp: lines.join('\r\n'), node: 'relay-1', transport };
}

export { settle };
