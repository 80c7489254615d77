import { CALL_STATUS, CALL_TYPE, EVENT } from './constants.js';

/**
 * One call as this user sees it, and the server frames about it turned into the real package's
 * events: plain data in, a list of effects out, no timers, sockets or media (the SDK carries the
 * effects out). The rules, and the real package's sequences they follow, are in docs/sdk.md.
 *
 * Effects: {emit: name, payload}; {connect: userID} (open media to a member who joined);
 * {disconnect: userID}; {end: true} (the call is over here); {applyType: callType}.
 */
export class Call {
  constructor({ callId = null, me, inviter, type, groupId = null, group = false, invitees = [], ringing = null, sfu = false }) {
    this.callId = callId;
    this.me = me;
    this.inviter = inviter;
    this.type = type;
    this.groupId = groupId;
    this.group = group || !!groupId || invitees.length >= 2;
    this.invitees = [...invitees];
    /** Invitees who have not answered yet (the real package's "unhandled" list). */
    this.unhandled = new Set((ringing || invitees).filter((u) => u !== me));
    /** Members known to be in the call (the inviter from the start). */
    this.members = new Set([inviter]);
    /** Members whose media this user has (USER_ENTER told). */
    this.entered = new Set();
    /** Members who left; a late offer from one is ignored. */
    this.left = new Set();
    this.status = CALL_STATUS.CALLING;
    this.accepting = false;
    this.connectedAt = 0;
    this.sfu = sfu;
    /** The invitation this user sent, until its first answer (getInviterInviteID()). */
    this.inviteIds = [];
    /** Frames about our invitation that came before its invite-ok: handled right after it. */
    this.early = null;
  }

  get isInviter() {
    return this.inviter === this.me;
  }

  /** A call this user places (its callId comes with invite-ok). */
  static outgoing(me, callees, type, groupId) {
    const c = new Call({ me, inviter: me, type, groupId, group: !!groupId, invitees: callees });
    c.early = [];
    return c;
  }

  /** A call this user is invited to. */
  static incoming(me, f) {
    return new Call({
      callId: f.callId, me, inviter: f.caller, type: callTypeOf(f.callType), groupId: f.groupId || null,
      invitees: f.userIds || [], ringing: Array.isArray(f.ringing) ? f.ringing : null, sfu: f.media === 'sfu',
    });
  }

  /** The INVITED payload, as the real package gives it. */
  invitation() {
    return {
      sponsor: this.inviter,
      userIDList: [...this.invitees],
      isFromGroup: this.group,
      inviteID: this.callId,
      inviteData: { version: 4, callType: this.type, callEnd: 0, roomID: roomIdOf(this.callId) },
    };
  }

  /** invite-ok came: the inviter is in the call from now on (as the real package's is, in its room). */
  sent(ok) {
    this.callId = ok.callId;
    this.sfu = ok.media === 'sfu';
    this.status = CALL_STATUS.CONNECTED;
    this.members.add(this.me);
    this.inviteIds = [ok.callId];
  }

  /** Our own accept-ok came. */
  joined(now) {
    this.status = CALL_STATUS.CONNECTED;
    this.accepting = false;
    this.members.add(this.me);
    this.unhandled.delete(this.me);
    if (!this.connectedAt) this.connectedAt = now;
  }

  /** A member's media arrived (or their offer): USER_ENTER, once. */
  entering(userId) {
    if (userId === this.me || this.entered.has(userId) || this.left.has(userId)) return [];
    this.entered.add(userId);
    this.unhandled.delete(userId); // in the call: no longer ringing
    return [emit(EVENT.USER_ENTER, { userID: userId })];
  }

  /** Whether this user leaving ends the call: it was answered, and fewer than two others remain in it or ringing. */
  endsWhenLeft() {
    if (!this.connectedAt || this.status !== CALL_STATUS.CONNECTED) return false;
    const others = new Set([...this.members, ...this.entered]);
    others.delete(this.me);
    for (const u of this.left) others.delete(u);
    return others.size + this.unhandled.size < 2;
  }

  /** The CALLING_END payload (callEnd in seconds). */
  endPayload(callEnd, reason) {
    return { userID: this.inviter, callEnd, inviteID: this.callId, reason };
  }

  /** Seconds since this call was first answered. */
  secondsSince(now) {
    return this.connectedAt ? Math.round((now - this.connectedAt) / 1000) : 0;
  }

  remoteCount() {
    let n = 0;
    for (const u of this.entered) if (!this.left.has(u)) n++;
    return n;
  }

  /** A server frame about this call → effects. */
  onFrame(f, now) {
    const handler = FRAMES[f.type];
    return handler ? handler(this, f, now) : [];
  }

  _answered(userId) {
    this.unhandled.delete(userId);
    this.inviteIds = [];
  }

  _inviteeList() {
    return emit(EVENT.GROUP_CALL_INVITEE_LIST_UPDATE, { userIDList: [...this.unhandled] });
  }
}

const FRAMES = {
  accepted(c, f, now) {
    const u = f.userId;
    c.members.add(u);
    c.left.delete(u); // re-invited and back
    c._answered(u);
    if (!c.connectedAt) c.connectedAt = now;
    const fx = [emit(EVENT.USER_ACCEPT, { userID: u })];
    if (c.group) fx.push(c._inviteeList());
    // Peer to peer, those in the call open media to whoever joins (the SFU sends its media itself).
    if (!c.sfu && (c.status === CALL_STATUS.CONNECTED || c.accepting)) {
      fx.push(...c.entering(u), { connect: u });
    }
    return fx;
  },
  rejected(c, f) {
    c._answered(f.userId);
    return [emit(EVENT.REJECT, { userID: f.userId })];
  },
  busy(c, f) {
    c._answered(f.userId);
    return [emit(EVENT.LINE_BUSY, { sponsor: c.inviter, userID: f.userId })];
  },
  'no-answer'(c, f) {
    const ids = f.userIds || [];
    ids.forEach((u) => c.unhandled.delete(u));
    c.inviteIds = [];
    return [emit(EVENT.NO_RESP, { sponsor: c.inviter, userIDList: ids })];
  },
  cancelled(c) {
    return [{ end: true }, emit(EVENT.CALLING_CANCEL, { inviteID: c.callId, invitee: c.me })];
  },
  timeout(c) {
    // Our ringing stopped unanswered: the real package says so, then that the call ended for us.
    return [{ end: true },
      emit(EVENT.CALLING_TIMEOUT, { sponsor: c.inviter, userIDList: [...c.invitees], inviteID: c.callId }),
      emit(EVENT.CALLING_END, c.endPayload(0, 'timeout'))];
  },
  left(c, f) {
    const u = f.userId;
    c.members.delete(u);
    c.entered.delete(u);
    c.left.add(u);
    c.unhandled.delete(u);
    const fx = [{ disconnect: u }, emit(EVENT.USER_LEAVE, { userID: u })];
    if (c.group && c.unhandled.size) fx.push(c._inviteeList());
    return fx;
  },
  ended(c, f) {
    // A 1v1 call refused before anyone answered ends with REJECT or LINE_BUSY alone (as in the
    // real package); every other end is CALLING_END.
    if (!c.group && !c.connectedAt && (f.reason === 'rejected' || f.reason === 'busy')) return [{ end: true }];
    return [{ end: true }, emit(EVENT.CALLING_END, c.endPayload(Math.round((f.duration || 0) / 1000), f.reason))];
  },
  'invitee-list'(c, f) {
    c.invitees = f.userIds || c.invitees;
    c.group = true;
    if (f.groupId) c.groupId = f.groupId;
    if (Array.isArray(f.ringing)) {
      c.unhandled = new Set(f.ringing.filter((u) => u !== c.me));
    } else {
      for (const u of c.invitees) if (!c.members.has(u) && !c.entered.has(u) && u !== c.me) c.unhandled.add(u);
    }
    return [c._inviteeList()];
  },
  'type-changed'(c, f) {
    const oldCallType = c.type;
    const newCallType = callTypeOf(f.callType);
    if (oldCallType === newCallType) return [];
    c.type = newCallType;
    return [{ applyType: newCallType }, emit(EVENT.CALL_TYPE_CHANGED, { oldCallType, newCallType })];
  },
  media(c, f) {
    const fx = [];
    if (typeof f.video === 'boolean') fx.push(emit(EVENT.USER_VIDEO_AVAILABLE, { userID: f.userId, isVideoAvailable: f.video }));
    if (typeof f.audio === 'boolean') fx.push(emit(EVENT.USER_AUDIO_AVAILABLE, { userID: f.userId, isAudioAvailable: f.audio }));
    return fx;
  },
};

function emit(name, payload) {
  return { emit: name, payload };
}

export function callTypeOf(wire) {
  return wire === 'audio' ? CALL_TYPE.AUDIO_CALL : CALL_TYPE.VIDEO_CALL;
}

export function wireType(type) {
  return Number(type) === CALL_TYPE.AUDIO_CALL ? 'audio' : 'video';
}

/** A stable positive 32-bit number for the real package's numeric roomID (FNV-1a of the callId). */
export function roomIdOf(callId) {
  if (!callId) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < callId.length; i++) {
    h ^= callId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 4294967294 + 1;
}
