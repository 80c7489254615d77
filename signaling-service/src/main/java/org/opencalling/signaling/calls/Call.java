package org.opencalling.signaling.calls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The call state machine: plain Java, no I/O, no clock (every transition is given the time).
 * Each transition checks who may do it, changes the participants and returns the
 * {@link Effect}s: whom to tell what, and which call events to publish.
 *
 * <p>Rules. The caller is in the call from the start. A call is {@code ringing} until a callee
 * accepts, then {@code active}; it ends as soon as fewer than two participants remain in it or
 * ringing. Each callee rings until its own deadline ({@code timeout} from when it was invited).
 * The caller hanging up before anyone accepted cancels the call.
 */
public final class Call {
    private final String callId;
    private final long sdkAppId;
    private final String caller;
    private String groupId;
    /** Whether its media goes through the SFU: decided when it is placed, kept if it becomes a group call (null: a record older than this field). */
    private final Boolean sfu;
    private CallType type;
    private CallState state = CallState.RINGING;
    private final long createdAt;
    private long startedAt;
    private long endedAt;
    private String endReason;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    private final Map<String, Long> ringUntil = new LinkedHashMap<>();
    /** Call events emitted so far: the next one's sequence number (its id is callId:seq). */
    private int events;

    private Call(String callId, long sdkAppId, String caller, String groupId, Boolean sfu, CallType type, long now) {
        this.callId = callId;
        this.sdkAppId = sdkAppId;
        this.caller = caller;
        this.groupId = groupId;
        this.sfu = sfu;
        this.type = type;
        this.createdAt = now;
    }

    /** Thrown for a transition the user may not make now; the message is for the client. */
    public static final class Refused extends RuntimeException {
        private final String code;

        public Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /**
     * A new call: the caller invites the callees, each ringing for {@code timeoutMs}; {@code sfu}:
     * whether its media goes through the SFU.
     */
    public static Call invite(String callId, long sdkAppId, String caller, List<String> callees, CallType type,
                              String groupId, boolean sfu, long timeoutMs, long now, List<Effect> effects) {
        if (callees.isEmpty()) {
            throw new Refused("no-callee", "invite at least one user");
        }
        if (callees.contains(caller)) {
            throw new Refused("self-call", "a user cannot call themselves");
        }
        if (groupId == null && callees.size() > 1) {
            throw new Refused("group-required", "a call to several users is a group call: give a groupId");
        }
        Call c = new Call(callId, sdkAppId, caller, groupId, sfu, type, now);
        c.participants.put(caller, new Participant(caller, ParticipantState.ACCEPTED, now, now));
        c.ring(callees, timeoutMs, now, effects);
        return c;
    }

    private void ring(List<String> users, long timeoutMs, long now, List<Effect> effects) {
        List<String> fresh = new ArrayList<>();
        for (String u : users) {
            Participant p = participants.get(u);
            if (p != null && (p.state() == ParticipantState.RINGING || p.state().inCall())) {
                continue; // already ringing or in the call
            }
            participants.put(u, new Participant(u, ParticipantState.RINGING, now, 0));
            ringUntil.put(u, now + timeoutMs);
            fresh.add(u);
            event(effects, "invited", u);
        }
        if (!fresh.isEmpty()) {
            effects.add(new Effect.Notify(fresh, "invited", caller, List.copyOf(allInvited())));
        }
    }

    /**
     * A member invites more users. A 1v1 call becomes a group call (as trtc-calling-js's groupCall
     * during a call does), taking {@code newGroupId} (its callId if none is given); its media stays
     * as it was (peer to peer: a mesh).
     */
    public void inviteMore(String by, List<String> users, String newGroupId, long timeoutMs, long now, List<Effect> effects) {
        requireOpen();
        requireInCall(by);
        if (groupId == null) {
            if (newGroupId != null && (newGroupId.isEmpty() || newGroupId.length() > 64)) {
                throw new Refused("invalid-field", "groupId must be 1 to 64 characters");
            }
            groupId = newGroupId != null ? newGroupId : callId;
        }
        int before = effects.size();
        ring(users, timeoutMs, now, effects);
        if (effects.size() > before) {
            effects.add(new Effect.Notify(othersInCall(null), "invitee-list", by, List.copyOf(allInvited())));
        }
    }

    public void accept(String user, long now, List<Effect> effects) {
        requireOpen();
        requireRinging(user);
        participants.put(user, participants.get(user).with(ParticipantState.ACCEPTED, now));
        ringUntil.remove(user);
        event(effects, "accepted", user);
        if (state == CallState.RINGING) {
            state = CallState.ACTIVE;
            startedAt = now;
            event(effects, "joined", caller); // the caller is in the call from now on
        }
        event(effects, "joined", user);
        effects.add(new Effect.Notify(othersInCall(user), "accepted", user, List.of()));
    }

    public void reject(String user, long now, List<Effect> effects) {
        answerNo(user, ParticipantState.REJECTED, "rejected", now, effects);
    }

    /** The callee is in another call (found by signaling) or said busy. */
    public void busy(String user, long now, List<Effect> effects) {
        answerNo(user, ParticipantState.BUSY, "busy", now, effects);
    }

    private void answerNo(String user, ParticipantState to, String what, long now, List<Effect> effects) {
        requireOpen();
        requireRinging(user);
        participants.put(user, participants.get(user).with(to, now));
        ringUntil.remove(user);
        event(effects, what, user);
        effects.add(new Effect.Notify(othersInCall(user), what, user, List.of()));
        endIfTooFew(what, now, effects);
    }

    /** Callees still ringing at {@code now} stop; the caller learns exactly who did not answer. */
    public void timeout(long now, List<Effect> effects) {
        if (state == CallState.ENDED) {
            return;
        }
        List<String> missed = new ArrayList<>();
        for (Map.Entry<String, Long> e : List.copyOf(ringUntil.entrySet())) {
            if (e.getValue() <= now) {
                String u = e.getKey();
                participants.put(u, participants.get(u).with(ParticipantState.TIMEOUT, now));
                ringUntil.remove(u);
                missed.add(u);
                event(effects, "timeout", u);
            }
        }
        if (missed.isEmpty()) {
            return;
        }
        effects.add(new Effect.Notify(List.copyOf(missed), "timeout", caller, List.copyOf(missed)));
        effects.add(new Effect.Notify(othersInCall(null), "no-answer", caller, List.copyOf(missed)));
        endIfTooFew("timeout", now, effects);
    }

    /**
     * A user leaves: a callee still ringing rejects; the caller before anyone accepted cancels;
     * otherwise the user leaves the call.
     */
    public void hangup(String user, long now, List<Effect> effects) {
        requireOpen();
        Participant p = participants.get(user);
        if (p == null) {
            throw new Refused("not-in-call", user + " is not in this call");
        }
        if (p.state() == ParticipantState.RINGING) {
            reject(user, now, effects);
            return;
        }
        requireInCall(user);
        if (user.equals(caller) && state == CallState.RINGING) {
            cancel(now, effects);
            return;
        }
        participants.put(user, p.with(ParticipantState.LEFT, now));
        event(effects, "left", user);
        effects.add(new Effect.Notify(othersInCall(user), "left", user, List.of()));
        endIfTooFew("hangup", now, effects);
    }

    /** The caller gives up before an answer: every callee stops ringing. */
    public void cancel(long now, List<Effect> effects) {
        requireOpen();
        if (state != CallState.RINGING) {
            throw new Refused("already-answered", "the call was answered; hang up instead");
        }
        List<String> ringing = stopRinging(ParticipantState.CANCELLED, "cancelled", now, effects);
        if (!ringing.isEmpty()) {
            effects.add(new Effect.Notify(ringing, "cancelled", caller, List.of()));
        }
        end("cancelled", now, effects);
    }

    /** Ended from outside (REST DELETE, or an administrator). */
    public void terminate(String reason, long now, List<Effect> effects) {
        if (state == CallState.ENDED) {
            return;
        }
        List<String> ringing = stopRinging(ParticipantState.CANCELLED, "cancelled", now, effects);
        if (!ringing.isEmpty()) {
            effects.add(new Effect.Notify(ringing, "cancelled", caller, List.of()));
        }
        end(reason, now, effects);
    }

    /** Audio↔video; told to the others in the call. */
    public void switchType(String by, CallType to, List<Effect> effects) {
        requireOpen();
        requireInCall(by);
        if (to != type) {
            type = to;
            effects.add(new Effect.Notify(othersInCall(by), "type-changed", by, List.of()));
        }
    }

    /** Camera or microphone on/off ({@code what} e.g. "video-on"), told to the others in the call. */
    public void mediaState(String by, String what, List<Effect> effects) {
        requireOpen();
        requireInCall(by);
        effects.add(new Effect.Notify(othersInCall(by), what, by, List.of()));
    }

    /** Whether {@code from} may send SDP or ICE candidates to {@code to}: both members of this call. */
    public boolean mayRelay(String from, String to) {
        Participant a = participants.get(from);
        Participant b = participants.get(to);
        return state != CallState.ENDED && a != null && b != null && !from.equals(to)
                && (a.state().inCall() || a.state() == ParticipantState.RINGING)
                && (b.state().inCall() || b.state() == ParticipantState.RINGING);
    }

    private List<String> stopRinging(ParticipantState to, String event, long now, List<Effect> effects) {
        List<String> ringing = new ArrayList<>();
        for (String u : List.copyOf(ringUntil.keySet())) {
            participants.put(u, participants.get(u).with(to, now));
            ringing.add(u);
            event(effects, event, u);
        }
        ringUntil.clear();
        return ringing;
    }

    private void endIfTooFew(String reason, long now, List<Effect> effects) {
        long remaining = participants.values().stream()
                .filter(p -> p.state().inCall() || p.state() == ParticipantState.RINGING).count();
        if (remaining < 2) {
            List<String> ringing = stopRinging(ParticipantState.CANCELLED, "cancelled", now, effects);
            if (!ringing.isEmpty()) {
                effects.add(new Effect.Notify(ringing, "cancelled", caller, List.of()));
            }
            end(reason, now, effects);
        }
    }

    private void end(String reason, long now, List<Effect> effects) {
        List<String> stillIn = othersInCall(null);
        for (String u : stillIn) {
            participants.put(u, participants.get(u).with(ParticipantState.LEFT, now));
        }
        state = CallState.ENDED;
        endReason = reason;
        endedAt = now;
        if (!stillIn.isEmpty()) {
            effects.add(new Effect.Notify(stillIn, "ended", null, List.of()));
        }
        event(effects, "ended", null);
    }

    /** A call event, numbered in the call's order: a consumer finds duplicates and gaps by {@code seq}. */
    private void event(List<Effect> effects, String type, String user) {
        effects.add(new Effect.Event(type, user, events++));
    }

    private List<String> othersInCall(String except) {
        List<String> out = new ArrayList<>();
        for (Participant p : participants.values()) {
            if (p.state().inCall() && !p.userId().equals(except)) {
                out.add(p.userId());
            }
        }
        return out;
    }

    private List<String> allInvited() {
        List<String> out = new ArrayList<>();
        for (Participant p : participants.values()) {
            if (!p.userId().equals(caller)) {
                out.add(p.userId());
            }
        }
        return out;
    }

    private void requireOpen() {
        if (state == CallState.ENDED) {
            throw new Refused("call-ended", "the call has ended");
        }
    }

    private void requireRinging(String user) {
        Participant p = participants.get(user);
        if (p == null || p.state() != ParticipantState.RINGING) {
            throw new Refused("not-ringing", user + " is not being called");
        }
    }

    private void requireInCall(String user) {
        Participant p = participants.get(user);
        if (p == null || !p.state().inCall()) {
            throw new Refused("not-in-call", user + " is not in this call");
        }
    }

    public String callId() {
        return callId;
    }

    public long sdkAppId() {
        return sdkAppId;
    }

    public String caller() {
        return caller;
    }

    public String groupId() {
        return groupId;
    }

    public CallType type() {
        return type;
    }

    /** Whether the media goes through the SFU; null for a record stored before this was kept. */
    public Boolean sfu() {
        return sfu;
    }

    /** The users ringing now, in invitation order. */
    public List<String> ringing() {
        return List.copyOf(ringUntil.keySet());
    }

    public CallState state() {
        return state;
    }

    public long createdAt() {
        return createdAt;
    }

    public long startedAt() {
        return startedAt;
    }

    public long endedAt() {
        return endedAt;
    }

    public String endReason() {
        return endReason;
    }

    /** Milliseconds the call was active (0 if never answered). */
    public long duration() {
        return startedAt == 0 || endedAt == 0 ? 0 : endedAt - startedAt;
    }

    public List<Participant> participants() {
        return List.copyOf(participants.values());
    }

    public CallSnapshot snapshot() {
        return new CallSnapshot(callId, sdkAppId, caller, groupId, type, state, createdAt, startedAt, endedAt,
                endReason, List.copyOf(participants.values()), Map.copyOf(ringUntil), sfu, events);
    }

    /** The call a snapshot describes; {@code restore(c.snapshot())} behaves exactly as {@code c}. */
    public static Call restore(CallSnapshot s) {
        Call c = new Call(s.callId(), s.sdkAppId(), s.caller(), s.groupId(), s.sfu(), s.type(), s.createdAt());
        c.state = s.state();
        c.startedAt = s.startedAt();
        c.endedAt = s.endedAt();
        c.endReason = s.endReason();
        c.events = s.events() == null ? 0 : s.events();
        for (Participant p : s.participants()) {
            c.participants.put(p.userId(), p);
        }
        // Participant order decides notification order; ring deadlines follow it too.
        for (Participant p : s.participants()) {
            Long until = s.ringUntil().get(p.userId());
            if (until != null) {
                c.ringUntil.put(p.userId(), until);
            }
        }
        return c;
    }

    /** When this user stops ringing, or -1 if they are not ringing. */
    public long ringsUntil(String user) {
        Long until = ringUntil.get(user);
        return until == null ? -1 : until;
    }

    /** The earliest moment a callee stops ringing, or -1 if nobody rings. */
    public long nextDeadline() {
        return ringUntil.values().stream().mapToLong(Long::longValue).min().orElse(-1);
    }
}
