/* Call records in trtc-calling-js's message shape, and what extractCallingInfoFromMessage says of them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION, extractCallingInfoFromMessage, formatDuration, signalingMessage } from '../src/messages.js';

const base = { callId: 'c1', from: 'alice', to: 'bob', inviter: 'alice', invitees: ['bob'], roomId: 7 };

test('each action reads as the real package words it', () => {
  assert.equal(extractCallingInfoFromMessage(signalingMessage({ ...base, action: ACTION.INVITE })), '发起通话');
  assert.equal(extractCallingInfoFromMessage(signalingMessage({ ...base, action: ACTION.INVITE, callEnd: 75 })), '结束通话，通话时长：00:01:15');
  assert.equal(extractCallingInfoFromMessage(signalingMessage({ ...base, action: ACTION.INVITE, callEnd: 0 })), '结束群聊');
  assert.equal(extractCallingInfoFromMessage(signalingMessage({ ...base, action: ACTION.CANCEL_INVITE })), '取消通话');
  assert.equal(extractCallingInfoFromMessage(signalingMessage({ ...base, action: ACTION.ACCEPT_INVITE })), '已接听');
  assert.equal(extractCallingInfoFromMessage(signalingMessage({ ...base, action: ACTION.REJECT_INVITE })), '拒绝通话');
  assert.equal(extractCallingInfoFromMessage(signalingMessage({ ...base, action: ACTION.INVITE_TIMEOUT })), '无应答');
});

test('the record has TSignaling\'s shape', () => {
  const m = signalingMessage({ ...base, action: ACTION.INVITE, group: true, to: 'team', groupId: 'team', now: 1_700_000_000_500 });
  assert.equal(m.type, 'TIMCustomElem');
  assert.equal(m.conversationType, 'GROUP');
  assert.equal(m.conversationID, 'GROUPteam');
  assert.equal(m.time, 1_700_000_000);
  const signal = JSON.parse(m.payload.data);
  assert.deepEqual([signal.businessID, signal.inviteID, signal.actionType, signal.groupID], [1, 'c1', 1, 'team']);
  assert.deepEqual(JSON.parse(signal.data), { version: 4, businessID: 'av_call', platform: 'Web', extraInfo: '', call_type: 2, room_id: 7 });
});

test('anything else is the empty string, never an exception', () => {
  for (const m of [null, undefined, {}, { type: 'TIMTextElem', payload: { text: 'hi' } }, { type: 'TIMCustomElem' },
    { type: 'TIMCustomElem', payload: { data: 'not json' } }, { type: 'TIMCustomElem', payload: { data: '{"businessID":2}' } },
    { type: 'TIMCustomElem', payload: { data: '{"businessID":1,"actionType":1,"data":"{bad"}' } },
    { type: 'TIMCustomElem', payload: { data: '{"businessID":1,"actionType":9}' } }]) {
    assert.equal(typeof extractCallingInfoFromMessage(m), 'string');
  }
  assert.equal(extractCallingInfoFromMessage({ type: 'TIMTextElem' }), '');
});

test('durations as HH:MM:SS', () => {
  assert.deepEqual([formatDuration(5), formatDuration(65), formatDuration(3725), formatDuration(-1)],
    ['00:00:05', '00:01:05', '01:02:05', '00:00:00']);
});
