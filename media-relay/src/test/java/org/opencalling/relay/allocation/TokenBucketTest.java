package org.opencalling.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void slowRefillsAddUpAndAClockSteppingBackEarnsNothing() {
        TokenBucket b = new TokenBucket(1500, 0);
        assertTrue(b.take(1500, 0));
        assertFalse(b.take(1, 0));
        long t = 0;
        for (int i = 0; i < 1000; i++) { // a packet every millisecond, each too early for a whole 1.5 bytes
            t++;
            b.take(Integer.MAX_VALUE, t); // refused, but the time still counts
        }
        assertTrue(b.take(1500, t), "one second earned 1500 bytes, fractions included");
        assertFalse(b.take(1, t - 5000), "back in time: nothing earned");
        assertTrue(b.take(1, t - 4999), "a millisecond later by the stepped-back clock: 1.5 bytes earned");
    }

    @Test
    void theBurstHoldsAtLeastOneLargestDatagram() {
        TokenBucket b = new TokenBucket(1000, 0);
        assertFalse(b.take(65_535, 0));
        assertTrue(b.take(65_535, 70_000), "after a long idle, a large datagram fits even under a small cap");
    }
}
