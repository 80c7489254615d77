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
import java.util.List;
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
 */
@WebSocket(path = "/v1/signaling")
@jakarta.enterprise.context.SessionScoped // one instance per connection: its fields are that connection's state
public class SignalingSocket {
    /** How long a session resumed from another pod waits for that pod's held frames. */
    static final long FORWARD_WAIT_MILLIS = 2000;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SignalingSocket.class);
    static final AtomicInteger OPEN = new AtomicInteger();
    private static final Set<String> CALL_TYPES = Set.of("invite", "sfu-join", "sfu-answer", "accept", "reject", "busy", "cancel", "hangup",
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

    @Inject
    org.opencalling.signaling.calls.CallService calls;

    @Inject
    org.opencalling.signaling.routing.Delivery delivery;

    private boolean closing;
    private long windowStart;
    private int inWindow;
    private long sdkAppId;
    private String userId;
    private String sessionId;

    @Inject
    KeepAlive keepAlive;

    @Inject
    org.opencalling.signaling.turn.IceRenewal iceRenewal;

    @Inject
    OriginCheck originCheck;

    @OnOpen
    void open(WebSocketConnection connection) {
        OPEN.incrementAndGet();
        keepAlive.opened(connection);
        String refused = originCheck.refusal(connection);
        if (refused != null) {
            closing = true; // not one frame of it is read
            connection.close(new CloseReason(1008, refused)).subscribe().with(v -> { }, e -> { });
        }
    }

    /** The answer to the server's ping (browsers send it by themselves). */
    @io.quarkus.websockets.next.OnPongMessage
    void pong(io.vertx.core.buffer.Buffer data, WebSocketConnection connection) {
        keepAlive.seen(connection);
    }

    @OnClose
    void close(WebSocketConnection connection) {
        OPEN.decrementAndGet();
        keepAlive.gone(connection);
        // Still ours (not kicked): keep the session and its call for the grace period, in case
        // the client reconnects with "resume"; after it, the user goes offline and leaves.
        sessions.detach(sessionId, connection);
    }

    /**
     * One frame in, its answer (if any) out. Sent here rather than returned: a client that
     * vanished meanwhile is counted ({@code connection-lost}), not logged as a server error.
     */
    @OnTextMessage
    void message(String text, WebSocketConnection connection) {
        String answer = handle(text, connection);
        if (answer != null && connection.isOpen()) {
            connection.sendText(answer).subscribe().with(v -> { },
                    e -> registry.counter("signaling.errors", "kind", "connection-lost").increment());
        }
    }

    private String handle(String text, WebSocketConnection connection) {
        long rxMicros = org.opencalling.signaling.routing.Delivery.nowMicros();
        registry.counter("signaling.messages", "direction", "in").increment();
        keepAlive.seen(connection);
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
                try {
                    return callMessage(type, id, msg, rxMicros, connection);
                } catch (org.opencalling.signaling.calls.Call.Refused e) {
                    return error(id, e.code(), e.getMessage());
                } catch (org.opencalling.signaling.calls.CallStore.Conflict e) {
                    return error(id, "conflict", e.getMessage());
                } catch (RuntimeException e) {
                    LOG.warnf("%s failed: %s", type, e.toString());
                    registry.counter("signaling.errors", "kind", "unavailable").increment();
                    return error(id, "unavailable", "the call store is unavailable; retry shortly");
                }
        }
    }

    private String callMessage(String type, String id, JsonNode msg, long rxMicros, WebSocketConnection connection) {
        switch (type) {
            case "invite": {
                JsonNode callees = msg.get("callees");
                if (callees == null || !callees.isArray() || callees.isEmpty() || callees.size() > 16) {
                    return error(id, "invalid-field", "callees must be a list of 1 to 16 userIds");
                }
                java.util.List<String> list = new java.util.ArrayList<>();
                for (JsonNode c : callees) {
                    if (!c.isTextual() || !UserIds.isValid(c.asText())) {
                        return error(id, "invalid-user-id", "callees must be userIds: " + UserIds.RULE);
                    }
                    list.add(c.asText());
                }
                long timeoutSeconds = msg.path("timeoutSeconds").asLong(30);
                if (timeoutSeconds < 1 || timeoutSeconds > 300) {
                    return error(id, "invalid-field", "timeoutSeconds must be 1 to 300");
                }
                String groupId = msg.hasNonNull("groupId") ? msg.get("groupId").asText() : null;
                if (groupId != null && (groupId.isEmpty() || groupId.length() > 64)) {
                    return error(id, "invalid-field", "groupId must be 1 to 64 characters");
                }
                String callId = calls.invite(sdkAppId, userId, java.util.List.copyOf(new java.util.LinkedHashSet<>(list)),
                        org.opencalling.signaling.calls.CallService.callType(msg.path("callType").asText("video")),
                        groupId, timeoutSeconds * 1000, rxMicros);
                ObjectNode ok = object("invite-ok", id);
                ok.put("callId", callId);
                ok.put("media", calls.sfuFor(groupId) ? "sfu" : "p2p");
                return reply(ok);
            }
            case "sfu-join":
            case "sfu-answer": {
                if (!msg.hasNonNull("callId")) {
                    return error(id, "missing-field", type + " needs callId");
                }
                String sdp = msg.path("sdp").isTextual() ? msg.get("sdp").asText() : null;
                if (type.equals("sfu-answer") && sdp == null) {
                    return error(id, "missing-field", "sfu-answer needs sdp");
                }
                java.util.List<String> codecs = new java.util.ArrayList<>();
                JsonNode named = msg.get("videoCodecs");
                if (named != null && !named.isNull()) {
                    if (!named.isArray() || named.size() > 8) {
                        return error(id, "invalid-field", "videoCodecs must be a list of at most 8 codec names");
                    }
                    for (JsonNode c : named) {
                        if (!c.isTextual() || !c.asText().matches("[A-Za-z0-9]{1,16}")) {
                            return error(id, "invalid-field", "videoCodecs must be codec names such as VP8 or H264");
                        }
                        codecs.add(c.asText());
                    }
                }
                String transport = msg.path("transport").isTextual() ? msg.get("transport").asText() : null;
                if (transport != null && !transport.matches("[A-Za-z0-9_-]{1,40}")) {
                    return error(id, "invalid-field", "transport must be 1 to 40 letters, digits, _ or -");
                }
                calls.sfu(msg.get("callId").asText(), sdkAppId, userId, sdp, codecs, transport);
                return null;
            }
            case "sdp":
            case "ice": {
                String to = msg.path("to").asText(null);
                JsonNode payload = msg.get(type.equals("sdp") ? "description" : "candidate");
                if (to == null || payload == null || !msg.hasNonNull("callId")) {
                    return error(id, "missing-field", type + " needs callId, to and "
                            + (type.equals("sdp") ? "description" : "candidate"));
                }
                calls.relay(msg.get("callId").asText(), sdkAppId, userId, to, type, payload);
                return null;
            }
            case "accept", "reject", "busy", "cancel", "hangup", "switch-type", "media", "invite-more": {
                if (!msg.hasNonNull("callId")) {
                    return error(id, "missing-field", type + " needs callId");
                }
                calls.act(msg.get("callId").asText(), userId, type, msg);
                return type.equals("media") ? null : reply(object(type + "-ok", id));
            }
            case "logout": {
                // Ends the session for good (no resume): leaves any call, goes offline, closes 1000.
                String sid = sessionId;
                sessionId = null;
                closing = true;
                sessions.forget(sid);
                try {
                    calls.leaveAny(sdkAppId, userId);
                } catch (RuntimeException e) {
                    LOG.warnf("logout of %s: leaving the call failed: %s", userId, e.toString());
                    registry.counter("signaling.errors", "kind", "unavailable").increment();
                }
                try {
                    presence.end(sdkAppId, userId, sid);
                } catch (RuntimeException e) {
                    registry.counter("signaling.errors", "kind", "presence-unavailable").increment();
                }
                try {
                    connection.sendTextAndAwait(reply(object("logout-ok", id)));
                } finally {
                    connection.closeAndAwait(new CloseReason(1000, "logged out"));
                }
                return null;
            }
            default:
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
        String resumeId = msg.hasNonNull("resume") ? msg.get("resume").asText() : null;
        // Resuming a session whose socket dropped: kept here (claimed so it cannot expire
        // meanwhile), or (a reconnect that landed on another pod) still the user's live session
        // on the pod that held it.
        boolean claimed = sessions.claim(resumeId, app.asLong(), user.asText());
        String fromPod = null;
        if (!claimed && resumeId != null) {
            try {
                fromPod = delivery.heldElsewhere(app.asLong(), user.asText(), resumeId);
            } catch (RuntimeException e) {
                fromPod = null; // cannot tell: a fresh session
            }
        }
        boolean resumed = claimed || fromPod != null;
        String sid = resumed ? resumeId : UUID.randomUUID().toString();
        if (!claimed) {
            sessions.reserve(sid, app.asLong(), user.asText()); // frames routed here before the socket is attached wait
        }
        boolean registered = false;
        boolean attached = false;
        try {
            try {
                // One live session per user: an older one, on whatever pod, is kicked by presence.
                presence.register(app.asLong(), user.asText(), sid, pod.name());
                registered = true;
            } catch (org.opencalling.signaling.presence.PresenceClient.Unavailable e) {
                registry.counter("signaling.errors", "kind", "presence-unavailable").increment();
                return error(id, "presence-unavailable", "login is not possible right now; retry shortly");
            }
            sdkAppId = app.asLong();
            userId = user.asText();
            sessionId = sid;
            ObjectNode ok = object("login-ok", id);
            ok.put("sdkAppId", sdkAppId);
            ok.put("userId", userId);
            ok.put("sessionId", sessionId);
            ok.put("resumed", resumed);
            ok.set("iceServers", json.valueToTree(config.iceServers(sdkAppId, userId, now)));
            ok.put("iceTtl", config.turnTtlSeconds());
            iceRenewal.issued(sid, now);
            registry.counter("signaling.sessions", "kind", claimed ? "resumed" : fromPod != null
                    ? "resumed-from-other-pod" : "new").increment();
            // The answer first, then what came while the socket was away (or while this login
            // was being registered), then what rang while the user was offline. Frames keep
            // being held until the held ones are written, so none overtakes an older one.
            connection.sendTextAndAwait(reply(ok));
            var local = new org.opencalling.signaling.presence.LocalSessions.Local(sdkAppId, userId, sessionId, connection);
            attached = true;
            if (!sessions.attach(local)) {
                return null; // displaced by a newer login meanwhile: kicked
            }
            keepAlive.loggedIn(connection);
            if (fromPod != null) {
                // The former pod's held frames come first: what arrives here meanwhile waits.
                sessions.awaitForward(sid, clock.millis() + FORWARD_WAIT_MILLIS);
            } else {
                sessions.drainTo(sid, connection::sendTextAndAwait);
            }
        } finally {
            if (!attached) {
                sessions.release(sid, claimed);
                if (registered && !claimed && fromPod == null) {
                    endQuietly(app.asLong(), user.asText(), sid); // the socket went before it was attached
                }
            }
        }
        if (fromPod != null) {
            try {
                delivery.announceResume(fromPod, sid); // that pod forwards what it held, here
            } catch (RuntimeException e) {
                registry.counter("signaling.errors", "kind", "unavailable").increment();
                LOG.warnf("could not tell %s that %s resumed here: %s", fromPod, sid, e.toString());
            }
        }
        try {
            calls.deliverHeldInvitations(sdkAppId, userId);
        } catch (RuntimeException e) {
            registry.counter("signaling.errors", "kind", "held-invitations").increment();
        }
        return null;
    }

    private void endQuietly(long app, String user, String sid) {
        try {
            presence.end(app, user, sid);
        } catch (RuntimeException e) {
            LOG.debugf("ending %s failed (it expires by itself): %s", sid, e.toString());
        }
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
