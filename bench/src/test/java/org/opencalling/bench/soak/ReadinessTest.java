package org.opencalling.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadinessTest {
    @Test
    void aProcessThatKeptAnsweringHadNoStart() {
        assertEquals(0, new Readiness.Outage("signaling-service-1", 1_000, 6_000, 0).startMs(1_000));
    }

    @Test
    void aRestartedProcessStartsFromItsReleaseToItsFirstAnswer() {
        // killed and started again at 1 s, seen down at 1.2 s, answered at 9 s, ready at 9.5 s
        assertEquals(7_800, new Readiness.Outage("signaling-service-1", 1_200, 9_500, 9_000).startMs(1_000));
    }

    @Test
    void aServiceStoppedForAWhileStartsFromWhenItWasStartedAgain() {
        // presence stopped at 1 s for 9 s: started again at 10 s, answered at 14 s
        assertEquals(4_000, new Readiness.Outage("presence-service-1", 1_200, 14_500, 14_000).startMs(10_000));
    }
}
