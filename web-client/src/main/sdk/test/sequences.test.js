/*
 * The sequence table of docs/sdk.md, row by row: for each scenario, the frames signaling sends
 * each side (as signaling-service's Call sends them) and the events the app hears, which must be
 * the real trtc-calling-js 1.0.6's sequence (differences are marked in the table).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { install } from './fakes.js';
import { client, invited, logoutAll, offerFrom, sfuOffer } from './harness.js';

const E = {
  INVITED: 'onInvited', USER_ACCEPT: 'onUserAccept', USER_ENTER: 'onUserEnter', USER_LEAVE: 'onUserLeave',
  REJECT: 'onReject', LINE_BUSY: 'onLineBusy', NO_RESP: 'onNoResp', CALLING_CANCEL: 'onCallingCancel',
  CALLING_TIMEOUT: 'onCallingTimeout', CALLING_END: 'onCallEnd', KICKED_OUT: 'onKickedOut',
  VIDEO: 'onUserVideoAvailable', AUDIO: 'onUserAudioAvailable', LIST: 'onGroupCallInviteeListUpdate',
  TYPE: 'onCallTypeChanged',
};

beforeEach(() => install());
afterEach(logoutAll);

/** alice calls bob and bob answers: both in a peer-to-peer video call. */
async function answered() {
  const alice = await client('alice');
  const bob = await client('bob');
  const res = await alice.sdk.call({ userID: 'bob', type: 2 });
  const callId = res.inviteID;
  await bob.push(invited(callId, 'alice', ['bob']));
  await bob.sdk.accept();
  await alice.push({ type: 'accepted', callId, userId: 'bob' });
  await bob.push(offerFrom(callId, 'alice'));
  return { alice, bob, callId };
}

describe('1v1', () => {
  test('accepted, the caller hangs up', async () => {
    const { alice, bob, callId } = await answered();
    await alice.sdk.hangup();
    await bob.push({ type: 'left', callId, userId: 'alice' }, { type: 'ended', callId, reason: 'hangup', duration: 5000 });
    assert.deepEqual(alice.names(), [E.USER_ACCEPT, E.USER_ENTER, E.CALLING_END]);
    assert.deepEqual(bob.names(), [E.INVITED, E.USER_ENTER, E.USER_LEAVE, E.CALLING_END]);
    assert.deepEqual(alice.payload(E.USER_ACCEPT), { userID: 'bob' });
    assert.equal(alice.payload(E.CALLING_END).userID, 'alice', 'the call\'s inviter');
    assert.equal(typeof alice.payload(E.CALLING_END).callEnd, 'number');
    assert.equal(bob.payload(E.CALLING_END).userID, 'alice');
    assert.equal(bob.payload(E.CALLING_END).callEnd, 5, 'seconds');
    assert.equal(alice.sent('hangup').length, 1);
    assert.equal(alice.sdk.getCallStatus(), 'idle');
    assert.equal(bob.sdk.getCallStatus(), 'idle');
  });

  test('accepted, the callee hangs up', async () => {
    const { alice, bob, callId } = await answered();
    await bob.sdk.hangup();
    await alice.push({ type: 'left', callId, userId: 'bob' }, { type: 'ended', callId, reason: 'hangup', duration: 2000 });
    assert.deepEqual(alice.names(), [E.USER_ACCEPT, E.USER_ENTER, E.USER_LEAVE, E.CALLING_END]);
    assert.deepEqual(bob.names(), [E.INVITED, E.USER_ENTER, E.CALLING_END]);
    assert.deepEqual(alice.payload(E.USER_LEAVE), { userID: 'bob' });
    assert.equal(bob.payload(E.CALLING_END).userID, 'alice');
  });

  test('rejected: the caller hears REJECT alone, no CALLING_END', async () => {
    const alice = await client('alice');
    const bob = await client('bob');
    const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 2 });
    await bob.push(invited(inviteID, 'alice', ['bob']));
    const res = await bob.sdk.reject();
    await alice.push({ type: 'rejected', callId: inviteID, userId: 'bob' }, { type: 'ended', callId: inviteID, reason: 'rejected', duration: 0 });
    assert.deepEqual(alice.names(), [E.REJECT]);
    assert.deepEqual(alice.payload(E.REJECT), { userID: 'bob' });
    assert.deepEqual(bob.names(), [E.INVITED]);
    assert.equal(res.code, 0);
    assert.equal(bob.sent('reject').length, 1);
    assert.equal(alice.sdk.getCallStatus(), 'idle', 'the call is over for the caller');
  });

  test('busy: the caller hears LINE_BUSY alone', async () => {
    const alice = await client('alice');
    const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 2 });
    // Signaling answers for a callee already in a call (who never rings).
    await alice.push({ type: 'busy', callId: inviteID, userId: 'bob' }, { type: 'ended', callId: inviteID, reason: 'busy', duration: 0 });
    assert.deepEqual(alice.names(), [E.LINE_BUSY]);
    assert.deepEqual(alice.payload(E.LINE_BUSY), { sponsor: 'alice', userID: 'bob' });
    assert.equal(alice.sdk.getCallStatus(), 'idle');
  });

  test('busy, said by the callee (the older reject({isBusy: true}))', async () => {
    const alice = await client('alice');
    const bob = await client('bob');
    const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 2 });
    await bob.push(invited(inviteID, 'alice', ['bob']));
    await bob.sdk.reject({ inviteID, isBusy: true });
    await alice.push({ type: 'busy', callId: inviteID, userId: 'bob' }, { type: 'ended', callId: inviteID, reason: 'busy', duration: 0 });
    assert.equal(bob.sent('busy').length, 1);
    assert.deepEqual(alice.names(), [E.LINE_BUSY]);
    assert.deepEqual(bob.names(), [E.INVITED]);
  });

  test('cancelled: the callee hears CALLING_CANCEL, the caller nothing', async () => {
    const alice = await client('alice');
    const bob = await client('bob');
    const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 2 });
    await bob.push(invited(inviteID, 'alice', ['bob']));
    const res = await alice.sdk.hangup();
    await bob.push({ type: 'cancelled', callId: inviteID });
    assert.deepEqual(alice.names(), []);
    assert.deepEqual(bob.names(), [E.INVITED, E.CALLING_CANCEL]);
    assert.ok(Array.isArray(res) && res[0].code === 0, 'a cancel resolves with the cancelled invitations');
    assert.equal(bob.sdk.getCallStatus(), 'idle');
  });

  test('timeout: the caller hears NO_RESP then CALLING_END, the callee CALLING_TIMEOUT then CALLING_END', async () => {
    const alice = await client('alice');
    const bob = await client('bob');
    const { inviteID } = await alice.sdk.call({ userID: 'bob', type: 2, timeout: 10 });
    await bob.push(invited(inviteID, 'alice', ['bob']));
    await bob.push({ type: 'timeout', callId: inviteID });
    await alice.push({ type: 'no-answer', callId: inviteID, userIds: ['bob'] }, { type: 'ended', callId: inviteID, reason: 'timeout', duration: 0 });
    assert.deepEqual(alice.names(), [E.NO_RESP, E.CALLING_END]);
    assert.deepEqual(alice.payload(E.NO_RESP), { sponsor: 'alice', userIDList: ['bob'] });
    assert.deepEqual(alice.payload(E.CALLING_END), { userID: 'alice', callEnd: 0, inviteID, reason: 'timeout' });
    assert.deepEqual(bob.names(), [E.INVITED, E.CALLING_TIMEOUT, E.CALLING_END]);
    assert.deepEqual(bob.payload(E.CALLING_TIMEOUT), { sponsor: 'alice', userIDList: ['bob'], inviteID });
    assert.equal(bob.payload(E.CALLING_END).callEnd, 0);
    assert.equal(alice.sent('invite')[0].timeoutSeconds, 10);
  });

  test('no answer from a callee who stays offline: the caller hears NO_RESP then CALLING_END', async () => {
    const alice = await client('alice');
    const { inviteID } = await alice.sdk.call({ userID: 'carl', type: 1 });
    await alice.push({ type: 'no-answer', callId: inviteID, userIds: ['carl'] }, { type: 'ended', callId: inviteID, reason: 'timeout', duration: 0 });
    assert.deepEqual(alice.names(), [E.NO_RESP, E.CALLING_END]);
  });

  test('kicked: KICKED_OUT alone, in a call or not', async () => {
    const { alice } = await answered();
    alice.ws.push({ type: 'kicked', reason: 'logged-in-elsewhere' });
    alice.ws.close(4001, 'logged in elsewhere');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(alice.names(), [E.USER_ACCEPT, E.USER_ENTER, E.KICKED_OUT]);
    assert.deepEqual(alice.payload(E.KICKED_OUT), {});
    assert.equal(alice.sdk.getCallStatus(), 'idle');
    const idle = await client('idle-user');
    await idle.push({ type: 'kicked', reason: 'logged-in-elsewhere' });
    assert.deepEqual(idle.names(), [E.KICKED_OUT]);
  });

  test('camera and microphone off and on: the other side hears each change', async () => {
    const { alice, bob, callId } = await answered();
    await alice.sdk.closeCamera();
    await alice.sdk.openCamera();
    await alice.sdk.setMicMute(true);
    await alice.sdk.setMicMute(false);
    assert.deepEqual(alice.sent('media').map(({ video, audio }) => ({ video, audio })),
      [{ video: false, audio: undefined }, { video: true, audio: undefined }, { video: undefined, audio: false }, { video: undefined, audio: true }]);
    bob.events.length = 0;
    await bob.push(
      { type: 'media', callId, userId: 'alice', video: false }, { type: 'media', callId, userId: 'alice', video: true },
      { type: 'media', callId, userId: 'alice', audio: false }, { type: 'media', callId, userId: 'alice', audio: true });
    assert.deepEqual(bob.events, [
      [E.VIDEO, { userID: 'alice', isVideoAvailable: false }], [E.VIDEO, { userID: 'alice', isVideoAvailable: true }],
      [E.AUDIO, { userID: 'alice', isAudioAvailable: false }], [E.AUDIO, { userID: 'alice', isAudioAvailable: true }]]);
  });

  test('switched to audio: both sides hear CALL_TYPE_CHANGED (ours; the real package says nothing)', async () => {
    const { alice, bob, callId } = await answered();
    await alice.sdk.switchToAudioCall();
    await bob.push({ type: 'type-changed', callId, callType: 'audio' });
    assert.deepEqual(alice.names().slice(-1), [E.TYPE]);
    assert.deepEqual(bob.names().slice(-1), [E.TYPE]);
    assert.deepEqual(bob.payload(E.TYPE), { oldCallType: 2, newCallType: 1 });
    assert.equal(alice.sdk.getCallType(), 1);
    assert.equal(alice.sdk._media.stream.getVideoTracks().length, 0, 'the camera is off in an audio call');
    assert.equal(bob.sdk._media.stream.getVideoTracks().length, 0);
  });
});

/** alice calls bob and carol in group 'team' through the SFU; bob answers. */
async function groupAnswered() {
  install();
  const alice = await client('alice');
  const bob = await client('bob');
  const carol = await client('carol');
  globalThis.WebSocket.media = 'sfu';
  const res = await alice.sdk.groupCall({ userIDList: ['bob', 'carol'], type: 2, groupID: 'team' });
  const callId = res.inviteID;
  await alice.push(sfuOffer(callId, []));
  const frame = invited(callId, 'alice', ['bob', 'carol'], { groupId: 'team', media: 'sfu', ringing: ['bob', 'carol'] });
  await bob.push(frame);
  await carol.push(frame);
  await bob.sdk.accept();
  await alice.push({ type: 'accepted', callId, userId: 'bob' }, sfuOffer(callId, ['bob']));
  await bob.push(sfuOffer(callId, ['alice']));
  return { alice, bob, carol, callId };
}

describe('group', () => {
  test('accepted: the inviter hears USER_ACCEPT, the invitee list update, then USER_ENTER with the media', async () => {
    const { alice, bob, carol } = await groupAnswered();
    assert.deepEqual(alice.names(), [E.USER_ACCEPT, E.LIST, E.USER_ENTER]);
    assert.deepEqual(alice.payload(E.LIST), { userIDList: ['carol'] });
    assert.deepEqual(alice.payload(E.USER_ENTER), { userID: 'bob' });
    assert.deepEqual(bob.names(), [E.INVITED, E.USER_ENTER]);
    assert.equal(bob.payload(E.INVITED).isFromGroup, true);
    assert.deepEqual(bob.payload(E.INVITED).userIDList, ['bob', 'carol']);
    assert.deepEqual(carol.names(), [E.INVITED]);
    assert.equal(alice.sdk.isGroupCall(), true);
    assert.deepEqual(alice.sdk.getUnHandledInviteeList(), ['carol']);
    assert.equal(alice.sent('sfu-join').length, 1, 'the inviter is in the SFU room from the start');
    assert.equal(bob.sent('sfu-answer').length, 1);
  });

  test('rejected by one: those in the call hear REJECT, the call goes on', async () => {
    const { alice, bob, carol, callId } = await groupAnswered();
    await carol.sdk.reject();
    const rejected = { type: 'rejected', callId, userId: 'carol' };
    await alice.push(rejected);
    await bob.push(rejected);
    assert.deepEqual(alice.names().slice(-1), [E.REJECT]);
    assert.deepEqual(bob.names().slice(-1), [E.REJECT]);
    assert.deepEqual(carol.names(), [E.INVITED]);
    assert.equal(alice.sdk.getCallStatus(), 'connected');
    assert.deepEqual(alice.sdk.getUnHandledInviteeList(), []);
  });

  test('rejected by everyone: REJECT for each, then CALLING_END', async () => {
    const alice = await client('alice');
    const { inviteID } = await alice.sdk.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team' });
    await alice.push({ type: 'rejected', callId: inviteID, userId: 'bob' }, { type: 'rejected', callId: inviteID, userId: 'carol' },
      { type: 'ended', callId: inviteID, reason: 'rejected', duration: 0 });
    assert.deepEqual(alice.names(), [E.REJECT, E.REJECT, E.CALLING_END]);
  });

  test('one leaves, two remain: USER_LEAVE for them, nothing more for the leaver', async () => {
    const { alice, bob, carol, callId } = await groupAnswered();
    await carol.sdk.accept();
    await alice.push({ type: 'accepted', callId, userId: 'carol' });
    await bob.push({ type: 'accepted', callId, userId: 'carol' });
    await bob.sdk.hangup();
    const left = { type: 'left', callId, userId: 'bob' };
    await alice.push(left);
    await carol.push(left);
    assert.deepEqual(alice.names().slice(-1), [E.USER_LEAVE]);
    assert.deepEqual(carol.names().slice(-1), [E.USER_LEAVE]);
    assert.ok(!bob.names().includes(E.CALLING_END), 'no CALLING_END: the call goes on without bob');
    assert.equal(alice.sdk.getCallStatus(), 'connected');
  });

  test('more invited mid-call: the new one is invited, the others hear the invitee list', async () => {
    const { alice, bob, callId } = await groupAnswered();
    const res = await alice.sdk.groupCall({ userIDList: ['dave'], type: 2, groupID: 'team' });
    assert.deepEqual(alice.sent('invite-more').map((f) => f.users), [['dave']]);
    assert.equal(res.code, 0);
    assert.equal(res.inviteID, callId, 'the same call');
    const dave = await client('dave');
    await dave.push(invited(callId, 'alice', ['bob', 'carol', 'dave'], { groupId: 'team', media: 'sfu', ringing: ['carol', 'dave'] }));
    await bob.push({ type: 'invitee-list', callId, userIds: ['bob', 'carol', 'dave'], ringing: ['carol', 'dave'], groupId: 'team' });
    assert.deepEqual(dave.names(), [E.INVITED]);
    assert.deepEqual(bob.names().slice(-1), [E.LIST]);
    assert.deepEqual(bob.payload(E.LIST), { userIDList: ['carol', 'dave'] });
    assert.deepEqual(dave.sdk.getUnHandledInviteeList(), ['carol'], 'who else still rings');
  });

  test('a 1v1 call extended by groupCall becomes a group call', async () => {
    const { alice, bob, callId } = await answered();
    const res = await alice.sdk.groupCall({ userIDList: ['carol'], type: 2 });
    const [more] = alice.sent('invite-more');
    assert.equal(more.callId, callId);
    assert.ok(more.groupId, 'the call gets a group');
    assert.equal(res.code, 0);
    assert.equal(alice.sdk.isGroupCall(), true);
    await bob.push({ type: 'invitee-list', callId, userIds: ['bob', 'carol'], ringing: ['carol'], groupId: more.groupId });
    assert.equal(bob.sdk.isGroupCall(), true);
    assert.equal(bob.sdk.getGroupID(), more.groupId);
    assert.deepEqual(bob.names().slice(-1), [E.LIST]);
  });

  test('the last but one leaves: the one left hears USER_LEAVE then CALLING_END, the leaver CALLING_END', async () => {
    const { alice, bob, carol, callId } = await groupAnswered();
    await carol.sdk.reject();
    await alice.push({ type: 'rejected', callId, userId: 'carol' });
    await bob.push({ type: 'rejected', callId, userId: 'carol' });
    await bob.sdk.hangup();
    await alice.push({ type: 'left', callId, userId: 'bob' }, { type: 'ended', callId, reason: 'hangup', duration: 9000 });
    assert.deepEqual(alice.names().slice(-2), [E.USER_LEAVE, E.CALLING_END]);
    assert.deepEqual(bob.names().slice(-1), [E.CALLING_END]);
    assert.equal(alice.payload(E.CALLING_END).callEnd, 9);
  });
});
