// Firefox over WebDriver BiDi and Chromium over CDP, both through puppeteer-core, against the demo
// of a running local cluster (FirefoxIT starts it and sets the environment below). Never downloads
// a browser: the executables are Debian's.
import { after, before } from 'node:test';
import puppeteer from 'puppeteer-core';

export const BASE = need('DEMO_BASE'); // http://localhost:8080, say
export const RELAY_METRICS = need('RELAY_METRICS');
/** 'netns' (the relay on a non-loopback test host) or 'loopback' (Firefox given the loopback pref). */
export const VARIANT = need('TEST_HOST_VARIANT');

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: FirefoxIT runs these tests`);
  return v;
}

export async function firefox() {
  const prefs = {
    // A fake camera and microphone, no permission prompt: what --use-fake-* does for Chromium.
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
  };
  // Only where the relay had to stay on 127.0.0.1: stock Firefox ignores loopback candidates.
  if (VARIANT === 'loopback') prefs['media.peerconnection.ice.loopback'] = true;
  return puppeteer.launch({
    browser: 'firefox', executablePath: need('FIREFOX_PATH'), headless: true, extraPrefsFirefox: prefs,
  });
}

export async function chromium() {
  return puppeteer.launch({
    browser: 'chrome', executablePath: need('CHROMIUM_PATH'), headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
}

/**
 * Firefox, and Chromium unless told not, for one test file: launched before its tests, closed with
 * every page after them. Its fields are set once the file's tests run.
 */
export function browsers({ withChromium = true } = {}) {
  const run = { ff: null, cr: null, pages: new Pages() };
  before(async () => {
    [run.ff, run.cr] = await Promise.all([firefox(), withChromium ? chromium() : null]);
  });
  after(async () => {
    await run.pages.close();
    await Promise.all([run.ff && run.ff.close(), run.cr && run.cr.close()]);
  });
  return run;
}

/** Fresh profiles on the demo, closed together. */
export class Pages {
  constructor() {
    this.contexts = [];
  }

  /** The demo (with a query such as ?relay=1, or '') in a fresh profile of this browser. */
  async open(browser, tag, query = '') {
    const context = await browser.createBrowserContext();
    this.contexts.push(context);
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 720 }); // Playwright's default: the demo's buttons in view
    page.tag = tag;
    page.on('console', (m) => { if (m.type() === 'error') console.log(`[${tag}] ${m.text()}`); });
    await page.goto(`${BASE}/${query}`);
    return page;
  }

  async loggedIn(browser, userId, query = '', before = null) {
    const page = await this.open(browser, userId, query);
    if (before) await page.evaluate(`(${before})()`); // a function's source, run before the SDK starts
    await fill(page, '#userId', userId);
    await press(page, '#login-btn');
    await visible(page, '#screen-home');
    const who = await page.$eval('#who-name', (e) => e.textContent);
    if (who !== userId) throw new Error(`logged in as ${who}, not ${userId}`);
    return page;
  }

  async close() {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => {});
  }
}

export async function fill(page, selector, text) {
  await page.$eval(selector, (e, t) => { e.value = t; e.dispatchEvent(new Event('input', { bubbles: true })); }, text);
}

export const visible = (page, selector, timeout = 20000) => page.waitForSelector(selector, { visible: true, timeout });
export const hidden = (page, selector, timeout = 20000) => page.waitForSelector(selector, { hidden: true, timeout });

/**
 * Clicks once the element is shown (what a user can click), as Playwright's click waits to. The
 * page comes to the front first: Firefox gives a background tab no animation frames, and a BiDi
 * click there waits seconds for one, then may fail ("Node is either not clickable").
 */
export async function press(page, selector) {
  const e = await visible(page, selector);
  await page.bringToFront();
  await e.click();
}

export async function call(from, callees, video) {
  await press(from, video ? 'label[for=type-video]' : 'label[for=type-audio]');
  await fill(from, '#callee', callees);
  await press(from, '#call-btn');
}

/**
 * Source for a page (Pages.loggedIn's `before`) whose camera shows grey noise: video no encoder
 * can squeeze, so a sender sends what its bandwidth estimate (the SFU's REMB) allows, not what a
 * fake camera's flat picture needs (about 120 kbit/s in both browsers).
 */
export const NOISY_CAMERA = String(() => {
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => {
    const s = await gum(c);
    if (!c || !c.video) return s;
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const g = canvas.getContext('2d');
    const img = g.createImageData(320, 240);
    setInterval(() => {
      const d = img.data;
      for (let i = 0; i < d.length; i += 4) {
        const v = (Math.random() * 255) | 0;
        d[i] = v; d[i + 1] = v; d[i + 2] = v; d[i + 3] = 255;
      }
      g.putImageData(img, 0, 0);
    }, 66);
    const noise = canvas.captureStream(15).getVideoTracks()[0];
    s.getVideoTracks().forEach((t) => { s.removeTrack(t); t.stop(); });
    s.addTrack(noise);
    return s;
  };
});

/** Waits until the page's notice says this. */
export async function notice(page, text) {
  // Polled on a timer: a page that is not the front tab gets no animation frames in Firefox, and
  // a notice shows for 4.5 s only.
  await page.waitForFunction((t) => { const n = document.getElementById('notice'); return !n.hidden && n.textContent.includes(t); },
    { timeout: 20000, polling: 100 }, text);
}

/**
 * Inbound RTP stats of the media this page receives from that user: its peer connection to them,
 * or, through the SFU, the receivers of that user's tracks (found by the SDK's stream per user, so
 * it works where a browser names received tracks its own way).
 */
async function inbound(page, from, kind) {
  return page.evaluate(async (u, k) => {
    const c = window.trtcCalling;
    if (!c) return null;
    const p = c._peers.get(u);
    const s = c._sfu;
    let reports = [];
    if (p) {
      reports = [await p.pc.getStats()];
    } else if (s && s.users.has(u)) {
      const tracks = s.users.get(u).stream.getTracks().filter((t) => t.kind === k);
      const receivers = s.pc.getReceivers().filter((r) => tracks.includes(r.track));
      reports = await Promise.all(receivers.map((r) => r.getStats()));
    }
    const out = { framesDecoded: 0, packetsReceived: 0, nackCount: 0 };
    for (const r of reports) {
      r.forEach((x) => {
        if (x.type === 'inbound-rtp' && x.kind === k) {
          out.framesDecoded += x.framesDecoded || 0;
          out.packetsReceived += x.packetsReceived || 0;
          out.nackCount += x.nackCount || 0;
        }
      });
    }
    return out;
  }, from, kind);
}

export async function framesDecoded(page, from) {
  const s = await inbound(page, from, 'video');
  return s ? s.framesDecoded : 0;
}

export async function inboundStats(page, from, kind) {
  return inbound(page, from, kind);
}

async function until(what, probe, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await probe();
    if (last.ok) return last.value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: ${JSON.stringify(last && last.value)}`);
}

/** Waits until the page decoded n frames of that user's video and got audio packets from them. */
export async function awaitMedia(page, from, frames = 20, audioPackets = 50) {
  await until(`${page.tag} decoded too few frames from ${from}`, async () => {
    const v = await framesDecoded(page, from);
    return { ok: v >= frames, value: v };
  });
  await until(`${page.tag} got too little audio from ${from}`, async () => {
    const a = await inbound(page, from, 'audio');
    const n = a ? a.packetsReceived : 0;
    return { ok: n >= audioPackets, value: n };
  });
}

/** Every page decodes every other page's video and gets its audio. */
export async function awaitEveryone(pages) {
  for (const p of pages) {
    for (const other of pages) if (other !== p) await awaitMedia(p, other.tag);
  }
}

/** The selected candidate pair's local and remote types (the stats differ between browsers). */
export async function selectedPair(page, from) {
  return page.evaluate(async (u) => {
    const r = await window.trtcCalling._peers.get(u).pc.getStats();
    let pair = null;
    r.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = r.get(s.selectedCandidatePairId);
    });
    if (!pair) r.forEach((s) => { if (s.type === 'candidate-pair' && s.selected) pair = s; }); // Firefox
    if (!pair) return null;
    const local = r.get(pair.localCandidateId);
    const remote = r.get(pair.remoteCandidateId);
    return { local: local.candidateType, remote: remote.candidateType, relayProtocol: local.relayProtocol || null,
      address: remote.address || remote.ip };
  }, from);
}

/** A counter or gauge of the relay's Prometheus metrics, summed over the series with this label text (0 when absent). */
export async function relayMetric(name, label = '') {
  const text = await (await fetch(RELAY_METRICS)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'gm'))) {
    if ((m[1] || '').includes(label)) sum += Number(m[2]);
  }
  return sum;
}
