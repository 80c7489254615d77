import { CALL_TYPE } from './constants.js';

/**
 * Call records in the shape of the signaling messages trtc-calling-js 1.x exchanges over
 * Tencent's IM (a TIMCustomElem whose payload.data is TSignaling's JSON), so that an app which
 * renders call history with extractCallingInfoFromMessage() keeps working. Our methods' results
 * carry one as data.message, as the real package's do.
 */

/** TSignaling's action types (payload.data.actionType). */
export const ACTION = Object.freeze({ INVITE: 1, CANCEL_INVITE: 2, ACCEPT_INVITE: 3, REJECT_INVITE: 4, INVITE_TIMEOUT: 5 });

const SIGNAL_BUSINESS_ID = 1;

/**
 * A message record: {@code to} is a userID (or the groupID for a group invitation); callEnd
 * (seconds) marks the message that ends a call.
 */
export function signalingMessage({ action, callId, from, to, group = false, inviter, invitees = [], groupId = '',
  callType = CALL_TYPE.VIDEO_CALL, roomId = 0, callEnd, now = Date.now() }) {
  const inner = { version: 4, businessID: 'av_call', platform: 'Web', extraInfo: '', call_type: callType, room_id: roomId };
  if (callEnd !== undefined) inner.call_end = callEnd;
  const conversationType = group ? 'GROUP' : 'C2C';
  return {
    ID: `${callId}-${action}-${from}`,
    type: 'TIMCustomElem',
    conversationType,
    conversationID: `${conversationType}${to}`,
    from,
    to,
    flow: 'out',
    time: Math.floor(now / 1000),
    payload: {
      data: JSON.stringify({
        businessID: SIGNAL_BUSINESS_ID, inviteID: callId, inviter, actionType: action,
        inviteeList: invitees, groupID: groupId || '', data: JSON.stringify(inner),
      }),
      description: '',
      extension: '',
    },
  };
}

/**
 * What a call message says, as the real package words it (its strings, in Chinese): the app
 * shows them in a chat's history. '' for anything that is not a call message.
 */
export function extractCallingInfoFromMessage(message) {
  if (!message || message.type !== 'TIMCustomElem' || !message.payload) return '';
  const signal = parse(message.payload.data);
  if (!signal || signal.businessID !== SIGNAL_BUSINESS_ID) return '';
  switch (signal.actionType) {
    case ACTION.INVITE: {
      const data = parse(signal.data) || {};
      if (data.call_end > 0) return `结束通话，通话时长：${formatDuration(data.call_end)}`;
      return data.call_end !== 0 && data.room_id ? '发起通话' : '结束群聊';
    }
    case ACTION.CANCEL_INVITE:
      return '取消通话';
    case ACTION.ACCEPT_INVITE:
      return '已接听';
    case ACTION.REJECT_INVITE:
      return '拒绝通话';
    case ACTION.INVITE_TIMEOUT:
      return '无应答';
    default:
      return '';
  }
}

/** Seconds as HH:MM:SS. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

function parse(text) {
  if (typeof text !== 'string') return null;
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : null;
  } catch (e) {
    return null; // not ours to judge: just not a call message
  }
}
