package org.opencalling.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.opencalling.testsupport.WsClient;

/**
 * One soak user on signaling's WebSocket, behaving as the SDK does: logs in on either instance,
 * and after a drop logs in again with {@code resume}, backing off (250 ms doubling to 2 s, with
 * jitter) and trying the other instance, for up to 60 s. Frames for other calls are dropped.
 */
final class VirtualUser {
    /** The script could not go on: the socket closed, or an awaited frame did not come. */
    static final class Disrupted extends Exception {
        Disrupted(String why) {
            super(why, null, false, false);
        }
    }

    private static final AtomicInteger IDS = new AtomicInteger();
    final String id;
    private final SoakCluster cluster;
    private final Incidents incidents;
    volatile WsClient ws;
    volatile String sessionId;
    volatile int instance;
    /** When the current session was confirmed (login-ok), epoch ms. */
    volatile long since;
    /**
     * Calls this user placed whose {@code invite-ok} came after the script stopped waiting (Redis
     * frozen, say): the call exists and must be hung up, as the SDK would on its late answer.
     */
    final java.util.Set<String> orphans = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.Set<String> GONE = java.util.Set.of("call-ended", "unknown-call", "not-in-call");

    VirtualUser(String id, int instance, SoakCluster cluster, Incidents incidents) {
        this.id = id;
        this.instance = instance;
        this.cluster = cluster;
        this.incidents = incidents;
    }

    boolean open() {
        WsClient w = ws;
        return w != null && !w.closedWith.isDone();
    }

    /**
     * Logs in, resuming the known session when {@code resume}; leaves any previous socket to the
     * caller. False when no instance took the login within 60 s.
     */
    boolean login(boolean resume) {
        long deadline = System.currentTimeMillis() + 60_000;
        long backoff = 250;
        for (int attempt = 0; System.currentTimeMillis() < deadline; attempt++) {
            int k = (instance + attempt) % SoakCluster.REPLICAS;
            WsClient w = null;
            try {
                w = cluster.socket(k);
                String r = resume && sessionId != null ? ",\"resume\":\"" + sessionId + "\"" : "";
                w.sendOnly("{\"type\":\"login\",\"id\":\"l\",\"sdkAppId\":" + cluster.app() + ",\"userId\":\"" + id
                        + "\",\"userSig\":\"" + cluster.userSig(id) + "\"" + r + "}");
                JsonNode answer = w.next();
                if (answer.path("type").asText().equals("login-ok")) {
                    ws = w;
                    instance = k;
                    boolean resumed = answer.path("resumed").asBoolean();
                    if (resume && sessionId != null) {
                        if (resumed) {
                            incidents.count("login.resumed");
                        } else {
                            incidents.trouble("login.resume-lost-session", id + " on instance " + (k + 1));
                        }
                    } else {
                        incidents.count("login.fresh");
                    }
                    sessionId = answer.path("sessionId").asText();
                    since = System.currentTimeMillis();
                    return true;
                }
                incidents.trouble("login.refused", id + ": " + answer.path("code").asText());
            } catch (Exception | AssertionError e) {
                incidents.trouble("login.failed", id + " on instance " + (k + 1) + ": " + e);
            }
            if (w != null) {
                w.close();
            }
            sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 2));
            backoff = Math.min(2000, backoff * 2);
        }
        incidents.trouble("login.gave-up", id);
        return false;
    }

    /** Drops the socket as a network does (no close frame). */
    void abort() {
        WsClient w = ws;
        if (w != null) {
            w.close();
        }
    }

    /** Drops the socket and logs in again with resume. */
    boolean dropAndResume() {
        abort();
        return login(true);
    }

    /** Logs in again if the socket is gone (resuming), before a script uses it. */
    void ensureOpen() throws Disrupted {
        if (!open()) {
            abort();
            if (!login(true)) {
                throw new Disrupted(id + " cannot log in");
            }
        }
    }

    void send(String frame) throws Disrupted {
        try {
            ws.sendOnly(frame);
        } catch (Exception e) {
            throw new Disrupted(id + " cannot send: " + e);
        }
    }

    /** The next frame of this type (and call, unless null), dropping others, within {@code ms}. */
    JsonNode expect(String type, String callId, long ms) throws Disrupted {
        return await(f -> f.path("type").asText().equals(type) && (callId == null || callId.equals(f.path("callId").asText())),
                ms, type + (callId == null ? "" : " for " + callId));
    }

    /** Sends a request and returns its answer (the {@code …-ok} or the {@code error} with its id). */
    JsonNode request(String frameWithoutId, long ms) throws Disrupted {
        String rid = "r" + IDS.incrementAndGet();
        send("{\"id\":\"" + rid + "\"," + frameWithoutId.substring(1));
        return await(f -> rid.equals(f.path("id").asText()), ms, "the answer to " + frameWithoutId);
    }

    /** The next frame of this type and call within {@code ms} (0: only what has come), or null. */
    JsonNode poll(String type, String callId, long ms) throws Disrupted {
        return await(f -> f.path("type").asText().equals(type) && callId.equals(f.path("callId").asText()), ms, null);
    }

    /** The first frame {@code wanted} within {@code ms}, dropping others; on timeout null if {@code what} is null. */
    private JsonNode await(java.util.function.Predicate<JsonNode> wanted, long ms, String what) throws Disrupted {
        WsClient w = ws;
        long deadline = System.currentTimeMillis() + ms;
        try {
            do {
                String s = ms == 0 ? w.received.poll() : w.received.poll(50, TimeUnit.MILLISECONDS);
                if (s == null) {
                    if (w.closedWith.isDone()) {
                        throw new Disrupted(id + "'s socket closed (" + w.closedWith.getNow(0) + ") awaiting " + what);
                    }
                    if (ms == 0) {
                        break;
                    }
                    continue;
                }
                JsonNode f = WsClient.JSON.readTree(s);
                if (wanted.test(f)) {
                    return f;
                }
                if (f.path("type").asText().equals("invite-ok")) {
                    orphans.add(f.path("callId").asText());
                }
            } while (ms == 0 || System.currentTimeMillis() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Disrupted("interrupted");
        } catch (java.io.IOException e) {
            throw new Disrupted(id + ": unreadable frame " + e);
        }
        if (what == null) {
            return null;
        }
        throw new Disrupted(id + ": no " + what + " within " + ms + " ms");
    }

    /** Hangs up a call; true once this user is out of it (or it is gone). */
    boolean hangUp(String callId) throws Disrupted {
        JsonNode r = request("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}", 8000);
        return r.path("type").asText().equals("hangup-ok") || GONE.contains(r.path("code").asText());
    }

    /**
     * Hangs up, from each of these users, the calls a fault left open (and any this user placed
     * whose answer came late); each leaves {@code leftOpen} once every user is out of it.
     */
    static void hangUpAll(java.util.Collection<String> leftOpen, List<VirtualUser> users, Incidents incidents) throws Disrupted {
        for (VirtualUser u : users) {
            leftOpen.addAll(u.orphans);
            u.orphans.clear();
        }
        for (String callId : List.copyOf(leftOpen)) {
            boolean out = true;
            for (VirtualUser u : users) {
                u.ensureOpen();
                out &= u.hangUp(callId);
            }
            if (!out) {
                throw new Disrupted("cannot hang up " + callId + " yet");
            }
            leftOpen.remove(callId);
            incidents.count("call.cleaned-up");
        }
    }

    /** Ends the session for good (logout, close 1000). */
    void logout() {
        try {
            if (open()) {
                request("{\"type\":\"logout\"}", 5000);
            }
        } catch (Disrupted e) {
            incidents.trouble("logout.failed", e.getMessage());
        } finally {
            abort();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
