package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
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

/**
 * Two packaged signaling instances over one Redis (with real usersig and presence services):
 * a caller on one and a callee on the other go through a whole call; and when the caller's
 * instance dies while the callee rings, the timeout still fires, once, from the survivor.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class TwoPodsIT {
    static RedisServerProcess redis;
    static final List<ServiceProcess> all = new ArrayList<>();
    static ServiceProcess pod1;
    static int pod1Port;
    static int pod2Port;

    static ServiceProcess start(String name, String module, int port, Map<String, String> env, Path logs) throws Exception {
        Path jar = Path.of("..").toAbsolutePath().normalize().resolve(module + "/target/quarkus-app/quarkus-run.jar");
        ServiceProcess p = new ServiceProcess(new ServiceSpec(name, jar, port, env, ""), logs);
        all.add(p);
        p.start(ProcessHandle.current().info().command().orElse("java"));
        if (!p.awaitReady(Duration.ofSeconds(60))) {
            throw new IllegalStateException(name + " did not start:\n" + p.tail(40));
        }
        return p;
    }

    @BeforeAll
    static void cluster() throws Exception {
        redis = RedisServerProcess.startOnFreePort();
        Path logs = Files.createTempDirectory("two-pods");
        int usersig = FreePorts.next();
        int presence = FreePorts.next();
        String apps = SignalingTestResource.APP + ":" + SignalingTestResource.SECRET;
        start("usersig-service", "usersig-service", usersig, Map.of("TRTC_APPS", apps,
                "BACKEND_CLIENTS", SignalingTestResource.CLIENT + ":presence:write", "JWT_ALLOW_GENERATED_KEY", "true"), logs);
        String jwks = "http://localhost:" + usersig + "/.well-known/jwks.json";
        start("presence-service", "presence-service", presence, Map.of("REDIS_URL", redis.url(),
                "KAFKA_BOOTSTRAP_SERVERS", "", "JWKS_URL", jwks), logs);
        pod1Port = FreePorts.next();
        pod2Port = FreePorts.next();
        for (int i = 1; i <= 2; i++) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("TRTC_APPS", apps);
            env.put("TURN_SECRET", SignalingTestResource.TURN_SECRET);
            env.put("USERSIG_URL", "http://localhost:" + usersig);
            env.put("PRESENCE_URL", "http://localhost:" + presence);
            env.put("REDIS_URL", redis.url());
            env.put("JWKS_URL", jwks);
            env.put("SIGNALING_CLIENT", SignalingTestResource.CLIENT);
            env.put("POD_NAME", "pod-" + i);
            ServiceProcess p = start("signaling-" + i, "signaling-service", i == 1 ? pod1Port : pod2Port, env, logs);
            if (i == 1) {
                pod1 = p;
            }
        }
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

    static WsClient user(int port, String name) throws Exception {
        WsClient c = new WsClient(URI.create("ws://localhost:" + port + "/v1/signaling"), SignalingSocketTest.ORIGIN);
        c.sendOnly(SignalingSocketTest.login(name, SignalingSocketTest.userSig(name, 600)));
        c.expect("login-ok");
        return c;
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void aCallAcrossTwoInstances() throws Exception {
        try (WsClient alice = user(pod1Port, "alice2"); WsClient bob = user(pod2Port, "bob2")) {
            alice.sendOnly("{\"type\":\"invite\",\"callees\":[\"bob2\"],\"callType\":\"video\"}");
            String callId = alice.expect("invite-ok").get("callId").asText();
            assertEquals(callId, bob.expect("invited").get("callId").asText());
            bob.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            assertEquals("bob2", alice.expect("accepted").get("userId").asText());
            alice.sendOnly("{\"type\":\"sdp\",\"callId\":\"" + callId + "\",\"to\":\"bob2\",\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}");
            assertEquals("alice2", bob.expect("sdp").get("from").asText());
            bob.sendOnly("{\"type\":\"media\",\"callId\":\"" + callId + "\",\"video\":false}");
            assertEquals(false, alice.expect("media").get("video").asBoolean());
            alice.sendOnly("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
            assertEquals("alice2", bob.expect("left").get("userId").asText());
            assertEquals("hangup", bob.expect("ended").get("reason").asText());
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2) // last: it kills instance 1
    void theTimeoutFiresOnceWhenTheCallersInstanceDies() throws Exception {
        try (WsClient dora = user(pod2Port, "dora2")) {
            WsClient carl = user(pod1Port, "carl2");
            carl.sendOnly("{\"type\":\"invite\",\"callees\":[\"dora2\"],\"timeoutSeconds\":3}");
            String callId = carl.expect("invite-ok").get("callId").asText();
            dora.expect("invited");
            pod1.stop(Duration.ofSeconds(10)); // the caller's instance is gone
            carl.close();
            JsonNode timeout = dora.expect("timeout");
            assertEquals(callId, timeout.get("callId").asText());
            // Fired once: a marker call afterwards arrives with no second timeout before it.
            try (WsClient eve = user(pod2Port, "eve2")) {
                eve.sendOnly("{\"type\":\"invite\",\"callees\":[\"dora2\"]}");
                String next = eve.expect("invite-ok").get("callId").asText();
                assertEquals(next, dora.expect("invited").get("callId").asText());
                assertTrue(dora.skipped.stream().noneMatch(f -> f.path("type").asText().equals("timeout")),
                        "one timeout only: " + dora.skipped);
            }
        }
    }
}
