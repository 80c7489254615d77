// A 4-member group call through the SFU with 2 Firefox and 2 Chromium members: one joins mid-call,
// one leaves; a Firefox member on a lossy path gets its NACKs answered, and Firefox senders keep
// to the bitrate the SFU's REMB allows (FirefoxIT runs the relay with SFU_MAX_VIDEO_KBPS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import {
  browsers, NOISY_CAMERA, press, awaitEveryone, awaitMedia, call, framesDecoded, inboundStats, relayMetric, visible,
} from './harness.mjs';

const MAX_VIDEO_KBPS = Number(process.env.SFU_MAX_VIDEO_KBPS || 1500);
const run = browsers();

/** Video bits per second the page sends to the SFU, over this many milliseconds. */
async function sendRate(page, ms) {
  const sent = () => page.evaluate(async () => {
    let bytes = 0;
    (await window.trtcCalling._sfu.pc.getStats()).forEach((x) => {
      if (x.type === 'outbound-rtp' && x.kind === 'video') bytes += x.bytesSent || 0;
    });
    return bytes;
  });
  const b0 = await sent();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((await sent()) - b0) * 8 * 1000 / (Date.now() - t0);
}

test('2 Firefox and 2 Chromium members: one joins mid-call, one leaves, everyone decodes everyone', async () => {
  const f1 = await run.pages.loggedIn(run.ff, 'grp-ff1');
  const c2 = await run.pages.loggedIn(run.cr, 'grp-cr2');
  const f3 = await run.pages.loggedIn(run.ff, 'grp-ff3');
  const c4 = await run.pages.loggedIn(run.cr, 'grp-cr4');
  await call(f1, 'grp-cr2, grp-ff3, grp-cr4', true);
  for (const p of [c2, f3, c4]) await visible(p, '#incoming');
  await press(c2, '#accept-btn');
  await press(f3, '#accept-btn');
  await visible(f1, '#screen-call');
  await awaitEveryone([f1, c2, f3]);
  // The fourth answers while the call is on.
  await press(c4, '#accept-btn');
  await awaitEveryone([f1, c2, f3, c4]);
  assert.equal(await relayMetric('relay_sfu_participants'), 4);

  // A Firefox member leaves; the other three go on.
  await press(f3, '#hangup-btn');
  for (const p of [f1, c2, c4]) {
    await p.waitForSelector('.tile[data-user-id=grp-ff3]', { hidden: true, timeout: 15000 });
  }
  const before = await framesDecoded(c4, 'grp-ff1');
  await awaitMedia(c4, 'grp-ff1', before + 20);
  await awaitMedia(f1, 'grp-cr4', (await framesDecoded(f1, 'grp-cr4')) + 20);
  assert.equal(await relayMetric('relay_sfu_participants'), 3);
  await press(f1, '#hangup-btn');
  await press(c2, '#hangup-btn');
  for (const p of [f1, c2, c4]) await visible(p, '#screen-home'); // the last one alone: the call ends
});

test('a Firefox sender ramps up to the bitrate the SFU\'s REMB allows and keeps under it', async () => {
  const f = await run.pages.loggedIn(run.ff, 'remb-ff', '', NOISY_CAMERA);
  const c1 = await run.pages.loggedIn(run.cr, 'remb-cr1');
  const c2 = await run.pages.loggedIn(run.cr, 'remb-cr2');
  await call(f, 'remb-cr1, remb-cr2', true);
  for (const p of [c1, c2]) {
    await visible(p, '#incoming');
    await press(p, '#accept-btn');
  }
  await awaitEveryone([f, c1, c2]);
  assert.ok((await relayMetric('relay_sfu_remb_sent_total')) > 0, 'the SFU sent REMB');
  // Noise would take far more than the cap: the sender ramps up to it and stays under it.
  let bps = 0;
  for (let i = 0; i < 10 && bps < MAX_VIDEO_KBPS * 1000 * 0.6; i++) bps = await sendRate(f, 2000);
  console.log(`remb-ff ramped up to ${Math.round(bps / 1000)} kbit/s of noise (SFU cap ${MAX_VIDEO_KBPS} kbit/s)`);
  assert.ok(bps > MAX_VIDEO_KBPS * 1000 * 0.6, `the sender ramps up towards the cap: ${Math.round(bps / 1000)} kbit/s`);
  bps = await sendRate(f, 4000);
  console.log(`remb-ff then sent ${Math.round(bps / 1000)} kbit/s`);
  assert.ok(bps < MAX_VIDEO_KBPS * 1000 * 1.2, `the sender keeps to the REMB: ${Math.round(bps / 1000)} kbit/s`);
  await press(c1, '#hangup-btn');
  await press(c2, '#hangup-btn');
  await visible(f, '#screen-home');
});

/**
 * A UDP hop between a browser and the SFU that loses some of the SRTP going to the browser: the
 * browser is told (by rewriting the SFU's candidates in its page) to send here instead.
 */
async function lossyHop(host, sfuPort, loss) {
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  let browser = null;
  let dropped = 0;
  front.on('message', (m, from) => {
    browser = from;
    back.send(m, sfuPort, host);
  });
  back.on('message', (m) => {
    if (!browser) return;
    const rtp = m.length > 12 && (m[0] & 0xc0) === 0x80 && !(m[1] >= 192 && m[1] <= 223);
    if (rtp && Math.random() < loss) {
      dropped++;
      return;
    }
    front.send(m, browser.port, browser.address);
  });
  await Promise.all([new Promise((r) => front.bind(0, host, r)), new Promise((r) => back.bind(0, host, r))]);
  return { port: front.address().port, dropped: () => dropped, close: () => { front.close(); back.close(); } };
}

test('a Firefox member on a lossy path gets its NACKs answered and keeps decoding', async () => {
  const g = await run.pages.loggedIn(run.cr, 'nack-cr');
  // Find where the SFU listens from the first SFU offer this page gets, then put the hop there.
  const hop = { current: null };
  const f = await run.pages.loggedIn(run.ff, 'nack-ff', '', String(() => {
    const set = RTCPeerConnection.prototype.setRemoteDescription;
    window.sfuCandidate = null;
    window.hopPort = null;
    RTCPeerConnection.prototype.setRemoteDescription = async function (d) {
      if (d && d.sdp && d.sdp.includes('a=ice-lite')) {
        const m = d.sdp.match(/a=candidate:\S+ 1 udp \d+ (\S+) (\d+)/);
        if (m && !window.sfuCandidate) window.sfuCandidate = { host: m[1], port: Number(m[2]) };
        while (!window.hopPort) await new Promise((r) => setTimeout(r, 50));
        d = { type: d.type, sdp: d.sdp.replace(/(a=candidate:\S+ 1 udp \d+ \S+ )\d+/g, (all, p) => p + window.hopPort) };
      }
      return set.call(this, d);
    };
  }));
  const h = await run.pages.loggedIn(run.cr, 'nack-cr2');
  await call(g, 'nack-ff, nack-cr2', true);
  await visible(f, '#incoming');
  await visible(h, '#incoming');
  await press(f, '#accept-btn');
  await press(h, '#accept-btn');
  await f.waitForFunction(() => window.sfuCandidate !== null, { timeout: 20000, polling: 100 });
  const sfu = await f.evaluate(() => window.sfuCandidate);
  hop.current = await lossyHop(sfu.host, sfu.port, 0.05);
  try {
    const answered = await relayMetric('relay_sfu_nacks_total', 'answered');
    await f.evaluate((port) => { window.hopPort = port; }, hop.current.port);
    await awaitMedia(f, 'nack-cr', 60);
    await awaitMedia(f, 'nack-cr2', 60);
    const end = Date.now() + 30000;
    let stats;
    while (Date.now() < end) {
      stats = await inboundStats(f, 'nack-cr', 'video');
      if (stats.nackCount > 0 && (await relayMetric('relay_sfu_nacks_total', 'answered')) >= answered + 10) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(hop.current.dropped() > 0, 'the hop lost packets');
    assert.ok(stats.nackCount > 0, `Firefox asked for lost packets: ${JSON.stringify(stats)}`);
    assert.ok((await relayMetric('relay_sfu_nacks_total', 'answered')) >= answered + 10, 'the SFU answered them');
    await awaitMedia(f, 'nack-cr', stats.framesDecoded + 30); // still decoding
    await press(g, '#hangup-btn');
    await press(h, '#hangup-btn');
    await visible(f, '#screen-home');
  } finally {
    hop.current.close();
  }
});
