package org.opencalling.relay.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.list.KeyValue;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.opencalling.relay.sfu.Sfu;

/**
 * This relay as an SFU node of the cluster: it registers in Redis (a key refreshed every 2 s,
 * its load in a sorted set signaling picks the least loaded from), pops the commands signaling
 * queues for it (join, answer, leave, end), and queues the offers they cause for signaling to
 * route to the browsers. Key layout: docs/protocol.md.
 */
@Singleton
public class SfuNode {
    static final String NODES = "trtc:sfu:nodes";
    static final String NODE_PREFIX = "trtc:sfu:node:";
    static final String COMMANDS_PREFIX = "trtc:sfu:cmd:";
    static final String OUT = "trtc:sfu:out";
    private static final Logger LOG = Logger.getLogger(SfuNode.class);

    @Inject
    RelayService relay;

    @Inject
    Instance<RedisDataSource> redisInstance;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "relay.sfu.redis-url")
    Optional<String> redisUrl;

    @ConfigProperty(name = "relay.sfu.node")
    Optional<String> configuredName;

    private final Map<String, Long> appOfRoom = new ConcurrentHashMap<>();
    private volatile boolean running;
    private RedisDataSource redis;
    private String name;
    private Thread commands;
    private java.util.concurrent.ScheduledExecutorService heartbeat;

    void start(@Observes @Priority(3000) StartupEvent e) {
        Sfu sfu = relay.sfu();
        if (sfu == null || redisUrl.isEmpty() || redisUrl.get().isBlank()) {
            LOG.info("media-relay: no SFU rooms (needs REDIS_URL and SFU_ENABLED=true); TURN only");
            return;
        }
        redis = redisInstance.get();
        name = configuredName.filter(n -> !n.isBlank())
                .orElseGet(() -> Optional.ofNullable(System.getenv("HOSTNAME")).orElse("relay") + "-" + UUID.randomUUID().toString().substring(0, 8));
        sfu.onGone((room, user, transport) -> publish("gone", room, user, null, null, transport));
        sfu.onOffers(offers -> offers.forEach(this::publish));
        running = true;
        heartbeat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sfu-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, 0, 2, java.util.concurrent.TimeUnit.SECONDS);
        commands = new Thread(this::popCommands, "sfu-commands");
        commands.setDaemon(true);
        commands.start();
        LOG.infof("media-relay: SFU node %s, rooms through Redis", name);
    }

    /**
     * Before the relay closes its sockets (a lower priority runs first): the node leaves Redis at
     * once, then tells every member its transport is gone, so their browsers join again at once,
     * and land on another node, instead of noticing the silence seconds later.
     */
    void stop(@Observes @Priority(2000) ShutdownEvent e) {
        if (!running) {
            return;
        }
        // In this order: no heartbeat can bring the registration back once it is deleted, and no
        // join is handled after the members are told (a join queued meanwhile goes unanswered;
        // the SDK asks again after 10 s, and signaling sends it elsewhere).
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
            redis.key().del(NODE_PREFIX + name); // first: a join now moves the room
            redis.sortedSet(String.class).zrem(NODES, name);
        } catch (RuntimeException ex) {
            LOG.debugf("SFU node %s: %s", name, ex.toString());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        running = false;
        commands.interrupt();
        try {
            commands.join(3000); // its BLPOP waits 1 s at most
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        Sfu sfu = relay.sfu();
        sfu.members().forEach((room, users) -> users.forEach(user -> publish("gone", room, user, null, null)));
    }

    public String name() {
        return name;
    }

    private void beat() {
        try {
            Sfu sfu = relay.sfu();
            ObjectNode n = json.createObjectNode();
            n.put("node", name);
            n.put("publicHost", relay.publicHost());
            n.set("udpPorts", json.valueToTree(relay.udpPorts()));
            n.put("rooms", sfu.rooms());
            n.put("participants", sfu.participants());
            n.put("at", System.currentTimeMillis());
            redis.value(String.class).set(NODE_PREFIX + name, n.toString(), new SetArgs().ex(Duration.ofSeconds(10)));
            redis.sortedSet(String.class).zadd(NODES, sfu.participants(), name);
            appOfRoom.keySet().removeIf(room -> !sfu.hasRoom(room)); // rooms that ended without an "end"
        } catch (RuntimeException ex) {
            LOG.debugf("SFU heartbeat: %s", ex.toString());
        }
    }

    private void popCommands() {
        String key = COMMANDS_PREFIX + name;
        while (running) {
            try {
                KeyValue<String, String> item = redis.list(String.class).blpop(Duration.ofSeconds(1), key);
                if (item != null) {
                    handle(json.readTree(item.value()));
                }
            } catch (Exception ex) {
                if (!running) {
                    return;
                }
                LOG.debugf("SFU commands: %s", ex.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    void handle(JsonNode cmd) {
        Sfu sfu = relay.sfu();
        String op = cmd.path("op").asText();
        String room = cmd.path("room").asText(null);
        String user = cmd.path("user").asText(null);
        long app = cmd.path("app").asLong();
        if (room == null || app == 0 || (user == null && !op.equals("end"))) {
            return;
        }
        appOfRoom.put(room, app);
        try {
            List<Sfu.Offer> offers = switch (op) {
                case "join" -> sfu.join(room, user, cmd.path("video").asBoolean(true), codecs(cmd.path("codecs")),
                        cmd.path("transport").asText(null));
                case "answer" -> sfu.answer(room, user, cmd.path("sdp").asText());
                case "leave" -> sfu.leave(room, user);
                case "end" -> {
                    appOfRoom.remove(room);
                    yield sfu.end(room);
                }
                default -> List.of();
            };
            offers.forEach(this::publish);
        } catch (Sfu.CodecMismatch mismatch) {
            publish("error", room, user, mismatch.getMessage(), "sfu-codec"); // joining again will not help
        } catch (Sfu.RoomFull full) {
            publish("error", room, user, full.getMessage(), "sfu-full");
        } catch (IllegalArgumentException bad) {
            if (user != null) {
                publish("error", room, user, bad.getMessage(), "sfu-refused"); // a bad answer, or none awaited
            }
        } catch (RuntimeException bug) {
            LOG.warnf("SFU %s for %s in %s failed: %s", op, user, room, bug.toString());
            if (user != null) {
                publish("error", room, user, "internal error", "sfu-refused");
            }
        }
    }

    /** A browser's video codec names, most preferred first (at most 8 looked at; signaling checked them). */
    private static List<String> codecs(JsonNode list) {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(list.size(), 8); i++) {
            names.add(list.get(i).asText());
        }
        return names;
    }

    private void publish(Sfu.Offer o) {
        publish("offer", o.room(), o.user(), o.sdp(), null, o.transport());
    }

    private void publish(String op, String room, String user, String payload, String code) {
        publish(op, room, user, payload, code, null);
    }

    private void publish(String op, String room, String user, String payload, String code, String transport) {
        Long app = appOfRoom.get(room);
        if (app == null || user == null) {
            return;
        }
        ObjectNode m = json.createObjectNode();
        m.put("op", op);
        m.put("room", room);
        m.put("app", app);
        m.put("user", user);
        m.put("node", name); // a "gone" concerns the transport on this node only
        if (payload != null) {
            m.put(op.equals("error") ? "message" : "sdp", payload);
        }
        if (transport != null) {
            m.put("transport", transport); // which of the member's transports an offer or "gone" is for
        }
        if (code != null) {
            m.put("code", code);
        }
        try {
            redis.list(String.class).rpush(OUT, m.toString());
        } catch (RuntimeException ex) {
            LOG.warnf("SFU %s for %s in %s not queued: %s", op, user, room, ex.toString());
        }
    }
}
