package org.opencalling.relay.allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every allocation of this relay, keyed by 5-tuple, with the lifetime rules of RFC 8656 §7 and
 * the quotas: per user and in total (486), and relayed ports (508).
 */
public final class Allocations {
    /** The rules: quotas and lifetimes (ms). */
    public record Limits(int maxPerUser, int maxTotal, long defaultLifetime, long maxLifetime,
                         long permissionLifetime, long channelLifetime, long maxBytesPerSecond) {
        /**
         * RFC 8656's values: allocations 10 min (at most 1 h), permissions 5 min, channels 10
         * min; no bandwidth cap.
         */
        public static Limits standard(int maxPerUser, int maxTotal) {
            return new Limits(maxPerUser, maxTotal, 600_000, 3_600_000, 300_000, 600_000, 0);
        }

        /** The same with a bandwidth cap per allocation and direction (bytes/s; 0: none). */
        public Limits withMaxBytesPerSecond(long bytesPerSecond) {
            return new Limits(maxPerUser, maxTotal, defaultLifetime, maxLifetime, permissionLifetime, channelLifetime,
                    bytesPerSecond);
        }
    }

    /** Why an allocation ended (the metrics count each). */
    public enum End {
        /** Its lifetime ran out without a Refresh. */
        EXPIRED("expired"),
        /** The client sent Refresh with lifetime 0. */
        DELETED("deleted"),
        /** Its TCP connection closed (RFC 8656 §3.1). */
        CONNECTION_CLOSED("connection-closed"),
        /** Ended through the admin API. */
        ADMIN("admin");

        public final String label;

        End(String label) {
            this.label = label;
        }
    }

    /**
     * The outcome of an Allocate: the allocation (and, for EVEN-PORT with R, the reservation
     * token in {@code reason}'s place, hex), or the STUN error code and reason.
     */
    public record Created(Allocation allocation, int errorCode, String reason) {
        public String reservationToken() {
            return allocation != null ? reason : null;
        }

        public boolean ok() {
            return allocation != null;
        }
    }

    /** Told when an allocation's relayed port must be opened (false: it cannot be: 508) or closed. */
    public interface Listener {
        boolean opened(Allocation a);

        void closed(Allocation a);

        /**
         * Closes the relayed port and runs {@code release} once the port is really free (the
         * pool may then give it again); by default at once.
         */
        default void closed(Allocation a, Runnable release) {
            closed(a);
            release.run();
        }
    }

    private final Limits limits;
    private final PortPool ports;
    private volatile Listener listener = new Listener() {
        @Override
        public boolean opened(Allocation a) {
            return true;
        }

        @Override
        public void closed(Allocation a) {
        }
    };
    private final Map<FiveTuple, Allocation> all = new ConcurrentHashMap<>();
    private final Map<Integer, Allocation> byRelayPort = new ConcurrentHashMap<>();
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong created = new java.util.concurrent.atomic.AtomicLong();
    private final Map<End, java.util.concurrent.atomic.AtomicLong> ended = new java.util.EnumMap<>(End.class);

    {
        for (End e : End.values()) {
            ended.put(e, new java.util.concurrent.atomic.AtomicLong());
        }
    }

    public Allocations(Limits limits, PortPool ports) {
        this.limits = limits;
        this.ports = ports;
    }

    /** Whether a port is one of the relayed range's. */
    public boolean relayedPort(int port) {
        return ports.contains(port);
    }

    public Limits limits() {
        return limits;
    }

    public void listener(Listener l) {
        this.listener = l;
    }

    /** The lifetime granted for a requested one (seconds; negative: none asked), in ms. */
    public long lifetime(long requestedSeconds) {
        if (requestedSeconds < 0) {
            return limits.defaultLifetime();
        }
        return Math.max(limits.defaultLifetime(), Math.min(requestedSeconds * 1000, limits.maxLifetime()));
    }

    /** What an Allocate asks about its port: nothing, EVEN-PORT (with or without R), or a RESERVATION-TOKEN. */
    public record PortRequest(boolean even, boolean reserveNext, String token) {
        public static final PortRequest ANY = new PortRequest(false, false, null);
    }

    /** A port held for a later Allocate carrying its token, until {@code expiresAt}. */
    private record Reservation(int port, long expiresAt, String user) {
    }

    private static final long RESERVATION_MILLIS = 30_000;
    /** How many relayed ports an Allocate tries when the ones it gets are held by other processes. */
    static final int MAX_PORT_ATTEMPTS = 16;
    private final java.util.concurrent.atomic.AtomicLong busyPorts = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, Reservation> reservations = new ConcurrentHashMap<>();

    public synchronized Created create(FiveTuple tuple, String username, long requestedSeconds, long nowMillis) {
        return create(tuple, username, requestedSeconds, PortRequest.ANY, null, nowMillis);
    }

    /**
     * Who a quota counts against: the username's application and user, without its expiry
     * ({@code expiry:sdkAppId:user}), since every login mints a new username for the same user.
     */
    public static String quotaKey(String username) {
        org.opencalling.stun.TurnUsername u = org.opencalling.stun.TurnUsername.parse(username);
        return u == null ? username : u.holder();
    }

    private static final java.security.SecureRandom TOKENS = new java.security.SecureRandom();

    /**
     * An allocation's id: 64 random bits in hex, so ids from different relay pods (or from before
     * a restart) never name the same allocation when an operator acts on one.
     */
    private static String newId() {
        byte[] id = new byte[8];
        TOKENS.nextBytes(id);
        return java.util.HexFormat.of().formatHex(id);
    }

    public synchronized Created create(FiveTuple tuple, String username, long requestedSeconds, PortRequest request,
                                       byte[] transactionId, long nowMillis) {
        Allocation existing = all.get(tuple);
        if (existing != null && existing.expiresAt() <= nowMillis) {
            remove(existing, End.EXPIRED); // expired, not swept yet
            existing = null;
        }
        if (existing != null) {
            return new Created(null, 437, "Allocation Mismatch");
        }
        String user = quotaKey(username);
        // A reserved port (EVEN-PORT with R) is as good as an allocation: it counts towards the
        // total from the Allocate that reserves it until it is redeemed or expires.
        int held = all.size() + reservations.size() - (request.token() != null && reservations.containsKey(request.token()) ? 1 : 0);
        int needed = request.even() && request.reserveNext() ? 2 : 1;
        int userHeld = perUser.getOrDefault(user, 0) - (request.token() != null && reservations.containsKey(request.token())
                && user.equals(reservations.get(request.token()).user()) ? 1 : 0);
        if (held + needed > limits.maxTotal() || userHeld + needed > limits.maxPerUser()) {
            return new Created(null, 486, "Allocation Quota Reached");
        }
        // A relayed port may be held by another process (the range often overlaps the kernel's
        // ephemeral ports): such ports stay taken while others are tried, then go back to the pool.
        List<Integer> busy = new ArrayList<>();
        try {
            for (int attempt = 1; ; attempt++) {
                int port;
                String token = null;
                if (request.token() != null) {
                    Reservation r = reservations.remove(request.token());
                    if (r != null) {
                        unreserve(r);
                    }
                    if (r == null || r.expiresAt() <= nowMillis) {
                        if (r != null) {
                            ports.release(r.port());
                        }
                        return new Created(null, 508, "Insufficient Capacity"); // unknown or expired token
                    }
                    port = r.port();
                } else if (request.even()) {
                    port = ports.takeEven(request.reserveNext());
                    if (port >= 0 && request.reserveNext()) {
                        byte[] t = new byte[8];
                        TOKENS.nextBytes(t); // unguessable: a token is a claim on a port
                        token = java.util.HexFormat.of().formatHex(t);
                        reservations.put(token, new Reservation(port + 1, nowMillis + RESERVATION_MILLIS, user));
                        perUser.merge(user, 1, Integer::sum); // a held port counts against its user too
                    }
                } else {
                    port = ports.take();
                }
                if (port < 0) {
                    return new Created(null, 508, "Insufficient Capacity");
                }
                Allocation a = new Allocation(newId(), tuple, username, port, nowMillis,
                        nowMillis + lifetime(requestedSeconds), transactionId, limits.maxBytesPerSecond());
                if (listener.opened(a)) {
                    return added(a, user, token);
                }
                busyPorts.incrementAndGet();
                if (token != null) {
                    Reservation r = reservations.remove(token);
                    unreserve(r);
                    busy.add(r.port());
                }
                busy.add(port);
                if (request.token() != null || attempt >= MAX_PORT_ATTEMPTS) {
                    return new Created(null, 508, "Insufficient Capacity");
                }
            }
        } finally {
            busy.forEach(ports::release);
        }
    }

    private void unreserve(Reservation r) {
        perUser.computeIfPresent(r.user(), (u, n) -> n <= 1 ? null : n - 1);
    }

    private Created added(Allocation a, String user, String token) {
        FiveTuple tuple = a.tuple();
        int port = a.relayPort();
        all.put(tuple, a);
        byRelayPort.put(port, a);
        perUser.merge(user, 1, Integer::sum);
        created.incrementAndGet();
        return new Created(a, 0, token);
    }

    /** The live allocation of this 5-tuple, or null. */
    public Allocation get(FiveTuple tuple, long nowMillis) {
        Allocation a = all.get(tuple);
        return a != null && a.expiresAt() > nowMillis ? a : null;
    }

    /** The allocation of this 5-tuple, expired or not, or null. */
    public Allocation of(FiveTuple tuple) {
        return all.get(tuple);
    }

    /** The live allocation whose relayed port this is (packets from peers), or null. */
    public Allocation byRelayPort(int port, long nowMillis) {
        Allocation a = byRelayPort.get(port);
        return a != null && a.expiresAt() > nowMillis ? a : null;
    }

    /** Refresh (RFC 8656 §7.3): 0 deletes; returns the lifetime granted in ms (0 when deleted, -1 when gone). */
    public synchronized long refresh(Allocation a, long requestedSeconds, long nowMillis) {
        if (all.get(a.tuple()) != a) {
            return -1; // ended meanwhile (expired on another thread, ended by an operator)
        }
        if (requestedSeconds == 0) {
            remove(a, End.DELETED);
            return 0;
        }
        long granted = lifetime(requestedSeconds);
        a.expiresAt(nowMillis + granted);
        return granted;
    }

    /** Ends an allocation (no-op if it already ended); true if this call ended it. */
    public synchronized boolean remove(Allocation a, End why) {
        if (all.remove(a.tuple(), a)) {
            ended.get(why).incrementAndGet();
            byRelayPort.remove(a.relayPort(), a);
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    ports.release(a.relayPort());
                }
            };
            try {
                listener.closed(a, release);
            } catch (RuntimeException e) {
                release.run(); // the listener failed: the port goes back anyway (once)
                throw e;
            } finally {
                perUser.computeIfPresent(quotaKey(a.username()), (u, n) -> n <= 1 ? null : n - 1);
            }
            return true;
        }
        return false;
    }

    /** Relayed ports found held by another process when an Allocate tried to open them. */
    public long busyPorts() {
        return busyPorts.get();
    }

    /** Removes it only if it is still expired (a Refresh on another thread may just have saved it). */
    private synchronized boolean removeIfExpired(Allocation a, long nowMillis) {
        return a.expiresAt() <= nowMillis && remove(a, End.EXPIRED);
    }

    /** Allocations created since start. */
    public long created() {
        return created.get();
    }

    /** Allocations ended since start, for this reason. */
    public long ended(End why) {
        return ended.get(why).get();
    }

    /** The allocation with this id, expired or not, or null. */
    public Allocation byId(String id) {
        for (Allocation a : all.values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        return null;
    }

    /** Removes the allocations expired at {@code nowMillis} and prunes the others; returns the removed. */
    public List<Allocation> expire(long nowMillis) {
        for (Map.Entry<String, Reservation> e : List.copyOf(reservations.entrySet())) {
            if (e.getValue().expiresAt() <= nowMillis && reservations.remove(e.getKey(), e.getValue())) {
                unreserve(e.getValue());
                ports.release(e.getValue().port());
            }
        }
        List<Allocation> gone = new ArrayList<>();
        for (Allocation a : all.values()) {
            if (a.expiresAt() <= nowMillis) {
                if (removeIfExpired(a, nowMillis)) {
                    gone.add(a);
                }
            } else {
                a.prune(nowMillis);
            }
        }
        return gone;
    }

    public int size() {
        return all.size();
    }

    public List<Allocation> list() {
        return new ArrayList<>(all.values());
    }
}
