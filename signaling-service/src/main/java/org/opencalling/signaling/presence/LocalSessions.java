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

    /**
     * A session without a socket, in its grace period. Frames for it are kept (the newest
     * {@link #MAX_HELD_FRAMES}) and handed to the socket that resumes it, here or on another pod.
     */
    public static final class Detached {
        private final long sdkAppId;
        private final String userId;
        private final String sessionId;
        private final long untilMillis;
        private final java.util.ArrayDeque<String> frames = new java.util.ArrayDeque<>();
        private boolean taken;

        Detached(long sdkAppId, String userId, String sessionId, long untilMillis) {
            this.sdkAppId = sdkAppId;
            this.userId = userId;
            this.sessionId = sessionId;
            this.untilMillis = untilMillis;
        }

        /** False once the frames were taken (the caller then looks for the live socket again). */
        synchronized boolean hold(String frame) {
            if (taken) {
                return false;
            }
            if (frames.size() == MAX_HELD_FRAMES) {
                frames.pollFirst();
            }
            frames.addLast(frame);
            return true;
        }

        synchronized List<String> take() {
            taken = true;
            List<String> out = new ArrayList<>(frames);
            frames.clear();
            return out;
        }

        public long sdkAppId() {
            return sdkAppId;
        }

        public String userId() {
            return userId;
        }

        public String sessionId() {
            return sessionId;
        }

        public long untilMillis() {
            return untilMillis;
        }
    }

    public static final int MAX_HELD_FRAMES = 256;
    /** Close code for a socket whose session was resumed on another connection. */
    public static final int RESUMED_ELSEWHERE_CLOSE_CODE = 4002;

    /**
     * The socket dropped: keep the session (and its calls) until {@code untilMillis}. Detached
     * before it is removed, so a frame arriving meanwhile is held, not lost. False if the session
     * was not here (kicked or handed over).
     */
    public boolean detach(String sessionId, long untilMillis) {
        Local l = sessionId == null ? null : sessions.get(sessionId);
        if (l == null) {
            return false;
        }
        detached.put(sessionId, new Detached(l.sdkAppId(), l.userId(), sessionId, untilMillis));
        if (!sessions.remove(sessionId, l)) {
            detached.remove(sessionId); // kicked or handed over meanwhile
            return false;
        }
        return true;
    }

    /**
     * The session was resumed on another pod: forget it here without leaving its call, and
     * return the frames held for it (to be forwarded). A socket still open here for it (the
     * client saw it die before this pod did) is closed.
     */
    public List<String> handOver(String sessionId) {
        Detached d = detached.remove(sessionId);
        if (d != null) {
            return d.take();
        }
        Local l = sessions.remove(sessionId);
        if (l != null && l.connection().isOpen()) {
            l.connection().close(new CloseReason(RESUMED_ELSEWHERE_CLOSE_CODE, "resumed elsewhere"))
                    .subscribe().with(v -> { }, e -> { });
        }
        return List.of();
    }

    /** The detached session a login of the same user may resume, or null (it stays detached until attached). */
    public Detached resumable(String sessionId, long sdkAppId, String userId) {
        Detached d = sessionId == null ? null : detached.get(sessionId);
        return d == null || d.sdkAppId() != sdkAppId || !d.userId().equals(userId) ? null : d;
    }

    /**
     * The resumed session's new socket: from now on frames go to it; returns the frames held
     * while it was away (to be sent next; one arriving in between may overtake them).
     */
    public List<String> attach(Local l) {
        add(l);
        Detached d = detached.remove(l.sessionId());
        return d == null ? List.of() : d.take();
    }

    /** The session ended for good (logout): no longer here, attached or not. */
    public void forget(String sessionId) {
        if (sessionId != null) {
            sessions.remove(sessionId);
            detached.remove(sessionId);
        }
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

    public List<Local> all() {
        return new ArrayList<>(sessions.values());
    }

    /** Sends a frame to one of this pod's sessions; false if it is not (or no longer) here. */
    public boolean send(String sessionId, String frame) {
        return send(sessionId, frame, null);
    }

    /** As {@link #send(String, String)}; {@code onSent} runs once the frame is written to the socket. */
    public boolean send(String sessionId, String frame, Runnable onSent) {
        Local l = sessions.get(sessionId);
        if (l == null || !l.connection().isOpen()) {
            Detached d = detached.get(sessionId);
            if (d != null && d.hold(frame)) {
                return true; // its socket dropped: kept for the resume
            }
            l = sessions.get(sessionId); // just attached (resumed) meanwhile?
            if (d == null || l == null || !l.connection().isOpen()) {
                return false;
            }
        }
        l.connection().sendText(frame).subscribe().with(v -> {
            if (onSent != null) {
                onSent.run();
            }
        }, e -> { });
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
