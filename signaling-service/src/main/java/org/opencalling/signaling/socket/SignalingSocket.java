package org.opencalling.signaling.socket;

import org.opencalling.signaling.protocol.CloseCode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.signaling.apps.SignalingConfig;
import org.opencalling.signaling.protocol.ClientDecoder;
import org.opencalling.signaling.protocol.ClientMessage;
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

    @Inject
    ObjectMapper json;

    @Inject
    ClientDecoder decoder;

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
            connection.close(CloseCode.POLICY.close(refused)).subscribe().with(v -> { }, e -> { });
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
            connection.closeAndAwait(CloseCode.POLICY.close("too many messages"));
            return null;
        }
        ClientDecoder.Result decoded = decoder.decode(text);
        String type = decoded.type();
        if ("login".equals(type) && userId != null) {
            return error(decoded.id(), "already-logged-in", "this connection is logged in as " + userId);
        }
        if (decoded.needsSession() && userId == null) {
            return error(decoded.id(), "not-logged-in", "log in first");
        }
        if (!decoded.ok()) {
            return error(decoded.id(), decoded.code(), decoded.error());
        }
        ClientMessage m = decoded.message();
        if (m instanceof ClientMessage.Ping) {
            return reply(object("pong", m.id()));
        }
        if (m instanceof ClientMessage.Login login) {
            return login(login, connection);
        }
        try {
            return callMessage(m, rxMicros, connection);
        } catch (org.opencalling.signaling.calls.Call.Refused e) {
            return error(m.id(), e.code(), e.getMessage());
        } catch (org.opencalling.signaling.calls.CallStore.Conflict e) {
            return error(m.id(), "conflict", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("%s failed: %s", type, e.toString());
            registry.counter("signaling.errors", "kind", "unavailable").increment();
            return error(m.id(), "unavailable", "the call store is unavailable; retry shortly");
        }
    }

    /** A logged-in session's message: its call, its media, its logout. */
    private String callMessage(ClientMessage m, long rxMicros, WebSocketConnection connection) {
        String id = m.id();
        if (m instanceof ClientMessage.Invite invite) {
            String callId = calls.invite(sdkAppId, userId, invite.callees(), invite.callType(), invite.groupId(),
                    invite.timeoutSeconds() * 1000L, rxMicros);
            ObjectNode ok = object("invite-ok", id);
            ok.put("callId", callId);
            ok.put("media", calls.sfuFor(invite.groupId()) ? "sfu" : "p2p");
            return reply(ok);
        }
        if (m instanceof ClientMessage.Sfu sfu) {
            calls.sfu(sfu.callId(), sdkAppId, userId, sfu.sdp(), sfu.videoCodecs(), sfu.transport());
            return null;
        }
        if (m instanceof ClientMessage.Relay relay) {
            calls.relay(relay.callId(), sdkAppId, userId, relay.to(), relay.type(), relay.payload());
            return null;
        }
        if (m instanceof ClientMessage.Answer answer) {
            calls.answer(answer.callId(), userId, answer.type());
            return reply(object(answer.type() + "-ok", id));
        }
        if (m instanceof ClientMessage.SwitchType st) {
            calls.switchType(st.callId(), userId, st.callType());
            return reply(object("switch-type-ok", id));
        }
        if (m instanceof ClientMessage.InviteMore more) {
            calls.inviteMore(more.callId(), userId, more.users(), more.groupId());
            return reply(object("invite-more-ok", id));
        }
        if (m instanceof ClientMessage.Media media) {
            calls.media(media.callId(), userId, media.state());
            return null;
        }
        if (m instanceof ClientMessage.Logout) {
            return logout(id, connection);
        }
        return error(id, "unsupported", "'" + m.getClass().getSimpleName() + "' is not served yet by this version");
    }

    /** Ends the session for good (no resume): leaves any call, goes offline, closes 1000. */
    private String logout(String id, WebSocketConnection connection) {
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
            connection.closeAndAwait(CloseCode.LOGGED_OUT.close());
        }
        return null;
    }

    private String login(ClientMessage.Login login, WebSocketConnection connection) {
        String id = login.id();
        long now = clock.millis() / 1000;
        Verification v = verifier.verify(login.sdkAppId(), login.userId(), login.userSig(), now);
        registry.counter("signaling.logins", "result", v.result().code()).increment();
        if (!v.valid()) {
            return error(id, v.result().code(), "login refused: UserSig " + v.result().code());
        }
        String resumeId = login.resume();
        // Resuming a session whose socket dropped: kept here (claimed so it cannot expire
        // meanwhile), or still the user's live session on the pod that held it: another pod
        // (which forwards what it held), or a former run of this one (restarted under the same
        // name: nothing it held survived, but the session and its call are in Redis).
        boolean claimed = sessions.claim(resumeId, login.sdkAppId(), login.userId());
        String fromPod = null;
        boolean fromFormerRun = false;
        if (!claimed && resumeId != null) {
            try {
                String holder = delivery.livePod(login.sdkAppId(), login.userId(), resumeId);
                fromFormerRun = pod.name().equals(holder);
                fromPod = fromFormerRun ? null : holder;
            } catch (RuntimeException e) {
                fromPod = null; // cannot tell: a fresh session
            }
        }
        boolean resumed = claimed || fromPod != null || fromFormerRun;
        String sid = resumed ? resumeId : UUID.randomUUID().toString();
        if (!claimed) {
            sessions.reserve(sid, login.sdkAppId(), login.userId()); // frames routed here before the socket is attached wait
        }
        boolean registered = false;
        boolean attached = false;
        try {
            try {
                // One live session per user: an older one, on whatever pod, is kicked by presence.
                presence.register(login.sdkAppId(), login.userId(), sid, pod.name());
                registered = true;
            } catch (org.opencalling.signaling.presence.PresenceClient.Unavailable e) {
                registry.counter("signaling.errors", "kind", "presence-unavailable").increment();
                return error(id, "presence-unavailable", "login is not possible right now; retry shortly");
            }
            sdkAppId = login.sdkAppId();
            userId = login.userId();
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
                    ? "resumed-from-other-pod" : fromFormerRun ? "resumed-after-restart" : "new").increment();
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
                if (registered && !resumed) {
                    endQuietly(login.sdkAppId(), login.userId(), sid); // the socket went before it was attached
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
}
