package org.opencalling.signaling.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.opencalling.redis.LuaScript;
import org.opencalling.signaling.presence.LocalSessions;
import org.opencalling.signaling.presence.Pod;

/**
 * Gets a frame to a user's socket on whichever pod holds it: the user's live session (pod and
 * session id) is read from presence's Redis hash, and the frame is published on that pod's
 * channel {@code trtc:signal:{pod}}; the pod hands it to the session's socket. No pod needs to
 * know in advance where a user is.
 *
 * <p>The envelope carries two wall-clock stamps in microseconds: {@code sent} (published) and,
 * for a frame caused by a client's message, {@code rx} (that message received). The receiving
 * pod turns them into {@code signaling_routing_latency} (Redis hop) and, for {@code invited},
 * {@code signaling_invite_delivery} (invite received → written to the callee's socket). Across
 * machines both include their clock offset (NTP keeps it to about a millisecond).
 */
@Singleton
public class Delivery {
    private static final Logger LOG = Logger.getLogger(Delivery.class);
    public static final String CHANNEL_PREFIX = "trtc:signal:";
    /** Finding the user's pod and publishing there are one step (one round trip). */
    private static final LuaScript ROUTE = new LuaScript("route.lua");

    @Inject
    RedisDataSource redis;

    /** For publishing from the subscriber callback, which runs on the event loop (never block it). */
    @Inject
    io.quarkus.redis.datasource.ReactiveRedisDataSource reactiveRedis;

    @Inject
    LocalSessions sessions;

    @Inject
    Pod pod;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    @Inject
    PodChannels channels;

    private Timer routing;
    private Timer inviteDelivery;

    void start(@Observes StartupEvent e) {
        routing = Timer.builder("signaling.routing.latency")
                .description("From publishing a frame on Redis to its arrival on the pod holding the socket")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
        inviteDelivery = Timer.builder("signaling.invite.delivery")
                .description("From an invite received by any pod to the invitation written to the callee's socket")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
        channels.subscribe(CHANNEL_PREFIX + pod.name(), this::arrived);
    }

    /** Microseconds since the epoch, the stamps' unit. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Sends the frame to the user if online; false when offline. */
    public boolean toUser(long app, String user, ObjectNode frame) {
        return toUser(app, user, frame, 0);
    }

    /** As {@link #toUser(long, String, ObjectNode)}; {@code rxMicros} is when the causing message came in (0: none). */
    public boolean toUser(long app, String user, ObjectNode frame, long rxMicros) {
        return route(app, user, frame, rxMicros, null, null, 0) == 1;
    }

    /**
     * Sends an invitation to the user, or, if no pod takes it, holds it in {@code holdKey}
     * (a zset callId → ring deadline) in the same step. 1: sent, 2: held.
     */
    public int inviteOrHold(long app, String user, ObjectNode frame, long rxMicros, String holdKey, String callId,
                            long ringsUntilMs) {
        return route(app, user, frame, rxMicros, holdKey, callId, ringsUntilMs);
    }

    private int route(long app, String user, ObjectNode frame, long rxMicros, String holdKey, String callId,
                      long ringsUntilMs) {
        StringBuilder rest = new StringBuilder(256).append("\"frame\":").append(frame.toString());
        if (rxMicros > 0) {
            rest.append(",\"rx\":").append(rxMicros);
        }
        rest.append(",\"sent\":").append(nowMicros());
        String session = "trtc:pr:s:" + app + ":" + user;
        List<String> keys = holdKey == null ? List.of(session) : List.of(session, holdKey);
        List<String> args = holdKey == null ? List.of(CHANNEL_PREFIX, rest.toString())
                : List.of(CHANNEL_PREFIX, rest.toString(), callId, Long.toString(ringsUntilMs));
        return ROUTE.run(redis, keys, args).toInteger();
    }

    /**
     * The pod presence says holds the user's session {@code sessionId}, if that is still the
     * user's live session (a reconnect resuming it); null otherwise.
     */
    public String livePod(long app, String user, String sessionId) {
        String[] live = liveSession(app, user);
        return live != null && sessionId.equals(live[0]) ? live[1] : null;
    }

    /** The user's live session as presence has it: {@code {sessionId, pod}}, or null. */
    public String[] liveSession(long app, String user) {
        var hm = redis.hash(String.class).hmget("trtc:pr:s:" + app + ":" + user, "sid", "pod");
        return hm.get("sid") == null || hm.get("pod") == null ? null : new String[] {hm.get("sid"), hm.get("pod")};
    }

    /**
     * Tells {@code fromPod} that its session now lives here: it forgets it without leaving the
     * call, forwards the frames it held for it ({@code "forwarded": true}, written ahead of what
     * waits here) and then {@code "forwardDone": true}. Sent on that pod's frame channel after the
     * session was re-registered, so every frame routed there before arrives there first.
     */
    public void announceResume(String fromPod, String sessionId) {
        ObjectNode envelope = json.createObjectNode();
        envelope.put("sessionId", sessionId);
        envelope.put("resumedBy", pod.name());
        redis.pubsub(String.class).publish(CHANNEL_PREFIX + fromPod, envelope.toString());
    }

    void arrived(String message) {
        long arrived = nowMicros();
        JsonNode envelope;
        try {
            envelope = json.readTree(message);
        } catch (Exception e) {
            LOG.warnf("Unreadable routed frame: %s", e.toString());
            return;
        }
        if (envelope.hasNonNull("resumedBy")) {
            forwardHeld(envelope.get("sessionId").asText(), envelope.get("resumedBy").asText());
            return;
        }
        if (envelope.path("forwardDone").asBoolean(false)) {
            sessions.forwardDone(envelope.path("sessionId").asText());
            return;
        }
        if (envelope.path("forwarded").asBoolean(false)) {
            if (sessions.forwarded(envelope.path("sessionId").asText(), envelope.path("frame").toString())) {
                registry.counter("signaling.messages", "direction", "out").increment();
            }
            return;
        }
        JsonNode frame = envelope.path("frame");
        long sent = envelope.path("sent").asLong(0);
        if (sent > 0) {
            routing.record(Math.max(0, arrived - sent), TimeUnit.MICROSECONDS);
        }
        long rx = envelope.path("rx").asLong(0);
        Runnable onSent = rx > 0 && "invited".equals(frame.path("type").asText())
                ? () -> inviteDelivery.record(Math.max(0, nowMicros() - rx), TimeUnit.MICROSECONDS)
                : null;
        if (sessions.send(envelope.path("sessionId").asText(), frame.toString(), onSent)) {
            registry.counter("signaling.messages", "direction", "out").increment();
        }
    }

    private void forwardHeld(String sessionId, String toPod) {
        java.util.List<String> envelopes = new java.util.ArrayList<>();
        for (String frame : sessions.handOver(sessionId)) {
            try {
                ObjectNode envelope = json.createObjectNode();
                envelope.put("sessionId", sessionId);
                envelope.set("frame", json.readTree(frame));
                envelope.put("forwarded", true);
                envelopes.add(envelope.toString());
            } catch (Exception e) {
                LOG.warnf("Could not forward a held frame of %s: %s", sessionId, e.toString());
            }
        }
        ObjectNode done = json.createObjectNode();
        done.put("sessionId", sessionId);
        done.put("forwardDone", true);
        envelopes.add(done.toString()); // then the new pod lets what it held for the session follow
        // One after the other, so they keep their order.
        io.smallrye.mutiny.Multi.createFrom().iterable(envelopes)
                .onItem().transformToUniAndConcatenate(e -> reactiveRedis.pubsub(String.class).publish(CHANNEL_PREFIX + toPod, e))
                .subscribe().with(n -> { }, e -> LOG.warnf("Forwarding held frames of %s to %s failed: %s",
                        sessionId, toPod, e.toString()));
    }

}
