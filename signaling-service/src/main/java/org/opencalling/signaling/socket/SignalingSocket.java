package org.opencalling.signaling.socket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.signaling.apps.SignalingConfig;
import org.opencalling.usersig.SdkAppIds;
import org.opencalling.usersig.UserIds;
import org.opencalling.usersig.UserSigVerifier;
import org.opencalling.usersig.Verification;

/**
 * The browser's socket. One instance per connection (session-scoped), so its
 * fields are that connection's state. Every frame is answered; a bad one gets an {@code error}
 * and the connection stays, except for floods (1008) and oversized frames (1009).
 * In progress (issue 4): login, keep-alive, limits and errors are served; call messages are not yet.
 */
@WebSocket(path = "/v1/signaling")
@jakarta.enterprise.context.SessionScoped // one instance per connection: its fields are that connection's state
public class SignalingSocket {
    static final AtomicInteger OPEN = new AtomicInteger();
    private static final Set<String> CALL_TYPES = Set.of("invite", "accept", "reject", "busy", "cancel", "hangup",
            "invite-more", "switch-type", "media", "sdp", "ice", "logout");

    @Inject
    ObjectMapper json;

    @Inject
    UserSigVerifier verifier;

    @Inject
    SignalingConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    Clock clock;

    @ConfigProperty(name = "signaling.max-messages-per-second")
    int maxPerSecond;

    @Inject
    org.opencalling.signaling.presence.PresenceClient presence;

    @Inject
    org.opencalling.signaling.presence.LocalSessions sessions;

    @Inject
    org.opencalling.signaling.presence.Pod pod;

    private boolean closing;
    private long windowStart;
    private int inWindow;
    private long sdkAppId;
    private String userId;
    private String sessionId;

    @OnOpen
    void open() {
        if (OPEN.getAndIncrement() == 0) {
            registry.gauge("signaling.connections", OPEN);
        }
    }

    @OnClose
    void close() {
        OPEN.decrementAndGet();
        // Still ours (not kicked): the user goes offline. (A resume grace period comes with calls.)
        if (sessions.remove(sessionId) != null) {
            try {
                presence.end(sdkAppId, userId, sessionId);
            } catch (RuntimeException e) {
                registry.counter("signaling.errors", "kind", "presence-end").increment(); // expires by itself
            }
        }
    }

    /** Vert.x refuses a frame over max-message-size with this error: close as RFC 6455 says, 1009. */
    @io.quarkus.websockets.next.OnError
    void failure(Throwable error, WebSocketConnection connection) {
        String m = String.valueOf(error.getMessage());
        boolean tooBig = m.contains("max message size") || m.contains("too big");
        registry.counter("signaling.errors", "kind", tooBig ? "frame-too-large" : "internal").increment();
        if (!connection.isClosed()) {
            connection.closeAndAwait(tooBig ? new CloseReason(1009, "frame too large")
                    : new CloseReason(1011, "internal error"));
        }
    }

    @OnTextMessage
    String message(String text, WebSocketConnection connection) {
        registry.counter("signaling.messages", "direction", "in").increment();
        if (closing) {
            return null; // frames that were already queued when we closed
        }
        if (flooding()) {
            registry.counter("signaling.errors", "kind", "rate-limit").increment();
            closing = true;
            connection.closeAndAwait(new CloseReason(1008, "too many messages"));
            return null;
        }
        JsonNode msg;
        try {
            msg = json.readTree(text);
        } catch (Exception e) {
            return error(null, "malformed-json", "the frame is not JSON");
        }
        if (msg == null || !msg.isObject()) {
            return error(null, "malformed-message", "a message is a JSON object with a \"type\"");
        }
        String id = msg.hasNonNull("id") ? msg.get("id").asText() : null;
        String type = msg.path("type").asText("");
        switch (type) {
            case "ping":
                return reply(object("pong", id));
            case "login":
                return login(msg, id, connection);
            case "":
                return error(id, "missing-field", "type is required");
            default:
                if (!CALL_TYPES.contains(type)) {
                    return error(id, "unknown-type", "unknown message type '" + abbreviate(type) + "'");
                }
                if (userId == null) {
                    return error(id, "not-logged-in", "log in first");
                }
                return error(id, "unsupported", "'" + type + "' is not served yet by this version");
        }
    }

    private String login(JsonNode msg, String id, WebSocketConnection connection) {
        if (userId != null) {
            return error(id, "already-logged-in", "this connection is logged in as " + userId);
        }
        JsonNode app = msg.get("sdkAppId");
        JsonNode user = msg.get("userId");
        JsonNode sig = msg.get("userSig");
        if (app == null || user == null || sig == null) {
            return error(id, "missing-field", "login needs sdkAppId, userId and userSig");
        }
        if (!app.isIntegralNumber() || !SdkAppIds.isValid(app.asLong())) {
            return error(id, "invalid-field", "sdkAppId must be a positive number");
        }
        if (!user.isTextual() || !UserIds.isValid(user.asText())) {
            return error(id, "invalid-user-id", "userId must be " + UserIds.RULE);
        }
        if (!sig.isTextual()) {
            return error(id, "invalid-field", "userSig must be a string");
        }
        long now = clock.millis() / 1000;
        Verification v = verifier.verify(app.asLong(), user.asText(), sig.asText(), now);
        registry.counter("signaling.logins", "result", v.result().code()).increment();
        if (!v.valid()) {
            return error(id, v.result().code(), "login refused: UserSig " + v.result().code());
        }
        String sid = UUID.randomUUID().toString();
        try {
            // One live session per user: an older one, on whatever pod, is kicked by presence.
            presence.register(app.asLong(), user.asText(), sid, pod.name());
        } catch (org.opencalling.signaling.presence.PresenceClient.Unavailable e) {
            registry.counter("signaling.errors", "kind", "presence-unavailable").increment();
            return error(id, "presence-unavailable", "login is not possible right now; retry shortly");
        }
        sdkAppId = app.asLong();
        userId = user.asText();
        sessionId = sid;
        sessions.add(new org.opencalling.signaling.presence.LocalSessions.Local(sdkAppId, userId, sessionId, connection));
        ObjectNode ok = object("login-ok", id);
        ok.put("sdkAppId", sdkAppId);
        ok.put("userId", userId);
        ok.put("sessionId", sessionId);
        ok.set("iceServers", json.valueToTree(config.iceServers(userId, now)));
        ok.put("iceTtl", config.turnTtlSeconds());
        return reply(ok);
    }

    private boolean flooding() {
        long second = clock.millis() / 1000;
        if (second != windowStart) {
            windowStart = second;
            inWindow = 0;
        }
        return ++inWindow > maxPerSecond;
    }

    private ObjectNode object(String type, String id) {
        ObjectNode o = json.createObjectNode();
        o.put("type", type);
        if (id != null) {
            o.put("id", id);
        }
        return o;
    }

    private String error(String id, String code, String message) {
        registry.counter("signaling.errors", "kind", code).increment();
        ObjectNode e = object("error", id);
        e.put("code", code);
        e.put("message", message);
        return reply(e);
    }

    private String reply(ObjectNode o) {
        registry.counter("signaling.messages", "direction", "out").increment();
        return o.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
