// Which TURN URLs should a login hand out? Measures, per browser and per list, 1v1 video calls
// through the demo: ICE gathering time, time until both sides decode, and the relay allocations
// each call makes. Both lists run in the same browsers against the same cluster, alternating.
//
//   ./run-local --relay-host auto            # in another terminal; waits until every service is up
//   (cd local-cluster/src/test/browsers && PUPPETEER_SKIP_DOWNLOAD=1 npm ci)
//   DEMO_BASE=http://localhost:8080 RELAY_METRICS=http://localhost:8093/q/metrics TEST_HOST_VARIANT=netns \
//     FIREFOX_PATH=/usr/bin/firefox-esr CHROMIUM_PATH=/usr/lib/chromium/chromium \
//     node bench/browsers/ice-servers.mjs [calls per cell, 5] [mode: p2p | relay | both]
//
// TEST_HOST_VARIANT=loopback when the relay is on 127.0.0.1 (Firefox then gets its loopback pref).
import {
  Pages, call, chromium, firefox, framesDecoded, press, relayMetric, visible,
} from '../../local-cluster/src/test/browsers/harness.mjs';

const CALLS = Number(process.argv[2] || 5);
const MODES = (process.argv[3] || 'both') === 'both' ? ['p2p', 'relay'] : [process.argv[3]];

/**
 * Page source run before the SDK starts: keeps the TURN URLs `keep` names ('all', or 'one-udp-tcp':
 * the first UDP URL and the first TCP URL), and records each peer connection's gathering.
 */
function instrument(keep) {
  return `() => {
    const Native = window.RTCPeerConnection;
    window.__ice = [];
    window.RTCPeerConnection = function (config, ...rest) {
      if (config && config.iceServers && '${keep}' === 'one-udp-tcp') {
        config = { ...config, iceServers: config.iceServers.map((s) => {
          const urls = [].concat(s.urls);
          const udp = urls.find((u) => u.startsWith('turn:') && u.endsWith('transport=udp'));
          const tcp = urls.find((u) => u.startsWith('turn:') && u.endsWith('transport=tcp'));
          return { ...s, urls: [udp, tcp].filter(Boolean) };
        }) };
      }
      const pc = new Native(config, ...rest);
      const rec = { urls: (config && config.iceServers || []).reduce((n, s) => n + [].concat(s.urls).length, 0),
        started: 0, complete: 0, candidates: {} };
      window.__ice.push(rec);
      const setLocal = pc.setLocalDescription.bind(pc);
      pc.setLocalDescription = (...a) => { if (!rec.started) rec.started = performance.now(); return setLocal(...a); };
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate && e.candidate.candidate) {
          const type = (/ typ ([a-z]+)/.exec(e.candidate.candidate) || [])[1] || '?';
          rec.candidates[type] = (rec.candidates[type] || 0) + 1;
        }
      });
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete' && !rec.complete) rec.complete = performance.now();
      });
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
  }`;
}

async function until(probe, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** One answered video call; what it measured. */
async function oneCall(browser, pages, keep, mode, n) {
  const query = mode === 'relay' ? '?relay=1' : '';
  const tag = `${keep === 'all' ? 'a' : 'o'}${mode[0]}${n}`;
  const a = await pages.loggedIn(browser, `ice-${tag}-a`, query, instrument(keep));
  const b = await pages.loggedIn(browser, `ice-${tag}-b`, query, instrument(keep));
  const allocations = await relayMetric('relay_allocations_created_total');
  const t0 = Date.now();
  await call(a, b.tag, true);
  await visible(b, '#incoming');
  const rang = Date.now();
  await press(b, '#accept-btn');
  const accepted = Date.now();
  const decoded = await until(async () => (await framesDecoded(a, b.tag)) > 0 && (await framesDecoded(b, a.tag)) > 0);
  const firstFrames = Date.now();
  // Gathering ends on its own schedule; give it the time a slow TURN URL takes to give up.
  await until(async () => (await Promise.all([a, b].map((p) => p.evaluate(() => window.__ice.every((r) => r.complete)))))
    .every(Boolean), 15000);
  const ice = (await Promise.all([a, b].map((p) => p.evaluate(() => window.__ice)))).flat();
  const made = (await relayMetric('relay_allocations_created_total')) - allocations;
  await press(b, '#hangup-btn');
  await visible(a, '#screen-home');
  await pages.close();
  return {
    decoded, urls: ice[0] ? ice[0].urls : 0, pcs: ice.length,
    gatherMs: ice.map((r) => (r.complete ? r.complete - r.started : NaN)),
    relayCandidates: ice.reduce((s, r) => s + (r.candidates.relay || 0), 0),
    firstFrameMs: firstFrames - accepted, setupMs: firstFrames - t0, ringMs: rang - t0, allocations: made,
  };
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((p, q) => p - q);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const range = (xs) => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;

const rows = [];
for (const [name, launch] of [['Chromium', chromium], ['Firefox', firefox]]) {
  const browser = await launch();
  try {
    for (const mode of MODES) {
      const results = { all: [], 'one-udp-tcp': [] };
      await oneCall(browser, new Pages(), 'all', mode, 0); // warm-up, not counted
      for (let n = 1; n <= CALLS; n++) {
        for (const keep of (n % 2 ? ['all', 'one-udp-tcp'] : ['one-udp-tcp', 'all'])) {
          results[keep].push(await oneCall(browser, new Pages(), keep, mode, n));
        }
      }
      for (const keep of ['all', 'one-udp-tcp']) {
        const r = results[keep];
        rows.push(`| ${name} | ${mode} | ${keep} (${r[0].urls} URLs) | ${r.filter((x) => x.decoded).length}/${r.length}`
          + ` | ${range(r.flatMap((x) => x.gatherMs))} | ${range(r.map((x) => x.firstFrameMs))} | ${range(r.map((x) => x.setupMs))}`
          + ` | ${range(r.map((x) => x.allocations))} | ${range(r.map((x) => x.relayCandidates))} |`);
      }
    }
  } finally {
    await browser.close();
  }
}
console.log('| browser | call | TURN URLs | decoded | ICE gathering ms, per connection | accept → both decode ms | call → both decode ms | relay allocations per call | relay candidates per call |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('\nmedian (min–max) over the calls of each row');
