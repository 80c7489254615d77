/* The SFU transport: a member whose ICE never succeeds backs off, stops, and is told once. */
import { beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, MAX_UNCONNECTED_TRANSPORTS, SfuClient } from '../src/sfu.js';
import { FakePeerConnection, install } from './fakes.js';
import { sfuOffer } from './harness.js';

beforeEach(() => {
  install();
  FakePeerConnection.all = [];
});

const quiet = { info() {}, warn() {}, debug() {} };

function client() {
  const sent = [];
  let gaveUp = 0;
  const sfu = new SfuClient({
    me: 'alice', logger: quiet, policy: 'all', videoCodec: null, send: (f) => sent.push(f), iceServers: () => [],
    localStream: () => null, accepts: () => true, onTrack: () => {}, onGiveUp: () => { gaveUp += 1; },
  });
  return { sfu, sent, gaveUps: () => gaveUp };
}

test('the waits double from 1 s to 8 s, a quarter either way', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, () => 0.5)), [1000, 2000, 4000, 8000, 8000, 8000]);
  assert.equal(backoffMs(1, () => 0), 750);
  assert.equal(backoffMs(4, () => 1), 10000);
});

test('transports that never connect: joins back off, then stop, and the app is told once', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { sfu, sent, gaveUps } = client();
    sfu.join();
    for (let n = 1; n < MAX_UNCONNECTED_TRANSPORTS; n++) {
      const pc = FakePeerConnection.all.at(-1);
      pc.state('failed');
      const joins = sent.filter((f) => f.type === 'sfu-join').length;
      mock.timers.tick(backoffMs(n, () => 0) - 1);
      assert.equal(sent.filter((f) => f.type === 'sfu-join').length, joins, `no join before the back-off after failure ${n}`);
      mock.timers.tick(backoffMs(n, () => 1));
      assert.equal(sent.filter((f) => f.type === 'sfu-join').length, joins + 1, `one join after failure ${n}`);
    }
    FakePeerConnection.all.at(-1).state('failed');
    assert.equal(gaveUps(), 1, 'told once');
    assert.equal(sfu.current, null, 'no transport left');
    assert.ok(FakePeerConnection.all.every((pc) => pc.closed), 'every transport closed');
    mock.timers.tick(60000);
    assert.equal(sent.filter((f) => f.type === 'sfu-join').length, MAX_UNCONNECTED_TRANSPORTS, 'no join after giving up');
  } finally {
    mock.timers.reset();
  }
});

test('a transport that connected resets the count: its failure rejoins at once, as before', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { sfu, sent, gaveUps } = client();
    sfu.join();
    FakePeerConnection.all.at(-1).state('failed');
    mock.timers.tick(backoffMs(1, () => 1));
    assert.equal(sfu.unconnected, 1);
    FakePeerConnection.all.at(-1).state('connected');
    assert.equal(sfu.unconnected, 0);
    FakePeerConnection.all.at(-1).state('failed');
    mock.timers.tick(1000);
    assert.equal(sent.filter((f) => f.type === 'sfu-join').length, 3);
    assert.equal(gaveUps(), 0);
    sfu.close();
  } finally {
    mock.timers.reset();
  }
});

test('an answered transport still not connected after 10 s counts as one that failed', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { sfu, sent } = client();
    sfu.join();
    const transport = sent.at(-1).transport;
    sfu.onOffer(sfuOffer('c1', ['bob'], transport));
    await sfu.current.queue;
    assert.equal(sent.at(-1).type, 'sfu-answer');
    mock.timers.tick(9999);
    assert.equal(sfu.unconnected, 0, 'not yet');
    mock.timers.tick(1);
    assert.equal(sfu.unconnected, 1, 'no ICE verdict, but failed all the same');
    mock.timers.tick(backoffMs(1, () => 1));
    assert.equal(sent.filter((f) => f.type === 'sfu-join').length, 2, 'and joined again');
    sfu.close();
  } finally {
    mock.timers.reset();
  }
});
