// 1v1 calls in Firefox, and between Firefox and Chromium: peer to peer, and through the TURN relay
// only (Firefox over UDP and over TCP; Firefox with Chromium over UDP). Each call decodes video
// both ways and receives audio both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awaitMedia, browsers, call, notice, press, selectedPair, visible } from './harness.mjs';

const run = browsers();

/** A video call from one page to the other, answered, with media both ways; then hung up. */
async function videoCall(caller, callee, check = async () => {}) {
  await call(caller, callee.tag, true);
  await visible(callee, '#incoming');
  await press(callee, '#accept-btn');
  await visible(caller, '#screen-call');
  await awaitMedia(caller, callee.tag);
  await awaitMedia(callee, caller.tag);
  await check();
  await press(callee, '#hangup-btn');
  await visible(caller, '#screen-home');
  await notice(caller, 'ended');
}

test('Firefox calls Firefox peer to peer', async () => {
  const a = await run.pages.loggedIn(run.ff, 'ff-ann');
  const b = await run.pages.loggedIn(run.ff, 'ff-bea');
  await videoCall(a, b, async () => {
    const pair = await selectedPair(a, 'ff-bea');
    assert.notEqual(pair.local, 'relay', JSON.stringify(pair));
  });
});

test('Firefox and Chromium call each other peer to peer, either one calling', async () => {
  const f = await run.pages.loggedIn(run.ff, 'ff-cy');
  const c = await run.pages.loggedIn(run.cr, 'cr-dan');
  await videoCall(f, c);
  await videoCall(c, f);
});

/** A page whose peer connections keep only the TURN URLs over this transport ('udp' or 'tcp'). */
function onlyTurnOver(transport) {
  return `() => {
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = function (config, ...rest) {
      if (config && config.iceServers) {
        config = { ...config, iceServers: config.iceServers
          .map((s) => ({ ...s, urls: [].concat(s.urls).filter((u) => u.endsWith('transport=${transport}')) }))
          .filter((s) => s.urls.length) };
      }
      return new Native(config, ...rest);
    };
    window.RTCPeerConnection.prototype = Native.prototype;
  }`;
}

/** Both sides relayed: the selected pair is relay to relay, over this transport where the stats say. */
async function bothRelayed(a, b, transport) {
  for (const [p, other] of [[a, b.tag], [b, a.tag]]) {
    const pair = await selectedPair(p, other);
    assert.equal(pair.local, 'relay', JSON.stringify(pair));
    assert.equal(pair.remote, 'relay', JSON.stringify(pair));
    if (pair.relayProtocol) assert.equal(pair.relayProtocol, transport, JSON.stringify(pair));
  }
}

for (const transport of ['udp', 'tcp']) {
  test(`Firefox calls Firefox through the relay only, over ${transport.toUpperCase()}`, async () => {
    const a = await run.pages.loggedIn(run.ff, `ff-${transport}-a`, '?relay=1', onlyTurnOver(transport));
    const b = await run.pages.loggedIn(run.ff, `ff-${transport}-b`, '?relay=1', onlyTurnOver(transport));
    await videoCall(a, b, () => bothRelayed(a, b, transport));
  });
}

test('Firefox and Chromium call each other through the relay only', async () => {
  const f = await run.pages.loggedIn(run.ff, 'ff-rel', '?relay=1');
  const c = await run.pages.loggedIn(run.cr, 'cr-rel', '?relay=1');
  await videoCall(c, f, () => bothRelayed(f, c, 'udp'));
});
