package org.opencalling.usersigservice;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The service's clock in tests: real time plus an offset a test may set. */
@Singleton
@Alternative
@Priority(1)
public class MutableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    public void set(Duration offset) {
        this.offset = offset;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }
}
