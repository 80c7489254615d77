package org.opencalling.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The soak's audit of {@code trtc.call-events} against its ledger, pure: each event id once;
 * each call's events numbered without a gap and arriving in order; every invited user's
 * invitation ending exactly once (accepted, rejected, busy, cancelled or timeout) and every call
 * ending exactly once; every placed invitation in Kafka, ended as its users did it. A call that
 * was still open when Redis was wiped (started in the minute before a wipe, never ended) is
 * counted apart: Redis holds call state without persistence, so such calls vanish with it.
 */
final class EventAudit {
    static final Set<String> TERMINAL = Set.of("accepted", "rejected", "busy", "cancelled", "timeout");

    /** The audit's figures; {@code violations} names the first few breaches of each kind. */
    record Result(int events, int calls, int duplicates, int gaps, int reordered, int unfinishedInvitations,
                  int doubleEndedInvitations, int callsNotEnded, int callsEndedTwice, int placedNotInKafka,
                  int lostWithRedis, int otherThanScripted, int placed, int scriptedChecked, List<String> violations) {
        boolean clean() {
            return duplicates == 0 && gaps == 0 && unfinishedInvitations == 0 && doubleEndedInvitations == 0
                    && callsNotEnded == 0 && callsEndedTwice == 0 && placedNotInKafka == 0 && otherThanScripted == 0;
        }
    }

    private EventAudit() {
    }

    /**
     * @param events the topic's records' values, in the order Kafka holds them (one partition per call)
     * @param placed the ledger
     * @param wipes when Redis was wiped (epoch ms)
     */
    static Result audit(List<JsonNode> events, Map<String, Ledger.Invitation> placed, List<Long> wipes) {
        List<String> violations = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Map<String, List<JsonNode>> byCall = new LinkedHashMap<>();
        int duplicates = 0;
        for (JsonNode e : events) {
            String id = e.path("eventId").asText();
            if (!ids.add(id)) {
                duplicates++;
                note(violations, "duplicate event " + id);
                continue;
            }
            byCall.computeIfAbsent(e.path("callId").asText(), k -> new ArrayList<>()).add(e);
        }
        int gaps = 0;
        int reordered = 0;
        int unfinished = 0;
        int doubled = 0;
        int notEnded = 0;
        int endedTwice = 0;
        int lostWithRedis = 0;
        Set<String> lost = new HashSet<>();
        for (Map.Entry<String, List<JsonNode>> call : byCall.entrySet()) {
            String callId = call.getKey();
            List<JsonNode> list = call.getValue();
            int last = -1;
            int max = -1;
            for (JsonNode e : list) {
                int seq = e.path("seq").asInt();
                if (seq < last) {
                    reordered++;
                }
                last = seq;
                max = Math.max(max, seq);
            }
            int ended = 0;
            Map<String, Integer> invited = new HashMap<>();
            Map<String, Integer> answered = new HashMap<>();
            for (JsonNode e : list) {
                String type = e.path("type").asText();
                String user = e.path("userId").asText(null);
                if (type.equals("ended")) {
                    ended++;
                } else if (type.equals("invited")) {
                    invited.merge(user, 1, Integer::sum);
                } else if (TERMINAL.contains(type)) {
                    answered.merge(user, 1, Integer::sum);
                }
            }
            Ledger.Invitation inv = placed.get(callId);
            long started = inv != null ? inv.startedAt() : list.get(0).path("at").asLong();
            if (ended == 0 && wipedWhileOpen(started, wipes)) {
                lostWithRedis++;
                lost.add(callId);
                continue;
            }
            if (max + 1 != list.size()) {
                gaps++;
                note(violations, "call " + callId + ": " + list.size() + " events but seq up to " + max + " (lost events)");
            }
            if (ended == 0) {
                notEnded++;
                note(violations, "call " + callId + " never ended: " + describe(list));
            } else if (ended > 1) {
                endedTwice++;
                note(violations, "call " + callId + " ended " + ended + " times");
            }
            for (Map.Entry<String, Integer> i : invited.entrySet()) {
                int n = answered.getOrDefault(i.getKey(), 0);
                if (n == 0) {
                    unfinished++;
                    note(violations, "invitation of " + i.getKey() + " in " + callId + " never ended: " + describe(list));
                } else if (n > 1 || i.getValue() > 1) {
                    doubled++;
                    note(violations, "invitation of " + i.getKey() + " in " + callId + " ended " + n + " times: " + describe(list));
                }
            }
        }
        int missing = 0;
        int other = 0;
        int checked = 0;
        for (Ledger.Invitation inv : placed.values()) {
            List<JsonNode> list = byCall.get(inv.callId());
            if (list == null) {
                if (wipedWhileOpen(inv.startedAt(), wipes)) {
                    lostWithRedis++;
                } else {
                    missing++;
                    note(violations, "placed call " + inv.callId() + " has no event in Kafka");
                }
                continue;
            }
            if (inv.disrupted() != null || lost.contains(inv.callId())) {
                continue;
            }
            checked++;
            String outcome = list.stream().filter(e -> TERMINAL.contains(e.path("type").asText())
                    && inv.callee().equals(e.path("userId").asText())).map(e -> e.path("type").asText()).findFirst().orElse("none");
            if (!outcome.equals(inv.scripted())) {
                other++;
                note(violations, "call " + inv.callId() + ": " + inv.callee() + " " + inv.scripted() + " but Kafka says " + outcome);
            }
        }
        return new Result(events.size(), byCall.size(), duplicates, gaps, reordered, unfinished, doubled, notEnded, endedTwice,
                missing, lostWithRedis, other, placed.size(), checked, List.copyOf(violations));
    }

    private static boolean wipedWhileOpen(long started, List<Long> wipes) {
        return wipes.stream().anyMatch(w -> w >= started && w - started < 60_000);
    }

    private static String describe(List<JsonNode> list) {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : list) {
            b.append(e.path("seq").asInt()).append(':').append(e.path("type").asText());
            if (e.hasNonNull("userId")) {
                b.append('(').append(e.path("userId").asText()).append(')');
            }
            b.append(' ');
        }
        return b.toString().trim();
    }

    private static void note(List<String> violations, String v) {
        if (violations.size() < 40) {
            violations.add(v);
        }
    }
}
