package org.opencalling.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventAuditTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T = 1_800_000_000_000L;

    static JsonNode event(String call, int seq, String type, String user) {
        return JSON.createObjectNode().put("eventId", call + ":" + seq).put("seq", seq).put("type", type).put("callId", call)
                .put("userId", user).put("at", T + seq);
    }

    /** invited, rejected, ended: a whole rejected call. */
    static List<JsonNode> rejected(String call) {
        return new ArrayList<>(List.of(event(call, 0, "invited", "b"), event(call, 1, "rejected", "b"), event(call, 2, "ended", null)));
    }

    static Map<String, Ledger.Invitation> placed(String call, String outcome) {
        return Map.of(call, new Ledger.Invitation(call, "b", outcome, T, null));
    }

    @Test
    void aWholeCallAsScriptedIsClean() {
        EventAudit.Result r = EventAudit.audit(rejected("c1"), placed("c1", "rejected"), List.of());
        assertTrue(r.clean(), r.violations().toString());
        assertEquals(1, r.scriptedChecked());
    }

    @Test
    void aDuplicateAGapAndAReorderingAreFound() {
        List<JsonNode> events = rejected("c1");
        events.add(events.get(1)); // the same event id again
        EventAudit.Result dup = EventAudit.audit(events, placed("c1", "rejected"), List.of());
        assertEquals(1, dup.duplicates());
        assertFalse(dup.clean());

        List<JsonNode> gap = rejected("c2");
        gap.remove(1); // the answer lost: a gap, and an invitation that never ended
        EventAudit.Result lost = EventAudit.audit(gap, placed("c2", "rejected"), List.of());
        assertEquals(1, lost.gaps());
        assertEquals(1, lost.unfinishedInvitations());

        List<JsonNode> swapped = rejected("c3");
        swapped.add(0, swapped.remove(1));
        assertEquals(1, EventAudit.audit(swapped, placed("c3", "rejected"), List.of()).reordered());
    }

    @Test
    void endingsTwiceAndOtherThanScriptedAreFound() {
        List<JsonNode> twice = rejected("c4");
        twice.add(event("c4", 3, "timeout", "b"));
        twice.add(event("c4", 4, "ended", null));
        EventAudit.Result r = EventAudit.audit(twice, placed("c4", "rejected"), List.of());
        assertEquals(1, r.doubleEndedInvitations());
        assertEquals(1, r.callsEndedTwice());
        assertEquals(1, EventAudit.audit(rejected("c5"), placed("c5", "accepted"), List.of()).otherThanScripted());
    }

    @Test
    void aPlacedCallMissingFromKafkaIsFoundUnlessRedisWasWipedWhileItWasOpen() {
        Map<String, Ledger.Invitation> ledger = placed("c6", "accepted");
        assertEquals(1, EventAudit.audit(List.of(), ledger, List.of()).placedNotInKafka());
        EventAudit.Result wiped = EventAudit.audit(List.of(), ledger, List.of(T + 5_000));
        assertEquals(0, wiped.placedNotInKafka());
        assertEquals(1, wiped.lostWithRedis());
        assertTrue(wiped.clean());
        // A wipe long after the call does not excuse it.
        assertEquals(1, EventAudit.audit(List.of(), ledger, List.of(T + 600_000)).placedNotInKafka());
    }

    @Test
    void aDisruptedCallIsNotHeldToItsScriptButMustStillEndOnce() {
        Map<String, Ledger.Invitation> ledger = Map.of("c7", new Ledger.Invitation("c7", "b", "accepted", T, "socket closed"));
        EventAudit.Result r = EventAudit.audit(rejected("c7"), ledger, List.of());
        assertEquals(0, r.otherThanScripted());
        assertTrue(r.clean());
    }
}
