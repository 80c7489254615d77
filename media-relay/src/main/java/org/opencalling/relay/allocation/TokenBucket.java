package org.opencalling.relay.allocation;

/**
 * A byte budget per second with one second of burst: the per-allocation bandwidth cap (one
 * bucket per direction, as coturn's max-bps counts them). Not thread-safe: the relay loop alone
 * spends it.
 */
final class TokenBucket {
    private final long bytesPerSecond;
    private long tokens;
    private long refilledAt;

    TokenBucket(long bytesPerSecond, long nowMillis) {
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
        this.refilledAt = nowMillis;
    }

    /** Whether {@code bytes} more fit now; if so they are spent. */
    boolean take(int bytes, long nowMillis) {
        long elapsed = nowMillis - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(bytesPerSecond, tokens + elapsed * bytesPerSecond / 1000);
            refilledAt = nowMillis;
        }
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
