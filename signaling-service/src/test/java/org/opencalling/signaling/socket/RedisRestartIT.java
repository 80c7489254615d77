package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.RedisServerProcess;
import org.opencalling.testsupport.WsClient;

/**
 * One packaged signaling instance, started as systemd or a shell would start it (no POD_NAME),
 * on a redis-server that is killed (SIGKILL) and started again empty on the same address:
 * readiness comes back within seconds (a pod out of its Service for longer fails every new
 * connection), and calls work again, for sockets that stayed open and for new logins. The same
 * after Redis froze for 5 s (SIGSTOP, SIGCONT).
 */
class RedisRestartIT {
    /** The soak's bound for every fault (issue 16): ready again within 10 s. */
    static final Duration READY_AGAIN_WITHIN = Duration.ofSeconds(10);
    static final Duration STEP = Duration.ofSeconds(10);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static RedisServerProcess redis;
    static PackagedServices services;
    static int port;

    @BeforeAll
    static void cluster() throws Exception {
        redis = RedisServerProcess.startOnFreePort();
        services = new PackagedServices("redis-restart");
        int usersig = FreePorts.next();
        int presence = FreePorts.next();
        port = FreePorts.next();
        String usersigUrl = "http://localhost:" + usersig;
        String apps = SignalingTestResource.APP + ":" + SignalingTestResource.SECRET;
        services.start("usersig-service", "usersig-service", usersig, Map.of("TRTC_APPS", apps,
                "BACKEND_CLIENTS", SignalingTestResource.CLIENT + ":presence:write+calls:read",
                "JWT_ALLOW_GENERATED_KEY", "true"));
        String jwks = usersigUrl + "/.well-known/jwks.json";
        services.start("presence-service", "presence-service", presence, Map.of("REDIS_URL", redis.url(), "KAFKA_BOOTSTRAP_SERVERS", "",
                "JWKS_URL", jwks));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRTC_APPS", apps);
        env.put("TURN_SECRET", SignalingTestResource.TURN_SECRET);
        env.put("USERSIG_URL", usersigUrl);
        env.put("PRESENCE_URL", "http://localhost:" + presence);
        env.put("REDIS_URL", redis.url());
        env.put("KAFKA_BOOTSTRAP_SERVERS", "");
        env.put("JWKS_URL", jwks);
        env.put("SIGNALING_CLIENT", SignalingTestResource.CLIENT);
        // No POD_NAME: the instance names itself (HOSTNAME, else at random).
        services.start("signaling-service", "signaling-service", port, env);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    static HttpResponse<String> readiness() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Watches readiness every 100 ms from {@code since} until past the bound (the instance may
     * notice late, or turn ready and drop again); returns how long after {@code since} it was last
     * not ready (-1: never), and requires it ready at the end.
     */
    static long lastNotReadyAfter(long since) throws Exception {
        long watchUntil = since + READY_AGAIN_WITHIN.plusSeconds(3).toNanos();
        long lastDown = -1;
        HttpResponse<String> ready;
        do {
            ready = readiness();
            if (ready.statusCode() != 200) {
                lastDown = System.nanoTime() - since;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < watchUntil);
        assertEquals(200, ready.statusCode(), "still not ready: " + ready.body());
        return lastDown;
    }

    @Test
    void isReadyAgainSoonAfterRedisFreezesForFiveSeconds() throws Exception {
        try (WsClient ada = TwoPodsIT.user(port, "ada10"); WsClient bram = TwoPodsIT.user(port, "bram10")) {
            redis.freeze(); // SIGSTOP: connections stay open, nothing answers
            Thread.sleep(5000);
            redis.thaw();
            long lastDown = lastNotReadyAfter(System.nanoTime());
            System.out.printf("signaling not ready until %d ms after Redis thawed from a 5 s freeze%n",
                    Math.max(0, lastDown / 1_000_000));
            assertTrue(lastDown <= READY_AGAIN_WITHIN.toNanos(), "not ready until " + lastDown / 1_000_000
                    + " ms after the thaw");
            WsClient.call(ada, bram, "bram10", STEP);
        }
    }

    @Test
    void startsWithoutPodNameAndIsReadyAgainSoonAfterRedisRestartsEmpty() throws Exception {
        JsonNode checks = JSON.readTree(readiness().body()).get("checks");
        String channels = checks.toString();
        assertTrue(channels.contains("trtc:signal:"), "it subscribed to its own channel under a name it chose: " + channels);

        try (WsClient ada = TwoPodsIT.user(port, "ada9"); WsClient bram = TwoPodsIT.user(port, "bram9")) {
            WsClient.call(ada, bram, "bram9", STEP);

            redis.kill();
            redis.start(); // the same address, empty (no persistence)
            long lastDown = lastNotReadyAfter(System.nanoTime());
            System.out.printf("signaling not ready until %d ms after Redis restarted empty%n", Math.max(0, lastDown / 1_000_000));
            assertTrue(lastDown <= READY_AGAIN_WITHIN.toNanos(), "not ready until " + lastDown / 1_000_000
                    + " ms after the restart");

            // Sockets that stayed open call each other again (presence has them back), and new logins work.
            WsClient.call(bram, ada, "ada9", STEP);
            try (WsClient cleo = TwoPodsIT.user(port, "cleo9")) {
                WsClient.call(cleo, ada, "ada9", STEP);
            }
        }
    }
}
