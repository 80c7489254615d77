package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.RedisSentinels;
import org.opencalling.testsupport.WsClient;

/**
 * Every service on Redis through Sentinel (a primary, a replica, three sentinels), with calls
 * going on all the time; the primary is SIGKILLed. The sentinels promote the replica, every
 * service follows it, and calls work again: how long that takes is what users see.
 */
class RedisSentinelIT {
    /** How long after the kill calls must work again: sentinel's 1 s down-after, its failover, and the services' reconnects. */
    static final Duration CALLS_AGAIN_WITHIN = Duration.ofSeconds(15);
    /** How long one step of a call may take before the attempt counts as failed (the SDK's own request timeout is 10 s). */
    static final Duration STEP = Duration.ofSeconds(3);
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static RedisSentinels redis;
    static LocalCluster cluster;
    static int offset;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisSentinels.start(Duration.ofSeconds(1));
        offset = LocalClusterIT.freeOffset();
        cluster = new LocalCluster(LocalCluster.findRoot(), new Options(offset, false))
                .usingRedis(Map.of("REDIS_URL", redis.urls(), "REDIS_CLIENT_TYPE", "sentinel",
                        "REDIS_MASTER_NAME", RedisSentinels.MASTER));
        assertEquals(0, cluster.start(), "the local cluster started on Redis through Sentinel");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** One caller and callee, logged in afresh after any failure (their sockets may be gone with it). */
    final class Pair implements Runnable {
        final String caller;
        final String callee;
        final ConcurrentLinkedQueue<long[]> outcomes; // {startNanos, 1 ok / 0 failed}
        final ConcurrentLinkedQueue<String> failures;
        final AtomicBoolean running;

        Pair(int i, ConcurrentLinkedQueue<long[]> outcomes, ConcurrentLinkedQueue<String> failures, AtomicBoolean running) {
            this.failures = failures;
            this.caller = "sent-a" + i;
            this.callee = "sent-b" + i;
            this.outcomes = outcomes;
            this.running = running;
        }

        @Override
        public void run() {
            WsClient a = null;
            WsClient b = null;
            while (running.get()) {
                long t = System.nanoTime();
                try {
                    if (a == null) {
                        a = SignalingUsers.login(offset, caller);
                        b = SignalingUsers.login(offset, callee);
                    }
                    WsClient.call(a, b, callee, STEP);
                    outcomes.add(new long[] {t, 1});
                } catch (Exception | AssertionError e) {
                    outcomes.add(new long[] {t, 0});
                    String what = String.valueOf(e.getMessage());
                    failures.add(what.substring(0, Math.min(100, what.length())));
                    SignalingUsers.close(a);
                    SignalingUsers.close(b);
                    a = null;
                    b = null;
                    pause(200);
                }
            }
            SignalingUsers.close(a);
            SignalingUsers.close(b);
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int status(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void callsGoOnAfterThePrimaryDiesAndEveryServiceFollowsTheNewOne() throws Exception {
        ConcurrentLinkedQueue<long[]> outcomes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(new Pair(i, outcomes, failures, running), "sentinel-calls-" + i);
            threads.add(t);
            t.start();
        }
        try {
            pause(3000);
            assertTrue(outcomes.stream().anyMatch(o -> o[1] == 1), "calls work before the failover");
            assertTrue(outcomes.stream().allMatch(o -> o[1] == 1), "and none fails");

            long killed = System.nanoTime();
            int oldPort = redis.killPrimary();
            int newPort = redis.awaitNewPrimary(oldPort, Duration.ofSeconds(20));
            long promoted = System.nanoTime();

            // Calls again, from every pair, all of them started after the kill.
            long deadline = killed + CALLS_AGAIN_WITHIN.toNanos() + Duration.ofSeconds(10).toNanos();
            long firstOk = -1;
            while (System.nanoTime() < deadline) {
                firstOk = outcomes.stream().filter(o -> o[0] > killed && o[1] == 1).mapToLong(o -> o[0]).min().orElse(-1);
                if (firstOk > 0) {
                    break;
                }
                pause(100);
            }
            long failed = outcomes.stream().filter(o -> o[0] > killed - Duration.ofSeconds(5).toNanos() && o[1] == 0).count();
            System.out.printf("Sentinel failover: replica promoted %d ms after the kill; first call started after it to "
                            + "succeed began %d ms after the kill; %d call attempts failed meanwhile%n",
                    (promoted - killed) / 1_000_000, firstOk < 0 ? -1 : (firstOk - killed) / 1_000_000, failed);
            System.out.println("What the failed attempts saw: " + failures);
            assertTrue(firstOk > 0, "no call worked again after the kill");
            assertTrue(firstOk - killed <= CALLS_AGAIN_WITHIN.toNanos(),
                    "calls worked again only " + (firstOk - killed) / 1_000_000 + " ms after the kill");

            // Every service is ready, and the SFU node registers on the new primary.
            for (int port : List.of(8092 + offset, 8091 + offset, 8093 + offset)) {
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (status(port, "/q/health/ready") != 200 && System.nanoTime() < until) {
                    pause(200);
                }
                assertEquals(200, status(port, "/q/health/ready"), "ready on port " + port);
            }
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!RedisSentinels.command(newPort, "EXISTS", "trtc:sfu:node:relay-local-1").get(0).equals(1L)
                    && System.nanoTime() < until) {
                pause(200);
            }
            assertEquals(1L, RedisSentinels.command(newPort, "EXISTS", "trtc:sfu:node:relay-local-1").get(0),
                    "the SFU node registers on the new primary");

            // And calls keep working from here on.
            long later = System.nanoTime();
            pause(3000);
            assertTrue(outcomes.stream().filter(o -> o[0] > later).allMatch(o -> o[1] == 1),
                    "every call after the failover settled works");
            assertTrue(outcomes.stream().anyMatch(o -> o[0] > later && o[1] == 1), "calls go on");
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(15_000);
            }
        }
    }
}
