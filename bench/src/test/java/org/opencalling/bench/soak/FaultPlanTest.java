package org.opencalling.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.opencalling.bench.soak.Fault.Kind;

class FaultPlanTest {
    static Map<Kind, Long> counts(List<Fault> plan) {
        return plan.stream().collect(Collectors.groupingBy(Fault::kind, Collectors.counting()));
    }

    @Test
    void aShortRunHasOneOfEachFaultInOrderWithinTheRun() {
        List<Fault> plan = FaultPlan.forRun(120_000);
        assertEquals(Kind.values().length, plan.size());
        assertTrue(counts(plan).values().stream().allMatch(n -> n == 1), counts(plan).toString());
        for (int i = 1; i < plan.size(); i++) {
            Fault before = plan.get(i - 1);
            assertTrue(before.atMs() + before.lengthMs() < plan.get(i).atMs(), "no two faults at once: " + plan);
        }
        assertTrue(plan.get(plan.size() - 1).atMs() < 120_000);
    }

    @Test
    void thirtyMinutesFollowTheIssuesSchedule() {
        List<Fault> plan = FaultPlan.forRun(30 * FaultPlan.MINUTE);
        Map<Kind, Long> n = counts(plan);
        assertEquals(5, n.get(Kind.SIGNALING_KILL), "a signaling instance killed every 5 minutes");
        assertEquals(2, n.get(Kind.REDIS_RESTART_EMPTY));
        assertEquals(1, n.get(Kind.REDIS_FREEZE));
        assertEquals(1, n.get(Kind.RELAY_KILL));
        assertEquals(1, n.get(Kind.ROLLING_RESTART));
        Function<Kind, Fault> one = k -> plan.stream().filter(f -> f.kind() == k).findFirst().orElseThrow();
        assertEquals(2 * FaultPlan.MINUTE, one.apply(Kind.KAFKA_STOP).lengthMs());
        assertEquals(30_000, one.apply(Kind.PRESENCE_DOWN).lengthMs());
        assertEquals(5_000, one.apply(Kind.REDIS_FREEZE).lengthMs());
        List<Long> kills = plan.stream().filter(f -> f.kind() == Kind.SIGNALING_KILL).map(Fault::atMs).toList();
        assertEquals(List.of(5L, 10L, 15L, 20L, 25L), kills.stream().map(t -> t / FaultPlan.MINUTE).toList());
        assertEquals(2, plan.stream().filter(f -> f.kind() == Kind.SIGNALING_KILL).map(Fault::target).distinct().count(),
                "both instances in turn");
        for (int i = 1; i < plan.size(); i++) {
            Fault before = plan.get(i - 1);
            assertTrue(before.atMs() + before.lengthMs() < plan.get(i).atMs(), "no two faults at once: " + before + ", " + plan.get(i));
        }
    }
}
