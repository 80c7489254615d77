package org.opencalling.signaling.events;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import org.opencalling.redis.LuaScript;
import org.opencalling.signaling.calls.CallEventEncoder;

/** The call-events outbox ({@code trtc:call-events:outbox}) and its relay lease, in Redis. */
@Singleton
public class RedisOutbox implements CallEventRelay.Outbox {
    static final String LEASE = "trtc:call-events:relay";
    private static final LuaScript LEASE_SCRIPT = new LuaScript("outbox-lease.lua");
    private static final LuaScript TRIM = new LuaScript("outbox-trim.lua");
    private static final LuaScript RELEASE = new LuaScript("outbox-release.lua");

    @Inject
    RedisDataSource redis;

    @Override
    public boolean lease(String pod, long ttlMs) {
        return LEASE_SCRIPT.run(redis, List.of(LEASE), List.of(pod, Long.toString(ttlMs))).toInteger() == 1;
    }

    @Override
    public List<String> head(int n) {
        return redis.list(String.class).lrange(CallEventEncoder.OUTBOX, 0, n - 1);
    }

    @Override
    public boolean trim(String pod, int n) {
        return TRIM.run(redis, List.of(LEASE, CallEventEncoder.OUTBOX), List.of(pod, Integer.toString(n))).toInteger() == 1;
    }

    @Override
    public long size() {
        return redis.list(String.class).llen(CallEventEncoder.OUTBOX);
    }

    @Override
    public void release(String pod) {
        RELEASE.run(redis, List.of(LEASE), List.of(pod));
    }
}
