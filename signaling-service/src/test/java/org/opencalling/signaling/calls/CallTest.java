package org.opencalling.signaling.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CallTest {
    static final long T = 1_000_000L;
    final List<Effect> fx = new ArrayList<>();

    Call oneToOne() {
        return Call.invite("c1", 1400000001L, "alice", List.of("bob"), CallType.VIDEO, null, false, 30_000, T, fx);
    }

    List<String> events() {
        return fx.stream().filter(e -> e instanceof Effect.Event).map(e -> {
            Effect.Event ev = (Effect.Event) e;
            return ev.type() + (ev.userId() == null ? "" : ":" + ev.userId());
        }).toList();
    }

    /** What each user was told, in order: user -> [what(about)] */
    Map<String, List<String>> told() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (Effect e : fx) {
            if (e instanceof Effect.Notify n) {
                for (String u : n.to()) {
                    out.computeIfAbsent(u, k -> new ArrayList<>()).add(n.what() + (n.about() == null ? "" : "(" + n.about() + ")"));
                }
            }
        }
        return out;
    }

    Map<String, String> states(Call c) {
        return c.participants().stream().collect(Collectors.toMap(Participant::userId, p -> p.state().wire(),
                (a, b) -> a, java.util.TreeMap::new));
    }

    @Test
    void eventsAreNumberedInTheCallsOrderAcrossStoredSnapshots() {
        Call c = oneToOne();
        c.accept("bob", T + 2000, fx);
        // Another pod carries on from the stored snapshot: numbering goes on where it stopped.
        Call restored = Call.restore(c.snapshot());
        restored.hangup("bob", T + 5000, fx);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), fx.stream().filter(e -> e instanceof Effect.Event)
                .map(e -> ((Effect.Event) e).seq()).toList());
        // A record stored before events were counted starts at 0.
        CallSnapshot s = c.snapshot();
        CallSnapshot old = new CallSnapshot(s.callId(), s.sdkAppId(), s.caller(), s.groupId(), s.type(), s.state(),
                s.createdAt(), s.startedAt(), s.endedAt(), s.endReason(), s.participants(), s.ringUntil(), s.sfu(), null);
        List<Effect> more = new ArrayList<>();
        Call.restore(old).hangup("alice", T + 6000, more);
        assertEquals(0, more.stream().filter(e -> e instanceof Effect.Event).map(e -> ((Effect.Event) e).seq())
                .findFirst().orElseThrow());
    }

    @Test
    void acceptThenHangup() {
        Call c = oneToOne();
        assertEquals(CallState.RINGING, c.state());
        c.accept("bob", T + 2000, fx);
        assertEquals(CallState.ACTIVE, c.state());
        assertTrue(c.mayRelay("alice", "bob"));
        c.hangup("bob", T + 62_000, fx);
        assertEquals(CallState.ENDED, c.state());
        assertEquals("hangup", c.endReason());
        assertEquals(60_000, c.duration());
        assertEquals(List.of("invited:bob", "accepted:bob", "joined:alice", "joined:bob", "left:bob", "ended"), events());
        assertEquals(Map.of("alice", List.of("accepted(bob)", "left(bob)", "ended"), "bob", List.of("invited(alice)")), told());
        assertEquals(Map.of("alice", "left", "bob", "left"), states(c));
        assertFalse(c.mayRelay("alice", "bob"), "nothing relayed after the end");
    }

    @Test
    void rejectEndsAOneToOneCall() {
        Call c = oneToOne();
        c.reject("bob", T + 1000, fx);
        assertEquals(CallState.ENDED, c.state());
        assertEquals("rejected", c.endReason());
        assertEquals(0, c.duration());
        assertEquals(List.of("rejected(bob)", "ended"), told().get("alice"));
    }

    @Test
    void busyIsAnsweredToTheCaller() {
        Call c = oneToOne();
        c.busy("bob", T, fx);
        assertEquals("busy", c.endReason());
        assertEquals(Map.of("alice", "left", "bob", "busy"), states(c));
        assertEquals(List.of("busy(bob)", "ended"), told().get("alice"));
    }

    @Test
    void callerHangingUpBeforeAnAnswerCancels() {
        Call c = oneToOne();
        c.hangup("alice", T + 5000, fx);
        assertEquals("cancelled", c.endReason());
        assertEquals(List.of("invited(alice)", "cancelled(alice)"), told().get("bob"));
        assertEquals(Map.of("alice", "left", "bob", "cancelled"), states(c));
        assertThrows(Call.Refused.class, () -> c.accept("bob", T + 6000, fx), "too late to accept");
    }

    @Test
    void timeoutTellsTheCallerWhoDidNotAnswer() {
        Call c = oneToOne();
        c.timeout(T + 29_999, fx);
        assertEquals(CallState.RINGING, c.state(), "not before the deadline");
        c.timeout(T + 30_000, fx);
        assertEquals("timeout", c.endReason());
        assertEquals(List.of("invited(alice)", "timeout(alice)"), told().get("bob"));
        assertEquals(List.of("no-answer(alice)", "ended"), told().get("alice"));
        Effect.Notify noAnswer = fx.stream().filter(e -> e instanceof Effect.Notify n && n.what().equals("no-answer"))
                .map(e -> (Effect.Notify) e).findFirst().orElseThrow();
        assertEquals(List.of("bob"), noAnswer.users());
        int before = fx.size();
        c.timeout(T + 40_000, fx);
        assertEquals(before, fx.size(), "a timeout fires once");
    }

    @Test
    void groupCallWithMixedAnswers() {
        Call c = Call.invite("g1", 1L, "alice", List.of("bob", "carol", "dave"), CallType.AUDIO, "team", false, 30_000, T, fx);
        c.accept("bob", T + 1000, fx);
        c.reject("carol", T + 2000, fx);
        assertEquals(CallState.ACTIVE, c.state());
        c.timeout(T + 30_000, fx);
        assertEquals(CallState.ACTIVE, c.state(), "alice and bob remain");
        assertEquals(Map.of("alice", "accepted", "bob", "accepted", "carol", "rejected", "dave", "timeout"), states(c));
        assertTrue(told().get("alice").contains("no-answer(alice)"));
        assertTrue(told().get("bob").contains("no-answer(alice)"), "everyone in the call learns who did not answer");
        // Invite more into the running group call.
        c.inviteMore("bob", List.of("erin", "bob"), null, 30_000, T + 31_000, fx);
        assertEquals("ringing", states(c).get("erin"));
        assertEquals(T + 61_000, c.nextDeadline());
        assertTrue(told().get("erin").contains("invited(alice)"));
        assertTrue(told().get("alice").contains("invitee-list(bob)"));
        c.accept("erin", T + 32_000, fx);
        c.hangup("alice", T + 40_000, fx);
        assertEquals(CallState.ACTIVE, c.state(), "bob and erin remain after the caller leaves");
        c.hangup("erin", T + 50_000, fx);
        assertEquals(CallState.ENDED, c.state());
        assertEquals(49_000, c.duration());
    }

    @Test
    void onlyMembersRelayAndActInTheCall() {
        Call c = oneToOne();
        assertTrue(c.mayRelay("alice", "bob"), "SDP may flow while ringing (early offer)");
        assertFalse(c.mayRelay("alice", "mallory"));
        assertFalse(c.mayRelay("mallory", "bob"));
        assertFalse(c.mayRelay("alice", "alice"));
        assertThrows(Call.Refused.class, () -> c.accept("mallory", T, fx));
        assertThrows(Call.Refused.class, () -> c.mediaState("bob", "video-off", fx), "bob has not accepted");
        assertThrows(Call.Refused.class, () -> c.inviteMore("bob", List.of("x"), null, 1000, T, fx), "bob has not accepted");
        c.accept("bob", T, fx);
        assertThrows(Call.Refused.class, () -> c.accept("bob", T, fx), "accepting twice");
        assertThrows(Call.Refused.class, () -> c.cancel(T, fx), "answered calls are hung up, not cancelled");
        fx.clear();
        c.switchType("bob", CallType.AUDIO, fx);
        c.mediaState("alice", "video-off", fx);
        assertEquals(CallType.AUDIO, c.type());
        assertEquals(Map.of("alice", List.of("type-changed(bob)"), "bob", List.of("video-off(alice)")), told());
    }

    @Test
    void invitesAreChecked() {
        assertThrows(Call.Refused.class, () -> Call.invite("x", 1L, "a", List.of(), CallType.AUDIO, null, false, 1, T, fx));
        assertThrows(Call.Refused.class, () -> Call.invite("x", 1L, "a", List.of("a"), CallType.AUDIO, null, false, 1, T, fx));
        assertThrows(Call.Refused.class, () -> Call.invite("x", 1L, "a", List.of("b", "c"), CallType.AUDIO, null, false, 1, T, fx));
    }

    @Test
    void terminateFromOutside() {
        Call c = Call.invite("g", 1L, "alice", List.of("bob", "carol"), CallType.VIDEO, "grp", false, 30_000, T, fx);
        c.accept("bob", T + 1, fx);
        c.terminate("ended-by-api", T + 10, fx);
        assertEquals("ended-by-api", c.endReason());
        assertEquals(Map.of("alice", "left", "bob", "left", "carol", "cancelled"), states(c));
        assertTrue(told().get("carol").contains("cancelled(alice)"));
    }

    @Test
    void aSnapshotCarriesTheCallToAnotherPod() {
        Call c = Call.invite("g", 1L, "alice", List.of("bob", "carol"), CallType.VIDEO, "grp", false, 30_000, T, fx);
        c.accept("bob", T + 1000, fx);
        CallSnapshot s = c.snapshot();
        Call elsewhere = Call.restore(s);
        assertEquals(s, elsewhere.snapshot());
        // Both go on identically: carol times out on either.
        List<Effect> a = new ArrayList<>();
        List<Effect> b = new ArrayList<>();
        c.timeout(T + 30_000, a);
        elsewhere.timeout(T + 30_000, b);
        assertEquals(a, b);
        assertEquals(c.snapshot(), elsewhere.snapshot());
    }

    @Test
    void aOneToOneCallTakesMoreMembersAndBecomesAGroupCall() {
        Call c = oneToOne();
        c.accept("bob", T + 1000, fx);
        fx.clear();
        c.inviteMore("bob", List.of("carol"), null, 30_000, T + 2000, fx);
        assertEquals("c1", c.groupId(), "without a groupId given, the callId names the group");
        assertEquals(Boolean.FALSE, c.sfu(), "the media path stays as it was placed");
        assertEquals(List.of("carol"), c.ringing());
        assertEquals(Map.of("alice", List.of("invitee-list(bob)"), "bob", List.of("invitee-list(bob)"),
                "carol", List.of("invited(alice)")), told());
        c.accept("carol", T + 3000, fx);
        c.hangup("alice", T + 4000, fx);
        assertEquals(CallState.ACTIVE, c.state(), "bob and carol go on");
        c.inviteMore("carol", List.of("dave"), "other", 30_000, T + 5000, fx);
        assertEquals("c1", c.groupId(), "a group call keeps its group");
        Call named = oneToOne();
        named.accept("bob", T, fx);
        assertThrows(Call.Refused.class, () -> named.inviteMore("alice", List.of("x"), "g".repeat(65), 1000, T, fx));
        named.inviteMore("alice", List.of("x"), "team", 1000, T, fx);
        assertEquals("team", named.groupId());
        assertEquals(named.snapshot(), Call.restore(named.snapshot()).snapshot(), "the new group is stored");
    }
}
