package org.opencalling.signaling.calls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.opencalling.signaling.routing.Delivery;

/** Call operations of logged-in users: the stored state machine, and its effects delivered. */
@Singleton
public class CallService {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(CallService.class);
    public static final long DEFAULT_TIMEOUT_MS = 30_000;

    @Inject
    CallStore store;

    @Inject
    Delivery delivery;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    @Inject
    Clock clock;


    @Inject
    org.opencalling.signaling.sfu.SfuRooms sfu;

    /** Whether a new call of this kind (group or not) sends its media through the SFU. */
    public boolean sfuFor(String groupId) {
        return sfu.usesSfu(groupId);
    }

    /** Whether this call's media goes through the SFU: as decided when it was placed. */
    public boolean usesSfu(Call c) {
        return c.sfu() != null ? c.sfu() : sfu.usesSfu(c.groupId());
    }

    /**
     * A member's browser asks for its SFU transport (sdp null) or answers the SFU's offer. Only
     * members in the call, of calls that use the SFU. A join carries the video codecs the browser
     * can use, most preferred first (the first member's preference sets the room's), and the
     * browser's name for the transport, which the SFU's offers for it carry.
     */
    public void sfu(String callId, long app, String user, String sdp, List<String> videoCodecs, String transport) {
        Call c = store.load(callId);
        if (c == null || c.sdkAppId() != app || c.participants().stream()
                .noneMatch(p -> p.userId().equals(user) && p.state().inCall())) {
            throw new Call.Refused("not-in-call", "not in this call");
        }
        if (!usesSfu(c)) {
            throw new Call.Refused("not-sfu", "this call's media is peer to peer");
        }
        if (sdp == null) {
            sfu.join(c, user, c.type() == CallType.VIDEO, videoCodecs, transport);
        } else {
            sfu.answer(c, user, sdp);
        }
    }

    /** Starts a call; a callee already ringing or in another call answers busy at once. */
    public String invite(long app, String caller, List<String> callees, CallType type, String groupId, long timeoutMs) {
        return invite(app, caller, callees, type, groupId, timeoutMs, Delivery.nowMicros());
    }

    /** As above; {@code rxMicros} is when the invite came in (for the delivery latency metric). */
    public String invite(long app, String caller, List<String> callees, CallType type, String groupId, long timeoutMs,
                         long rxMicros) {
        long now = clock.millis();
        String callId = UUID.randomUUID().toString();
        List<Effect> effects = new ArrayList<>();
        // Validated first (no keys taken for a call that cannot exist), then the busy keys are
        // taken in one step: of two calls racing for a callee, only one rings it.
        Call c = Call.invite(callId, app, caller, callees, type, groupId, sfu.usesSfu(groupId), timeoutMs, now, effects);
        List<String> busy = store.claimBusy(app, callId, caller, callees, timeoutMs + 60_000);
        // The busy ones never hear the invitation: drop their notification, answer for them.
        List<Effect> toSend = new ArrayList<>(withoutInvitationsTo(effects, busy));
        for (String b : busy) {
            c.busy(b, now, toSend);
        }
        try {
            store.create(c, toSend);
        } catch (RuntimeException e) {
            List<String> users = new ArrayList<>(callees);
            users.add(caller);
            try {
                store.releaseBusy(app, callId, users);
            } catch (RuntimeException ignored) {
                // they expire with the ringing time
            }
            throw e;
        }
        registry.counter("signaling.calls", "outcome", "invited").increment();
        deliver(c, toSend, timeoutMs, rxMicros);
        return callId;
    }

    /** accept, reject, busy, cancel or hangup, by a member of the call. */
    public void answer(String callId, String user, String op) {
        update(callId, user, (c, now, fx) -> {
            switch (op) {
                case "accept" -> c.accept(user, now, fx);
                case "reject" -> c.reject(user, now, fx);
                case "busy" -> c.busy(user, now, fx);
                case "hangup" -> c.hangup(user, now, fx);
                case "cancel" -> {
                    if (!user.equals(c.caller())) {
                        throw new Call.Refused("not-caller", "only the caller cancels");
                    }
                    c.cancel(now, fx);
                }
                default -> throw new Call.Refused("unknown-type", op);
            }
        });
    }

    public void switchType(String callId, String user, CallType type) {
        update(callId, user, (c, now, fx) -> c.switchType(user, type, fx));
    }

    /** More users rung into the call ({@code groupId} for a 1v1 call becoming a group call, or null). */
    public void inviteMore(String callId, String user, List<String> users, String groupId) {
        update(callId, user, (c, now, fx) -> inviteMore(c, user, users, groupId, now, fx));
    }

    /** {@code state}: video-on, video-off, audio-on or audio-off. */
    public void media(String callId, String user, String state) {
        update(callId, user, (c, now, fx) -> c.mediaState(user, state, fx));
    }

    private interface Change {
        void apply(Call c, long now, List<Effect> fx);
    }

    /** One change to a call by one of its members, stored, then its effects delivered. */
    private void update(String callId, String user, Change change) {
        long rxMicros = Delivery.nowMicros();
        long now = clock.millis();
        Call[] after = new Call[1];
        List<Effect> effects = store.update(callId, (c, fx) -> {
            requireMember(c, user);
            change.apply(c, now, fx);
            after[0] = c;
        });
        if (after[0] != null) {
            deliver(after[0], effects, DEFAULT_TIMEOUT_MS, rxMicros);
        }
    }

    /**
     * Rings more users into a running call (a 1v1 call becomes a group call); one already in another
     * call answers busy at once.
     */
    private void inviteMore(Call c, String by, List<String> users, String groupId, long now, List<Effect> fx) {
        List<Effect> mine = new ArrayList<>();
        c.inviteMore(by, users, groupId, DEFAULT_TIMEOUT_MS, now, mine); // validated before any key is taken
        // Taken in one step, as for a new call: of two calls racing for a user only one rings it.
        List<String> busy = store.claimBusy(c.sdkAppId(), c.callId(), by, users, DEFAULT_TIMEOUT_MS + 60_000);
        for (Effect e : withoutInvitationsTo(mine, busy)) {
            fx.add(e);
        }
        for (String b : busy) {
            if (c.ringsUntil(b) > 0) {
                c.busy(b, now, fx);
            }
        }
    }

    /** The effects, with the invitation notifications of these (busy) users taken out. */
    private static List<Effect> withoutInvitationsTo(List<Effect> effects, List<String> busy) {
        if (busy.isEmpty()) {
            return effects;
        }
        List<Effect> out = new ArrayList<>();
        for (Effect e : effects) {
            if (e instanceof Effect.Notify n && n.what().equals("invited")) {
                List<String> to = n.to().stream().filter(u -> !busy.contains(u)).toList();
                if (!to.isEmpty()) {
                    out.add(new Effect.Notify(to, n.what(), n.about(), n.users()));
                }
            } else {
                out.add(e);
            }
        }
        return out;
    }

    /** The user leaves (or, while ringing, declines) whatever call they are in. */
    public void leaveAny(long app, String user) {
        String callId = store.callOf(app, user);
        if (callId != null) {
            try {
                answer(callId, user, "hangup");
            } catch (Call.Refused e) {
                // already out of it
            }
        }
    }

    /**
     * A session displaced by a login elsewhere at {@code takeoverMs} leaves its call, but not a
     * call placed, or answered by the user, after the takeover: that one is the new session's
     * (a kick can be handled after the new session was already invited, or accepted, again).
     * The pods' clocks are assumed to agree within a few milliseconds.
     */
    public void leaveDisplaced(long app, String user, long takeoverMs) {
        String callId = store.callOf(app, user);
        Call c = callId == null ? null : store.load(callId);
        if (c == null || c.createdAt() >= takeoverMs) {
            return;
        }
        boolean answeredSince = c.participants().stream()
                .anyMatch(p -> p.userId().equals(user) && !user.equals(c.caller()) && p.answeredAt() >= takeoverMs);
        if (answeredSince) {
            return;
        }
        try {
            answer(callId, user, "hangup");
        } catch (Call.Refused e) {
            // already out of it
        }
    }

    /** Ends a call from outside (REST DELETE): ringing callees are told it was cancelled. */
    public Call terminate(String callId, String reason) {
        long now = clock.millis();
        Call[] after = new Call[1];
        List<Effect> effects = store.update(callId, (c, fx) -> {
            c.terminate(reason, now, fx);
            after[0] = c;
        });
        if (after[0] != null) {
            deliver(after[0], effects, DEFAULT_TIMEOUT_MS, 0);
            return after[0];
        }
        return store.load(callId);
    }

    public Call load(String callId) {
        return store.load(callId);
    }

    /** SDP and ICE go only between members of the same call. */
    public void relay(String callId, long app, String from, String to, String type, JsonNode payload) {
        Call c = store.load(callId);
        if (c == null || c.sdkAppId() != app || !c.mayRelay(from, to)) {
            throw new Call.Refused("not-in-call", "both users must be in this call");
        }
        ObjectNode frame = frame(type, callId);
        frame.put("from", from);
        frame.set(type.equals("sdp") ? "description" : "candidate", payload);
        delivery.toUser(app, to, frame);
    }

    /** Fires due ringing deadlines (called by any pod; the store makes it happen once). */
    public int fireTimeouts(int limit) {
        long now = clock.millis();
        int fired = 0;
        for (String callId : store.due(now, limit)) {
            Call[] after = new Call[1];
            try {
                List<Effect> effects = store.update(callId, (c, fx) -> {
                    c.timeout(now, fx);
                    after[0] = c;
                });
                if (!effects.isEmpty()) {
                    fired++;
                    deliver(after[0], effects, DEFAULT_TIMEOUT_MS, 0);
                }
            } catch (Call.Refused e) {
                store.forgetDeadline(callId); // the record expired: nothing left to time out
            }
        }
        return fired;
    }

    /**
     * Invitations held while the user was offline, delivered now (at login) if they still ring.
     * (The seed's component cannot do this: its invitations to offline users are lost.)
     */
    public int deliverHeldInvitations(long app, String user) {
        long now = clock.millis();
        int delivered = 0;
        for (String callId : store.takeInvitations(app, user, now)) {
            Call c = store.load(callId);
            long until = c == null ? -1 : c.ringsUntil(user);
            if (until > now) {
                List<String> invited = c.participants().stream().map(Participant::userId)
                        .filter(u -> !u.equals(c.caller())).toList();
                ObjectNode f = frame(new Effect.Notify(List.of(user), "invited", c.caller(), invited), c, until - now);
                if (delivery.toUser(app, user, f)) {
                    delivered++;
                }
            }
        }
        return delivered;
    }

    private void deliver(Call c, List<Effect> effects, long timeoutMs, long rxMicros) {
        for (Effect e : effects) {
            if (e instanceof Effect.Notify n) {
                ObjectNode f = frame(n, c, timeoutMs);
                for (String u : n.to()) {
                    // The change is stored: one recipient's failure must not cost the others theirs.
                    try {
                        if (n.what().equals("invited") && c.ringsUntil(u) > 0) {
                            // Offline (or its pod gone): held, in the same step, for its next login.
                            delivery.inviteOrHold(c.sdkAppId(), u, f.deepCopy(), rxMicros,
                                    CallStore.pendingKey(c.sdkAppId(), u), c.callId(), c.ringsUntil(u));
                        } else {
                            delivery.toUser(c.sdkAppId(), u, f.deepCopy(), rxMicros);
                        }
                    } catch (RuntimeException ex) {
                        registry.counter("signaling.errors", "kind", "delivery-failed").increment();
                        LOG.warnf("%s for %s in call %s not delivered: %s", n.what(), u, c.callId(), ex.toString());
                    }
                }
            } else if (e instanceof Effect.Event ev) {
                // Its Kafka record went to the outbox with the change (CallStore).
                if (usesSfu(c) && (ev.type().equals("left") || ev.type().equals("ended"))) {
                    try {
                        if (ev.type().equals("left")) {
                            sfu.leave(c, ev.userId());
                        } else {
                            sfu.end(c);
                        }
                    } catch (RuntimeException ex) {
                        LOG.warnf("SFU room of call %s not told: %s", c.callId(), ex.toString());
                    }
                }
                if (ev.type().equals("ended")) {
                    registry.counter("signaling.calls", "outcome", c.endReason()).increment();
                }
            }
        }
    }

    private ObjectNode frame(Effect.Notify n, Call c, long timeoutMs) {
        ObjectNode f = frame(n.what().startsWith("video-") || n.what().startsWith("audio-") ? "media" : n.what(),
                c.callId());
        switch (n.what()) {
            case "invited" -> {
                f.put("caller", c.caller());
                f.put("callType", c.type().wire());
                f.put("groupId", c.groupId());
                f.put("media", usesSfu(c) ? "sfu" : "p2p");
                f.set("userIds", json.valueToTree(n.users()));
                f.set("ringing", json.valueToTree(c.ringing()));
                f.put("timeoutSeconds", Math.max(1, (timeoutMs + 999) / 1000));
            }
            case "no-answer" -> f.set("userIds", json.valueToTree(n.users()));
            case "invitee-list" -> {
                f.set("userIds", json.valueToTree(n.users()));
                f.set("ringing", json.valueToTree(c.ringing()));
                f.put("groupId", c.groupId());
            }
            case "ended" -> {
                f.put("reason", c.endReason());
                f.put("duration", c.duration());
            }
            case "type-changed" -> f.put("callType", c.type().wire());
            case "cancelled", "timeout" -> { }
            default -> {
                f.put("userId", n.about());
                if (n.what().startsWith("video-") || n.what().startsWith("audio-")) {
                    f.put(n.what().substring(0, 5), n.what().endsWith("-on"));
                }
            }
        }
        return f;
    }

    private ObjectNode frame(String type, String callId) {
        ObjectNode f = json.createObjectNode();
        f.put("type", type);
        f.put("callId", callId);
        return f;
    }

    private static void requireMember(Call c, String user) {
        if (c.participants().stream().noneMatch(p -> p.userId().equals(user))) {
            throw new Call.Refused("not-in-call", "not a member of this call");
        }
    }

    public static CallType callType(String wire) {
        CallType t = CallType.fromWire(wire);
        if (t == null) {
            throw new Call.Refused("invalid-field", "callType must be audio or video");
        }
        return t;
    }
}
