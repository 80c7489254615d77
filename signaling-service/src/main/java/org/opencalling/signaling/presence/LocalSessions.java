package org.opencalling.signaling.presence;

import org.opencalling.signaling.protocol.CloseCode;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The sessions this pod holds: live ones (with their socket) and detached ones (no socket: in
 * their resume grace period, or between a login's registration with presence and its socket
 * being attached). Frames for a detached session are held and handed to the socket that takes
 * it back, so none is lost in those gaps. A kick may arrive (over Redis) before the login that
 * caused it has finished here, so kicks are remembered for a while and honoured when the
 * session shows up.
 */
@Singleton
public class LocalSessions {
    public static final int MAX_HELD_FRAMES = 256;
    public static final int MAX_HELD_CHARS = 1 << 20;
    private static final long REMEMBER_KICKS_MILLIS = 60_000;

    @ConfigProperty(name = "signaling.resume-grace", defaultValue = "10s")
    Duration grace;

    public record Local(long sdkAppId, String userId, String sessionId, WebSocketConnection connection) {
    }

    private final Map<String, Local> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> earlyKicks = new ConcurrentHashMap<>();
    private final Map<String, Detached> detached = new ConcurrentHashMap<>();

    /**
     * A session without a socket. Frames for it are kept (the newest {@link #MAX_HELD_FRAMES},
     * at most {@link #MAX_HELD_CHARS} characters) for the socket that takes it back. A claimed
     * one is being taken back (a login in progress) and does not expire meanwhile.
     */
    public static final class Detached {
        private final long sdkAppId;
        private final String userId;
        private final String sessionId;
        private volatile long untilMillis;
        private boolean claimed; // guarded by the map's per-key lock (compute)
        private final ArrayDeque<String> frames = new ArrayDeque<>();
        private int chars;
        private boolean taken;
        private int attempts;

        Detached(long sdkAppId, String userId, String sessionId, long untilMillis, boolean claimed) {
            this.sdkAppId = sdkAppId;
            this.userId = userId;
            this.sessionId = sessionId;
            this.untilMillis = untilMillis;
            this.claimed = claimed;
        }

        /** False once the frames were taken (the caller then looks for the live socket again). */
        synchronized boolean hold(String frame) {
            if (taken) {
                return false;
            }
            frames.addLast(frame);
            chars += frame.length();
            while (frames.size() > MAX_HELD_FRAMES || chars > MAX_HELD_CHARS) {
                chars -= frames.pollFirst().length();
            }
            return true;
        }

        synchronized List<String> take() {
            taken = true;
            List<String> out = new ArrayList<>(frames);
            frames.clear();
            chars = 0;
            return out;
        }

        /**
         * The frames held so far, leaving the entry open to hold more; when there are none left
         * it closes (later frames go to the socket directly), so the socket gets every held frame
         * before any newer one.
         */
        synchronized List<String> drain() {
            if (frames.isEmpty()) {
                taken = true;
                return List.of();
            }
            List<String> out = new ArrayList<>(frames);
            frames.clear();
            chars = 0;
            return out;
        }

        boolean claimed() {
            return claimed;
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

    private long graceEnd() {
        return System.currentTimeMillis() + grace.toMillis();
    }

    /**
     * A fresh login's session id, before it is registered with presence (from then on frames are
     * routed here): frames arriving before its socket is attached are held, not lost.
     */
    public void reserve(String sessionId, long sdkAppId, String userId) {
        detached.put(sessionId, new Detached(sdkAppId, userId, sessionId, Long.MAX_VALUE, true));
    }

    /**
     * Takes a session of this user back for a resuming login: one in its grace period, or one
     * whose socket this pod still thinks open (the client saw it die first; that socket is
     * closed with 4002). Claimed, it no longer expires. False if there is none here.
     */
    public boolean claim(String sessionId, long sdkAppId, String userId) {
        if (sessionId == null) {
            return false;
        }
        if (claimDetached(sessionId, sdkAppId, userId)) {
            return true;
        }
        Local l = sessions.get(sessionId);
        if (l == null || l.sdkAppId() != sdkAppId || !l.userId().equals(userId)) {
            return false;
        }
        Detached mine = new Detached(sdkAppId, userId, sessionId, graceEnd(), true);
        if (detached.putIfAbsent(sessionId, mine) != null) {
            return claimDetached(sessionId, sdkAppId, userId); // its socket closed just now: detached
        }
        if (!sessions.remove(sessionId, l)) {
            detached.remove(sessionId, mine);
            return claimDetached(sessionId, sdkAppId, userId);
        }
        l.connection().close(CloseCode.RESUMED_ELSEWHERE.close())
                .subscribe().with(v -> { }, e -> { });
        return true;
    }

    private boolean claimDetached(String sessionId, long sdkAppId, String userId) {
        boolean[] ok = {false};
        detached.computeIfPresent(sessionId, (k, d) -> {
            if (!d.claimed && d.sdkAppId == sdkAppId && d.userId.equals(userId)) {
                d.claimed = true;
                ok[0] = true;
            }
            return d;
        });
        return ok[0];
    }

    /** The login failed: a reservation is dropped; a claimed session goes back to its grace period. */
    public void release(String sessionId, boolean wasClaimed) {
        if (!wasClaimed) {
            detached.remove(sessionId);
            return;
        }
        detached.computeIfPresent(sessionId, (k, d) -> {
            d.claimed = false;
            return d;
        });
    }

    /**
     * The session's socket. Frames keep being held while the caller writes out what was held
     * ({@link #drainTo}); then they go to the socket directly, so none overtakes an older one.
     * False if the session was kicked meanwhile (its socket is told and closed).
     */
    public boolean attach(Local l) {
        long now = System.currentTimeMillis();
        earlyKicks.values().removeIf(t -> now - t > REMEMBER_KICKS_MILLIS);
        sessions.put(l.sessionId(), l);
        if (earlyKicks.remove(l.sessionId()) != null) {
            detached.remove(l.sessionId());
            kick(l.sessionId());
            return false;
        }
        return true;
    }

    /** Resumed from another pod: session id → when to stop waiting for that pod's held frames. */
    private final Map<String, Long> awaitingForward = new ConcurrentHashMap<>();

    /**
     * The session was resumed from another pod, which will forward the frames it held: new ones
     * stay held here until those arrive ({@link #forwardDone}) or {@code untilMillis} passes.
     */
    public void awaitForward(String sessionId, long untilMillis) {
        awaitingForward.put(sessionId, untilMillis);
    }

    /** A frame the former pod held, forwarded: straight to the socket, ahead of the ones held here. */
    public boolean forwarded(String sessionId, String frame) {
        Local l = sessions.get(sessionId);
        return l != null && l.connection().isOpen() && write(l, frame, null);
    }

    /** The former pod forwarded all it held: what waited here follows, then frames flow directly. */
    public void forwardDone(String sessionId) {
        if (awaitingForward.remove(sessionId) != null) {
            Local l = sessions.get(sessionId);
            if (l == null) {
                return;
            }
            drainTo(sessionId, frame -> write(l, frame, null));
        }
    }

    /** Stops waiting for former pods that did not answer in time. */
    public void forwardsOverdue(long nowMillis) {
        for (Map.Entry<String, Long> e : List.copyOf(awaitingForward.entrySet())) {
            if (e.getValue() <= nowMillis) {
                forwardDone(e.getKey());
            }
        }
    }

    /** Writes out, in order, every frame held for an attached session, then lets new ones through. */
    public void drainTo(String sessionId, java.util.function.Consumer<String> write) {
        Detached d = detached.get(sessionId);
        if (d == null) {
            return;
        }
        for (List<String> batch = d.drain(); !batch.isEmpty(); batch = d.drain()) {
            batch.forEach(write);
        }
        detached.remove(sessionId, d);
    }

    /**
     * The socket closed: keep the session (and its call) for the grace period. Only for the socket
     * that holds it (not one kicked, handed over, or replaced by a resume). Detached before it
     * is removed, so a frame arriving meanwhile is held, not lost.
     */
    public boolean detach(String sessionId, WebSocketConnection connection) {
        Local l = sessionId == null ? null : sessions.get(sessionId);
        if (l == null || l.connection() != connection) {
            return false;
        }
        Detached created = new Detached(l.sdkAppId(), l.userId(), sessionId, graceEnd(), false);
        Detached d = detached.putIfAbsent(sessionId, created);
        if (!sessions.remove(sessionId, l)) {
            detached.remove(sessionId, created); // kicked, handed over or resumed meanwhile: not ours
            return false;
        }
        if (d != null) {
            // An entry made by send() while the socket was closing, or the login's own one whose
            // held frames were still being written: this session's, so its grace period starts.
            detached.computeIfPresent(sessionId, (k, v) -> {
                if (v == d) {
                    v.claimed = false;
                    v.untilMillis = graceEnd();
                }
                return v;
            });
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
            l.connection().close(CloseCode.RESUMED_ELSEWHERE.close())
                    .subscribe().with(v -> { }, e -> { });
        }
        return List.of();
    }

    /** The session ended for good (logout): no longer here, attached or not. */
    public void forget(String sessionId) {
        if (sessionId != null) {
            sessions.remove(sessionId);
            detached.remove(sessionId);
        }
    }

    /** Detached sessions whose grace period ended (not claimed by a login in progress), removed. */
    public List<Detached> expired(long nowMillis) {
        List<Detached> out = new ArrayList<>();
        for (Detached d : List.copyOf(detached.values())) {
            if (d.untilMillis > nowMillis) {
                continue;
            }
            boolean[] removed = {false};
            detached.computeIfPresent(d.sessionId, (k, v) -> {
                if (v == d && !v.claimed && v.untilMillis <= nowMillis) {
                    removed[0] = true;
                    return null;
                }
                return v;
            });
            if (removed[0]) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Puts an expired session back for another try later (its end could not be carried out now),
     * at most {@code maxAttempts} times; false when they are used up.
     */
    public boolean retryLater(Detached d, long untilMillis, int maxAttempts) {
        if (++d.attempts > maxAttempts) {
            return false;
        }
        d.untilMillis = untilMillis;
        detached.putIfAbsent(d.sessionId, d);
        return true;
    }

    /**
     * Detached sessions to keep alive in presence: not the ones a login is taking (a fresh
     * login's reservation is not registered yet, and presence would report it lost).
     */
    public List<Detached> detachedToRefresh() {
        return detached.values().stream().filter(d -> !d.claimed).toList();
    }

    /** Whose session this is, if it is here (attached or not): {@code {sdkAppId, userId}}, else null. */
    public Object[] owner(String sessionId) {
        Local l = sessions.get(sessionId);
        if (l != null) {
            return new Object[] {l.sdkAppId(), l.userId()};
        }
        Detached d = detached.get(sessionId);
        return d == null ? null : new Object[] {d.sdkAppId, d.userId};
    }

    /** Whether the session is here, attached or not. */
    public boolean holds(String sessionId) {
        return sessions.containsKey(sessionId) || detached.containsKey(sessionId);
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
        Detached held = detached.get(sessionId);
        if (held != null && held.hold(frame)) {
            return true; // no socket yet, or its held frames are still being written out
        }
        Local l = sessions.get(sessionId);
        if (l == null || !l.connection().isOpen()) {
            Detached d = detached.get(sessionId);
            if (d == null && l != null) {
                // Its socket is closing: hold the frame for the resume (detach keeps this entry).
                d = detached.computeIfAbsent(sessionId,
                        k -> new Detached(l.sdkAppId(), l.userId(), sessionId, graceEnd(), false));
            }
            if (d != null && d.hold(frame)) {
                return true;
            }
            Local now = sessions.get(sessionId); // just attached (resumed) meanwhile?
            if (d == null || now == null || !now.connection().isOpen()) {
                return false;
            }
            return write(now, frame, onSent);
        }
        return write(l, frame, onSent);
    }

    private static boolean write(Local l, String frame, Runnable onSent) {
        l.connection().sendText(frame).subscribe().with(v -> {
            if (onSent != null) {
                onSent.run();
            }
        }, e -> { });
        return true;
    }

    /** Tells the socket it was displaced (KICKED_OUT in the SDK) and closes it. */
    public boolean kick(String sessionId) {
        Detached d = detached.remove(sessionId);
        if (d != null) {
            if (d.claimed) {
                earlyKicks.put(sessionId, System.currentTimeMillis()); // a login is taking it back: kick its socket
            }
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
                    .chain(() -> c.close(CloseCode.KICKED.close()))
                    .subscribe().with(v -> { }, e -> { });
        }
        return true;
    }
}
