package org.opencalling.presence.sessions;

import org.opencalling.redis.LuaScript;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sessions in Redis. Every change that must be atomic (takeover, end, refresh, expiry) is one
 * Lua script; this class only names keys and reads results. Deadlines and start times come
 * from Redis' own clock (TIME), so presence pods with skewed clocks agree.
 */
@Singleton
public class SessionStore {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SessionStore.class);
    /** Sessions per refresh script call: bounds how long one call holds Redis. */
    static final int REFRESH_CHUNK = 500;

    private final LuaScript registerScript = new LuaScript("register.lua");
    private final LuaScript endScript = new LuaScript("end.lua");
    private final LuaScript refreshScript = new LuaScript("refresh.lua");
    private final LuaScript expireScript = new LuaScript("expire.lua");
    private final LuaScript lookupScript = new LuaScript("lookup.lua");

    @Inject
    RedisDataSource redis;

    @Inject
    io.quarkus.redis.datasource.ReactiveRedisDataSource reactive;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    /** Redis could not be reached or answered with an error; the API says 503. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String operation, Throwable cause) {
            super("Redis unavailable during " + operation + ": " + cause, cause, false, false);
        }
    }

    private <T> T call(String operation, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            registry.counter("presence.redis.errors", "operation", operation).increment();
            LOG.warnf("Redis %s failed: %s", operation, e.toString());
            throw new Unavailable(operation, e);
        }
    }

    @ConfigProperty(name = "presence.session-ttl", defaultValue = "30s")
    Duration ttl;

    public Duration ttl() {
        return ttl;
    }

    public record Live(String sessionId, String pod, long since) {
    }

    /** {@code fresh}: a new session (false when the same session registered again). */
    public record Registration(String sessionId, long since, Live displaced, boolean fresh) {
    }

    /** Non-blocking: logins are the hot path and run on the event loop, not a worker thread. */
    public io.smallrye.mutiny.Uni<Registration> register(long app, String user, String sessionId, String pod) {
        return registerScript.runAsync(reactive, List.of(SessionKeys.session(app, user), SessionKeys.EXPIRY),
                        List.of(sessionId, pod, Long.toString(ttl.toMillis()), SessionKeys.memberPrefix(app, user),
                                SessionKeys.KICK_CHANNEL_PREFIX, Long.toString(app), user,
                                SessionKeys.TOMBSTONE_PREFIX))
                .onFailure().transform(e -> {
                    registry.counter("presence.redis.errors", "operation", "register").increment();
                    LOG.warnf("Redis register failed: %s", e.toString());
                    return new Unavailable("register", e);
                })
                .map(r -> registration(sessionId, r));
    }

    private static Registration registration(String sessionId, Response r) {
        Live displaced = r.get(0) == null ? null : new Live(r.get(0).toString(), r.get(1).toString(),
                Long.parseLong(r.get(2).toString()));
        // A re-registration of the same session keeps its start time.
        return new Registration(sessionId, Long.parseLong(r.get(3).toString()), displaced, r.get(4).toInteger() == 1);
    }

    /** Ends the session if it is still the user's live one; returns what ended, or null. */
    public Live end(long app, String user, String sessionId) {
        return call("end", () -> doEnd(app, user, sessionId));
    }

    private Live doEnd(long app, String user, String sessionId) {
        Response r = endScript.run(redis, List.of(SessionKeys.session(app, user), SessionKeys.EXPIRY),
                List.of(sessionId, SessionKeys.memberPrefix(app, user), SessionKeys.TOMBSTONE_PREFIX,
                        Long.toString(ttl.toMillis())));
        if (r.get(0).toInteger() == 1) {
            return new Live(sessionId, r.get(1).toString(), Long.parseLong(r.get(2).toString()));
        }
        return null;
    }

    public record RefreshResult(int refreshed, List<SessionRef> restored, List<SessionRef> lost) {
    }

    public RefreshResult refresh(String pod, List<SessionRef> sessions) {
        return call("refresh", () -> doRefresh(pod, sessions));
    }

    private RefreshResult doRefresh(String pod, List<SessionRef> sessions) {
        String ttlMs = Long.toString(ttl.toMillis());
        List<SessionRef> restored = new ArrayList<>();
        List<SessionRef> lost = new ArrayList<>();
        for (int from = 0; from < sessions.size(); from += REFRESH_CHUNK) {
            List<SessionRef> chunk = sessions.subList(from, Math.min(sessions.size(), from + REFRESH_CHUNK));
            List<String> keys = new ArrayList<>(chunk.size() + 1);
            List<String> args = new ArrayList<>(chunk.size() * 2 + 3);
            keys.add(SessionKeys.EXPIRY);
            args.add(ttlMs);
            args.add(pod);
            args.add(SessionKeys.TOMBSTONE_PREFIX);
            for (SessionRef s : chunk) {
                keys.add(SessionKeys.session(s.sdkAppId(), s.userId()));
                args.add(s.sessionId());
            }
            for (SessionRef s : chunk) {
                args.add(SessionKeys.member(s.sdkAppId(), s.userId(), s.sessionId()));
            }
            Response r = refreshScript.run(redis, keys, args);
            for (Response i : r.get(0)) {
                restored.add(chunk.get(i.toInteger() - 1));
            }
            for (Response i : r.get(1)) {
                lost.add(chunk.get(i.toInteger() - 1));
            }
        }
        return new RefreshResult(sessions.size() - lost.size(), restored, lost);
    }

    public record Expired(long app, String user, String sessionId, String pod, long since) {
    }

    public List<Expired> expire(int limit) {
        return call("expire", () -> doExpire(limit));
    }

    private List<Expired> doExpire(int limit) {
        Response r = expireScript.run(redis, List.of(SessionKeys.EXPIRY),
                List.of(Integer.toString(limit), SessionKeys.SESSION_PREFIX, SessionKeys.TOMBSTONE_PREFIX,
                        Long.toString(ttl.toMillis())));
        List<Expired> out = new ArrayList<>();
        for (int i = 0; i + 2 < r.size(); i += 3) {
            SessionKeys.Member m = SessionKeys.parseMember(r.get(i).toString());
            if (m != null) {
                out.add(new Expired(m.app(), m.user(), m.sessionId(), r.get(i + 1).toString(),
                        Long.parseLong(r.get(i + 2).toString())));
            }
        }
        return out;
    }

    /** Each user's live session, or null, in the order given; one round trip. */
    public List<Live> lookup(long app, List<String> users) {
        return call("lookup", () -> doLookup(app, users));
    }

    private List<Live> doLookup(long app, List<String> users) {
        List<String> keys = new ArrayList<>(users.size());
        for (String u : users) {
            keys.add(SessionKeys.session(app, u));
        }
        Response r = lookupScript.run(redis, keys, List.of());
        List<Live> out = new ArrayList<>(users.size());
        for (int i = 0; i < users.size(); i++) {
            Response row = r.get(i);
            out.add(row.get(0) == null ? null
                    : new Live(row.get(0).toString(), row.get(1).toString(), Long.parseLong(row.get(2).toString())));
        }
        return out;
    }

    /** Live sessions in the cluster. */
    public long count() {
        return call("count", () -> redis.execute("ZCARD", SessionKeys.EXPIRY).toLong());
    }
}
