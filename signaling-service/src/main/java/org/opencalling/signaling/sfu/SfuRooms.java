package org.opencalling.signaling.sfu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.ScoredValue;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.redis.LuaScript;
import org.opencalling.signaling.calls.Call;

/**
 * Group calls' SFU rooms: each lives on one media-relay node, chosen by load (the fewest
 * participants) among the nodes alive in Redis, and recorded there so every signaling pod sends
 * that call's commands to the same node. A node that stopped refreshing its key is dead: the next
 * join moves the room to a live node. Commands go to the node's list in Redis (it pops them in
 * order); its offers come back through {@link SfuOutbox}. Key layout: docs/protocol.md.
 */
@Singleton
public class SfuRooms {
    public static final String NODES = "trtc:sfu:nodes";
    public static final String NODE_PREFIX = "trtc:sfu:node:";
    public static final String COMMANDS_PREFIX = "trtc:sfu:cmd:";
    public static final String ROOM_PREFIX = "trtc:sfu:room:";
    static final long ROOM_TTL_SECONDS = 86_400;
    private static final LuaScript MOVE = new LuaScript("sfu-room.lua");

    @Inject
    RedisDataSource redis;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    @Inject
    org.opencalling.signaling.routing.Delivery delivery;

    /** group (group calls through the SFU, the default), all (1v1 too), off (peer to peer always). */
    @ConfigProperty(name = "signaling.sfu", defaultValue = "group")
    String mode;

    /** Whether a call's media goes through the SFU: decided by its kind, the same on every pod. */
    public boolean usesSfu(String groupId) {
        return switch (mode) {
            case "all" -> true;
            case "off" -> false;
            default -> groupId != null;
        };
    }

    /** A member's browser asks for its SFU transport (again: after a failure, a fresh one). */
    public void join(Call c, String user, boolean video, List<String> videoCodecs, String transport) {
        String node = nodeFor(c, user);
        ObjectNode cmd = command("join", c, user);
        cmd.put("video", video);
        videoCodecs.forEach(cmd.putArray("codecs")::add);
        if (transport != null) {
            cmd.put("transport", transport);
        }
        send(node, cmd);
    }

    public void answer(Call c, String user, String sdp) {
        String node = redis.value(String.class).get(ROOM_PREFIX + c.callId());
        if (node == null) {
            throw new Call.Refused("sfu-unavailable", "no SFU room for this call: join first");
        }
        ObjectNode cmd = command("answer", c, user);
        cmd.put("sdp", sdp);
        send(node, cmd);
    }

    /** A member left the call: its streams stop for the others. */
    public void leave(Call c, String user) {
        String node = redis.value(String.class).get(ROOM_PREFIX + c.callId());
        if (node != null) {
            send(node, command("leave", c, user));
        }
    }

    /** The call ended: the room goes. */
    public void end(Call c) {
        String node = redis.value(String.class).getdel(ROOM_PREFIX + c.callId());
        if (node != null) {
            send(node, command("end", c, null));
        }
    }

    /**
     * The room's node, moved to the least loaded live node if it has none or its node died. On a
     * move, the call's other members are told their transport on the dead node is gone: they may
     * not have noticed yet (a browser takes seconds to see lost consent).
     */
    String nodeFor(Call c, String joiner) {
        String callId = c.callId();
        String key = ROOM_PREFIX + callId;
        String current = redis.value(String.class).get(key);
        if (current != null && alive(current)) {
            redis.key().expire(key, ROOM_TTL_SECONDS);
            return current;
        }
        String chosen = leastLoaded();
        if (chosen == null) {
            registry.counter("signaling.sfu.unavailable").increment();
            throw new Call.Refused("sfu-unavailable", "no media-relay node runs an SFU now; retry shortly");
        }
        io.vertx.mutiny.redis.client.Response moved = MOVE.run(redis, List.of(key), List.of(current == null ? "" : current,
                chosen, String.valueOf(ROOM_TTL_SECONDS)));
        String result = moved.get(0).toString();
        if (current != null && moved.get(1).toInteger() == 1) {
            // This pod moved it (a pod racing us sees our move and does nothing more).
            registry.counter("signaling.sfu.rooms.moved").increment();
            // If the old node was only unreachable for a while, it drops the room when it is back.
            ObjectNode end = json.createObjectNode();
            end.put("op", "end");
            end.put("room", callId);
            send(current, end);
            for (var p : c.participants()) {
                if (p.state().inCall() && !p.userId().equals(joiner)) {
                    ObjectNode gone = json.createObjectNode();
                    gone.put("type", "sfu-gone");
                    gone.put("callId", callId);
                    gone.put("node", current);
                    delivery.toUser(c.sdkAppId(), p.userId(), gone);
                }
            }
        }
        return result;
    }

    boolean alive(String node) {
        return redis.key().exists(NODE_PREFIX + node);
    }

    private String leastLoaded() {
        List<ScoredValue<String>> nodes = redis.sortedSet(String.class).zrangeWithScores(NODES, 0, -1);
        for (ScoredValue<String> n : nodes) {
            if (alive(n.value())) {
                return n.value();
            }
            redis.sortedSet(String.class).zrem(NODES, n.value()); // stopped refreshing: gone
        }
        return null;
    }

    private ObjectNode command(String op, Call c, String user) {
        ObjectNode cmd = json.createObjectNode();
        cmd.put("op", op);
        cmd.put("room", c.callId());
        cmd.put("app", c.sdkAppId());
        if (user != null) {
            cmd.put("user", user);
        }
        return cmd;
    }

    private void send(String node, ObjectNode cmd) {
        String key = COMMANDS_PREFIX + node;
        redis.list(String.class).rpush(key, cmd.toString());
        redis.key().expire(key, 60); // a node that died leaves no queue behind
        registry.counter("signaling.sfu.commands", "op", cmd.get("op").asText()).increment();
    }
}
