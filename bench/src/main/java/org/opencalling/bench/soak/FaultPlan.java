package org.opencalling.bench.soak;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.opencalling.bench.soak.Fault.Kind;

/**
 * When the soak injects which fault. A run of 10 minutes or more gets the whole schedule, spread
 * over it as over 30 minutes: a signaling instance killed every 5 minutes (the two in turn),
 * Redis frozen 5 s once and restarted empty twice, a relay killed, Kafka stopped 2 minutes,
 * presence down 30 s and one rolling restart. A shorter run gets one of each, shortened to fit.
 */
final class FaultPlan {
    static final long MINUTE = 60_000;

    private FaultPlan() {
    }

    static List<Fault> forRun(long totalMs) {
        List<Fault> plan = new ArrayList<>();
        if (totalMs < 10 * MINUTE) {
            // The first process kill waits until the load has warmed up (the browsers' first
            // call starts at a tenth of the run): a JVM restarting among a dozen others still
            // compiling their hot paths measures the machine's two cores, not recovery.
            plan.add(new Fault(Kind.REDIS_FREEZE, null, at(totalMs, 0.08), 5_000));
            plan.add(new Fault(Kind.REDIS_RESTART_EMPTY, null, at(totalMs, 0.18), 0));
            plan.add(new Fault(Kind.SIGNALING_KILL, "signaling-service-1", at(totalMs, 0.27), 0));
            plan.add(new Fault(Kind.RELAY_KILL, "media-relay-2", at(totalMs, 0.38), 0));
            plan.add(new Fault(Kind.KAFKA_STOP, null, at(totalMs, 0.45), Math.min(2 * MINUTE, totalMs * 15 / 100)));
            plan.add(new Fault(Kind.PRESENCE_DOWN, "presence-service-1", at(totalMs, 0.65), Math.min(30_000, totalMs * 8 / 100)));
            plan.add(new Fault(Kind.ROLLING_RESTART, null, at(totalMs, 0.75), 0));
        } else {
            double scale = totalMs / (30.0 * MINUTE);
            for (int k = 1; k <= 5; k++) {
                plan.add(new Fault(Kind.SIGNALING_KILL, "signaling-service-" + (2 - k % 2), (long) (k * 5 * MINUTE * scale), 0));
            }
            plan.add(new Fault(Kind.REDIS_FREEZE, null, (long) (2.5 * MINUTE * scale), 5_000));
            plan.add(new Fault(Kind.REDIS_RESTART_EMPTY, null, (long) (7 * MINUTE * scale), 0));
            plan.add(new Fault(Kind.RELAY_KILL, "media-relay-2", (long) (8.5 * MINUTE * scale), 0));
            plan.add(new Fault(Kind.KAFKA_STOP, null, (long) (11.5 * MINUTE * scale), 2 * MINUTE));
            plan.add(new Fault(Kind.PRESENCE_DOWN, "presence-service-1", (long) (16.5 * MINUTE * scale), 30_000));
            plan.add(new Fault(Kind.REDIS_RESTART_EMPTY, null, (long) (18 * MINUTE * scale), 0));
            plan.add(new Fault(Kind.ROLLING_RESTART, null, (long) (21.5 * MINUTE * scale), 0));
        }
        plan.sort(Comparator.comparingLong(Fault::atMs));
        return List.copyOf(plan);
    }

    private static long at(long totalMs, double fraction) {
        return (long) (totalMs * fraction);
    }
}
