package org.opencalling.signaling.presence;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions whose sockets this pod holds. A kick may arrive (over Redis) before the login
 * that caused it has finished registering here, so kicks are remembered for a while and honoured
 * when the session shows up.
 */
@Singleton
public class LocalSessions {
    public static final int KICKED_CLOSE_CODE = 4001;
    private static final long REMEMBER_KICKS_MILLIS = 60_000;

    public record Local(long sdkAppId, String userId, String sessionId, WebSocketConnection connection) {
    }

    private final Map<String, Local> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> earlyKicks = new ConcurrentHashMap<>();
    /** Sessions whose socket dropped, kept for the resume grace period: session id → entry. */
    private final Map<String, Detached> detached = new ConcurrentHashMap<>();

    public record Detached(long sdkAppId, String userId, String sessionId, long untilMillis) {
    }

    /** The socket dropped: keep the session (and its calls) until {@code untilMillis}. */
    public void detach(Local l, long untilMillis) {
        detached.put(l.sessionId(), new Detached(l.sdkAppId(), l.userId(), l.sessionId(), untilMillis));
    }

    /** Takes a detached session back for a resuming login of the same user, or null. */
    public Detached resume(String sessionId, long sdkAppId, String userId) {
        Detached d = sessionId == null ? null : detached.get(sessionId);
        if (d == null || d.sdkAppId() != sdkAppId || !d.userId().equals(userId)) {
            return null;
        }
        return detached.remove(sessionId) != null ? d : null;
    }

    /** Detached sessions whose grace period ended, removed. */
    public List<Detached> expired(long nowMillis) {
        List<Detached> out = new ArrayList<>();
        for (Detached d : List.copyOf(detached.values())) {
            if (d.untilMillis() <= nowMillis && detached.remove(d.sessionId()) != null) {
                out.add(d);
            }
        }
        return out;
    }

    public List<Detached> allDetached() {
        return new ArrayList<>(detached.values());
    }

    public void add(Local l) {
        sessions.put(l.sessionId(), l);
        if (earlyKicks.remove(l.sessionId()) != null) {
            kick(l.sessionId());
        }
    }

    public Local remove(String sessionId) {
        return sessionId == null ? null : sessions.remove(sessionId);
    }

    public List<Local> all() {
        return new ArrayList<>(sessions.values());
    }

    /** Sends a frame to one of this pod's sessions; false if it is not (or no longer) here. */
    public boolean send(String sessionId, String frame) {
        Local l = sessions.get(sessionId);
        if (l == null || !l.connection().isOpen()) {
            return false;
        }
        l.connection().sendText(frame).subscribe().with(v -> { }, e -> { });
        return true;
    }

    /** Tells the socket it was displaced (KICKED_OUT in the SDK) and closes it. */
    public boolean kick(String sessionId) {
        if (detached.remove(sessionId) != null) {
            return true; // no socket to tell; the session is simply gone
        }
        Local l = sessions.remove(sessionId);
        if (l == null) {
            long now = System.currentTimeMillis();
            earlyKicks.values().removeIf(t -> now - t > REMEMBER_KICKS_MILLIS);
            earlyKicks.put(sessionId, now);
            return false;
        }
        WebSocketConnection c = l.connection();
        if (c.isOpen()) {
            c.sendText("{\"type\":\"kicked\",\"reason\":\"logged-in-elsewhere\"}")
                    .chain(() -> c.close(new CloseReason(KICKED_CLOSE_CODE, "logged in elsewhere")))
                    .subscribe().with(v -> { }, e -> { });
        }
        return true;
    }
}
