package org.opencalling.relay.allocation;

/**
 * A byte budget per second with one second of burst (at least one largest datagram): the
 * per-allocation bandwidth cap (one bucket per direction, as coturn's max-bps counts them). Not
 * thread-safe: its allocation guards it.
 */
final class TokenBucket {
    private final long bytesPerSecond;
    private long tokens;
    private long refilledAt;
    /** What was earned beyond whole bytes, in thousandths of a byte (so slow refills add up). */
    private long fraction;

    private final long burst;

    TokenBucket(long bytesPerSecond, long nowMillis) {
        this.bytesPerSecond = bytesPerSecond;
        this.burst = Math.max(bytesPerSecond, 65_535);
        this.tokens = bytesPerSecond;
        this.refilledAt = nowMillis;
    }

    /** Whether {@code bytes} more fit now; if so they are spent. */
    boolean take(int bytes, long nowMillis) {
        long elapsed = nowMillis - refilledAt;
        refilledAt = nowMillis; // (a wall clock stepping back just earns nothing)
        if (elapsed > 0) {
            long earned = elapsed * bytesPerSecond + fraction; // thousandths of a byte
            tokens += earned / 1000;
            fraction = earned % 1000;
            if (tokens >= burst) {
                tokens = burst;
                fraction = 0;
            }
        }
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
