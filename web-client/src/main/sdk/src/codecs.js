/**
 * Video codec choices and the ICE servers each kind of transport gets.
 */

/**
 * The video codecs this browser can both send and receive, in its order of preference, the
 * app's choice (videoCodec) first: what the SFU picks a room's one video codec from.
 */
export function videoCodecNames(preferred) {
  let names = [];
  try {
    const recv = new Set(RTCRtpReceiver.getCapabilities('video').codecs.map((c) => c.mimeType.slice(6).toUpperCase()));
    for (const c of RTCRtpSender.getCapabilities('video').codecs) {
      const n = c.mimeType.slice(6).toUpperCase();
      if (recv.has(n) && /^[A-Z0-9]{1,16}$/.test(n) && !['RTX', 'RED', 'ULPFEC'].includes(n) && !names.includes(n)) names.push(n);
    }
  } catch (e) {
    return []; // no capabilities API: the SFU's default
  }
  if (preferred && names.includes(preferred)) names = [preferred, ...names.filter((n) => n !== preferred)];
  return names.slice(0, 8);
}

/** Puts the app's video codec first on a peer-to-peer video transceiver (the browser's order otherwise). */
export function preferVideoCodec(transceiver, preferred) {
  if (!preferred || typeof transceiver.setCodecPreferences !== 'function') return;
  try {
    const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
    const first = codecs.filter((c) => c.mimeType.slice(6).toUpperCase() === preferred);
    if (first.length) transceiver.setCodecPreferences([...first, ...codecs.filter((c) => !first.includes(c))]);
  } catch (e) {
    // An old browser: its own order.
  }
}

/**
 * The ICE servers for the SFU's transport. The SFU answers on the relay's UDP ports, and a
 * browser treats whatever comes from a TURN server's UDP address as TURN's, so its direct checks
 * to the SFU would lose their answers: TURN over TCP only (the way around a network that blocks
 * UDP). Forced through TURN ('relay'), the browser makes no direct checks: every TURN server.
 */
export function sfuIceServers(servers, policy) {
  if (policy === 'relay') return servers || [];
  return (servers || []).map((s) => ({ ...s, urls: [].concat(s.urls || []).filter((u) => /transport=tcp/i.test(u)) }))
    .filter((s) => s.urls.length);
}
