package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.RedisServerProcess;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.ServiceSpec;
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
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static RedisServerProcess redis;
    static final List<ServiceProcess> all = new ArrayList<>();
    static int port;

    static ServiceProcess start(String module, int port, Map<String, String> env, Path logs) throws Exception {
        Path jar = Path.of("..").toAbsolutePath().normalize().resolve(module + "/target/quarkus-app/quarkus-run.jar");
        ServiceProcess p = new ServiceProcess(new ServiceSpec(module, jar, port, env, ""), logs);
        all.add(p);
        p.start(ProcessHandle.current().info().command().orElse("java"));
        if (!p.awaitReady(Duration.ofSeconds(60))) {
            throw new IllegalStateException(module + " did not start:\n" + p.tail(40));
        }
        return p;
    }

    @BeforeAll
    static void cluster() throws Exception {
        redis = RedisServerProcess.startOnFreePort();
        Path logs = Files.createTempDirectory("redis-restart");
        int usersig = FreePorts.next();
        int presence = FreePorts.next();
        port = FreePorts.next();
        String usersigUrl = "http://localhost:" + usersig;
        String apps = SignalingTestResource.APP + ":" + SignalingTestResource.SECRET;
        start("usersig-service", usersig, Map.of("TRTC_APPS", apps,
                "BACKEND_CLIENTS", SignalingTestResource.CLIENT + ":presence:write+calls:read",
                "JWT_ALLOW_GENERATED_KEY", "true"), logs);
        String jwks = usersigUrl + "/.well-known/jwks.json";
        start("presence-service", presence, Map.of("REDIS_URL", redis.url(), "KAFKA_BOOTSTRAP_SERVERS", "",
                "JWKS_URL", jwks), logs);
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
        start("signaling-service", port, env, logs);
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess p : all) {
            p.stop(Duration.ofSeconds(10));
        }
        if (redis != null) {
            redis.stop();
        }
    }

    static HttpResponse<String> readiness() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A whole call between two logged-in sockets: invite, ring, accept, hang up. */
    static void call(WsClient caller, WsClient callee, String calleeId) throws Exception {
        caller.sendOnly("{\"type\":\"invite\",\"callees\":[\"" + calleeId + "\"]}");
        String callId = caller.expect("invite-ok").get("callId").asText();
        assertEquals(callId, callee.expect("invited").get("callId").asText());
        callee.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
        assertEquals(calleeId, caller.expect("accepted").get("userId").asText());
        caller.sendOnly("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
        assertEquals("hangup", callee.expect("ended").get("reason").asText());
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
            call(ada, bram, "bram10");
        }
    }

    @Test
    void startsWithoutPodNameAndIsReadyAgainSoonAfterRedisRestartsEmpty() throws Exception {
        JsonNode checks = JSON.readTree(readiness().body()).get("checks");
        String channels = checks.toString();
        assertTrue(channels.contains("trtc:signal:"), "it subscribed to its own channel under a name it chose: " + channels);

        try (WsClient ada = TwoPodsIT.user(port, "ada9"); WsClient bram = TwoPodsIT.user(port, "bram9")) {
            call(ada, bram, "bram9");

            redis.kill();
            redis.start(); // the same address, empty (no persistence)
            long lastDown = lastNotReadyAfter(System.nanoTime());
            System.out.printf("signaling not ready until %d ms after Redis restarted empty%n", Math.max(0, lastDown / 1_000_000));
            assertTrue(lastDown <= READY_AGAIN_WITHIN.toNanos(), "not ready until " + lastDown / 1_000_000
                    + " ms after the restart");

            // Sockets that stayed open call each other again (presence has them back), and new logins work.
            call(bram, ada, "ada9");
            try (WsClient cleo = TwoPodsIT.user(port, "cleo9")) {
                call(cleo, ada, "ada9");
            }
        }
    }
}
