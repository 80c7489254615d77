package org.opencalling.signaling.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.opencalling.signaling.presence.LocalSessions;
import org.opencalling.signaling.presence.Pod;

/**
 * Gets a frame to a user's socket on whichever pod holds it: the user's live session (pod and
 * session id) is read from presence's Redis hash, and the frame is published on that pod's
 * channel {@code trtc:signal:{pod}}; the pod hands it to the session's socket. No pod needs to
 * know in advance where a user is.
 */
@Singleton
public class Delivery {
    private static final Logger LOG = Logger.getLogger(Delivery.class);
    public static final String CHANNEL_PREFIX = "trtc:signal:";

    @Inject
    RedisDataSource redis;

    @Inject
    LocalSessions sessions;

    @Inject
    Pod pod;

    @Inject
    ObjectMapper json;

    void start(@Observes StartupEvent e) {
        redis.pubsub(String.class).subscribe(CHANNEL_PREFIX + pod.name(), this::arrived);
    }

    /** Sends the frame to the user if online; false when offline. */
    public boolean toUser(long app, String user, ObjectNode frame) {
        var hm = redis.hash(String.class).hmget("trtc:pr:s:" + app + ":" + user, "sid", "pod");
        String sid = hm.get("sid");
        String where = hm.get("pod");
        if (sid == null || where == null) {
            return false;
        }
        ObjectNode envelope = json.createObjectNode();
        envelope.put("sessionId", sid);
        envelope.set("frame", frame);
        redis.pubsub(String.class).publish(CHANNEL_PREFIX + where, envelope.toString());
        return true;
    }

    void arrived(String message) {
        try {
            var envelope = json.readTree(message);
            sessions.send(envelope.get("sessionId").asText(), envelope.get("frame").toString());
        } catch (Exception e) {
            LOG.warnf("Unreadable routed frame: %s", e.toString());
        }
    }
}
