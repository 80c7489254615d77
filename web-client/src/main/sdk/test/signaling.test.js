/* The signaling client: resume after a drop, frames held meanwhile, refusals told clearly. */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import TRTCCalling from '../src/index.js';
import { FakeSocket, install } from './fakes.js';
import { APP, client, logoutAll } from './harness.js';

beforeEach(() => install());
afterEach(logoutAll);

const until = async (check, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a dropped socket is reconnected and the session resumed; what was sent meanwhile goes after the resume', async () => {
  const alice = await client('alice');
  const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 1 });
  alice.ws.close(1006, '');
  await until(() => !alice.sdk._signaling.ready);
  const hangup = alice.sdk.hangup();
  await until(() => FakeSocket.all.length === 2 && FakeSocket.all[1].sent.length >= 2);
  const again = FakeSocket.all[1];
  assert.deepEqual(again.sent.map((f) => f.type), ['login', 'hangup']);
  assert.equal(again.sent[0].resume, 's-alice', 'logs in with resume');
  assert.equal(again.sent[1].callId, inviteID);
  await hangup;
  assert.deepEqual(alice.names(), [], 'a resumed session is invisible to the app');
});

test('reconnects are spread: the delays differ and grow', async () => {
  const alice = await client('alice');
  FakeSocket.refuse = { code: 1006, reason: '' };
  const opened = [];
  const orig = FakeSocket.all.push.bind(FakeSocket.all);
  FakeSocket.all.push = (s) => { opened.push(Date.now()); return orig(s); };
  alice.ws.close(1012, 'service restart');
  await until(() => opened.length >= 3, 5000);
  const gaps = [opened[1] - opened[0], opened[2] - opened[1]];
  assert.ok(gaps[0] > 300 && gaps[1] > gaps[0], `backoff grows: ${gaps}`);
  FakeSocket.refuse = null;
  await until(() => alice.sdk._signaling.ready, 5000);
});

test('a refused origin is said as such (61001)', async () => {
  FakeSocket.refuse = { code: 1008, reason: 'origin-not-allowed: http://localhost:8080' };
  const sdk = new TRTCCalling({ SDKAppID: APP });
  sdk.setLogLevel(5);
  const errors = [];
  sdk.on('onError', (e) => errors.push(e));
  await assert.rejects(sdk.login({ userID: 'a', userSig: 's' }),
    (e) => e.code === 61001 && /origin \(http:\/\/localhost:8080\)/.test(e.msg) && /ALLOWED_ORIGINS/.test(e.msg));
  assert.equal(errors[0].code, 61001);
  FakeSocket.refuse = { code: 1006, reason: '' };
  await assert.rejects(sdk.login({ userID: 'a', userSig: 's' }), (e) => e.code === 2805 && /before login/.test(e.msg));
});

test('a refused login: 61002 with the cluster\'s reason', async () => {
  FakeSocket.handlers.login = () => ({ type: 'error', code: 'expired', message: 'the UserSig has expired' });
  const sdk = new TRTCCalling({ SDKAppID: APP });
  await assert.rejects(sdk.login({ userID: 'a', userSig: 's' }), { code: 61002, reason: 'expired', msg: 'the UserSig has expired' });
});

test('a resume the server refuses ends the session: CALLING_END, then ERROR session ended', async () => {
  const alice = await client('alice');
  const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 1 });
  await alice.push({ type: 'accepted', callId: inviteID, userId: 'bob' });
  FakeSocket.handlers.login = () => ({ type: 'error', code: 'expired', message: 'expired' });
  alice.ws.close(1006, '');
  await until(() => alice.events.some((e) => e[0] === 'onError'), 5000);
  assert.deepEqual(alice.names().slice(-2), ['onCallEnd', 'onError']);
  assert.equal(alice.payload('onError').code, 61003);
  assert.equal(alice.payload('onCallEnd').reason, 'session-ended');
  assert.equal(alice.sdk.getCallStatus(), 'idle');
});

test('a new session instead of the old one (resume refused): the call is over', async () => {
  const alice = await client('alice');
  const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 1 });
  await alice.push({ type: 'accepted', callId: inviteID, userId: 'bob' });
  FakeSocket.handlers.login = (f) => ({ type: 'login-ok', sessionId: 'fresh', resumed: false, iceServers: [] });
  alice.ws.close(4003, 'keep-alive timeout');
  await until(() => alice.events.some((e) => e[0] === 'onCallEnd'));
  assert.equal(alice.payload('onCallEnd').reason, 'connection-lost');
});

test('taken over elsewhere (4002): no reconnect, the session ends', async () => {
  const alice = await client('alice');
  alice.ws.close(4002, 'resumed elsewhere');
  await until(() => alice.events.some((e) => e[0] === 'onError'));
  assert.equal(alice.payload('onError').code, 61003);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(FakeSocket.all.length, 1, 'no reconnect');
});

test('the server URL: the page\'s origin by default, or the server option', async () => {
  await client('a');
  assert.equal(FakeSocket.all[0].url, 'ws://localhost:8080/v1/signaling');
  await client('b', { server: 'https://calls.example.com/' });
  assert.equal(FakeSocket.all[1].url, 'wss://calls.example.com/v1/signaling');
  await client('c', { server: 'ws://10.0.0.1:8091/v1/signaling' });
  assert.equal(FakeSocket.all[2].url, 'ws://10.0.0.1:8091/v1/signaling');
});

test('garbage from the server is ignored, the session goes on', async () => {
  const alice = await client('alice');
  alice.ws.onmessage({ data: 'not json' });
  alice.ws.onmessage({ data: '42' });
  await alice.push({ type: 'no-such-frame' }, { type: 'accepted', callId: 'unknown', userId: 'x' });
  assert.deepEqual(alice.names(), []);
  assert.equal((await alice.sdk.call({ userID: 'bob', type: 1 })).code, 0);
});
