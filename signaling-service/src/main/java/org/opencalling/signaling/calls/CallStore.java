package org.opencalling.signaling.calls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Calls live in Redis, so any pod can act on any call: {@code trtc:call:{callId}} holds the
 * snapshot and a version; every change is load, apply, compare-and-set (retried on a race).
 * Indexes: {@code trtc:call:deadlines} (zset callId → next ringing deadline, for timeouts fired
 * by any pod) and {@code trtc:call:user:{app}:{user}} (the call a user rings in or is in, for
 * busy).
 */
@Singleton
public class CallStore {
    static final String DEADLINES = "trtc:call:deadlines";
    private static final long RECORD_TTL_MS = 24 * 3600_000L;
    private static final org.opencalling.redis.LuaScript CAS = new org.opencalling.redis.LuaScript("call-cas.lua");
    private static final org.opencalling.redis.LuaScript CLAIM_BUSY = new org.opencalling.redis.LuaScript("claim-busy.lua");
    private static final org.opencalling.redis.LuaScript TAKE_INVITATIONS = new org.opencalling.redis.LuaScript("take-invitations.lua");
    private static final org.opencalling.redis.LuaScript RELEASE_BUSY = new org.opencalling.redis.LuaScript("release-busy.lua");

    @Inject
    RedisDataSource redis;

    @Inject
    ObjectMapper json;

    @Inject
    CallEventEncoder events;

    /** Raised when a call cannot be changed now (lost too many races, or unknown). */
    public static final class Conflict extends RuntimeException {
        Conflict(String message) {
            super(message, null, false, false);
        }
    }

    static String key(String callId) {
        return "trtc:call:" + callId;
    }

    static String userKey(long app, String user) {
        return "trtc:call:user:" + app + ":" + user;
    }

    /** The call the user is ringing in or in, if any. */
    public String callOf(long app, String user) {
        return redis.value(String.class).get(userKey(app, user));
    }

    /**
     * A new call takes the busy keys of its caller and callees at once. Returns the callees that
     * are busy (in or ringing for another call); refuses when the caller is. The keys taken
     * live {@code holdMs} until the call is stored (which keeps them as long as the call).
     */
    public List<String> claimBusy(long app, String callId, String caller, List<String> callees, long holdMs) {
        List<String> keys = new ArrayList<>();
        keys.add(userKey(app, caller));
        callees.forEach(u -> keys.add(userKey(app, u)));
        var r = CLAIM_BUSY.run(redis, keys, List.of(callId, Long.toString(holdMs)));
        List<String> busy = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            int index = r.get(i).toInteger();
            if (index < 0) {
                throw new Call.Refused("already-in-call", caller + " is already in a call");
            }
            busy.add(callees.get(index - 2));
        }
        return busy;
    }

    /** Gives back the busy keys of a call that could not be stored. */
    public void releaseBusy(long app, String callId, List<String> users) {
        RELEASE_BUSY.run(redis, users.stream().map(u -> userKey(app, u)).toList(), List.of(callId));
    }

    public Call load(String callId) {
        Map<String, String> h = redis.hash(String.class).hgetall(key(callId));
        if (h == null || h.get("s") == null) {
            return null;
        }
        return Call.restore(read(h.get("s")));
    }

    /** Stores a new call; {@code effects}: what placing it did (its events go to the outbox with it). */
    public void create(Call c, List<Effect> effects) {
        if (!cas(c, "", effects)) {
            throw new Conflict("call id in use");
        }
    }

    /** Applies a transition to the stored call; returns its effects. */
    public List<Effect> update(String callId, BiConsumer<Call, List<Effect>> transition) {
        for (int attempt = 0; attempt < 8; attempt++) {
            Map<String, String> h = redis.hash(String.class).hgetall(key(callId));
            if (h == null || h.get("s") == null) {
                throw new Call.Refused("unknown-call", "no such call");
            }
            Call c = Call.restore(read(h.get("s")));
            List<Effect> effects = new ArrayList<>();
            transition.accept(c, effects);
            if (effects.isEmpty()) {
                return effects;
            }
            if (cas(c, h.get("v"), effects)) {
                return effects;
            }
        }
        throw new Conflict("call " + callId + " is changing too fast; retry");
    }

    /**
     * Stores the call if unchanged since read, with its deadline and busy indexes and the
     * change's call events (into the outbox), in one step.
     */
    private boolean cas(Call c, String readVersion, List<Effect> effects) {
        String snapshot;
        try {
            snapshot = json.writeValueAsString(c.snapshot());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long next = c.nextDeadline();
        List<String> keys = new ArrayList<>();
        keys.add(key(c.callId()));
        keys.add(DEADLINES);
        keys.add(CallEventEncoder.OUTBOX);
        List<String> args = new ArrayList<>(List.of(readVersion, UUID.randomUUID().toString(), snapshot,
                Long.toString(RECORD_TTL_MS), c.callId(),
                c.state() != CallState.ENDED && next > 0 ? Long.toString(next) : "0"));
        List<String> encoded = events.encode(c, effects);
        args.add(Integer.toString(encoded.size()));
        args.addAll(encoded);
        for (Participant p : c.participants()) {
            keys.add(userKey(c.sdkAppId(), p.userId()));
            boolean busy = c.state() != CallState.ENDED
                    && (p.state() == ParticipantState.RINGING || p.state().inCall());
            args.add(busy ? "1" : "0");
        }
        return CAS.run(redis, keys, args).toLong() == 1;
    }

    static String pendingKey(long app, String user) {
        return "trtc:call:pending:" + app + ":" + user;
    }

    /** Takes the invitations held for a user that still ring after {@code nowMs}, in one step. */
    public List<String> takeInvitations(long app, String user, long nowMs) {
        var r = TAKE_INVITATIONS.run(redis, List.of(pendingKey(app, user)), List.of(Long.toString(nowMs)));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            ids.add(r.get(i).toString());
        }
        return ids;
    }

    void forgetDeadline(String callId) {
        redis.sortedSet(String.class).zrem(DEADLINES, callId);
    }

    /** Calls with a ringing deadline at or before {@code nowMs}. */
    public List<String> due(long nowMs, int limit) {
        return redis.sortedSet(String.class).zrangebyscore(DEADLINES,
                new io.quarkus.redis.datasource.sortedset.ScoreRange<>(Double.NEGATIVE_INFINITY, (double) nowMs),
                new io.quarkus.redis.datasource.sortedset.ZRangeArgs().limit(0, limit));
    }

    private CallSnapshot read(String text) {
        try {
            return json.readValue(text, CallSnapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
