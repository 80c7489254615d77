package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.KafkaBroker;
import org.opencalling.testsupport.RedisServerProcess;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.WsClient;

/**
 * Two packaged signaling instances over one Redis and one Kafka broker (with real usersig and
 * presence services): callers on one and callees on the other go through every flow; a session
 * resumes on the other instance; and when the caller's instance dies while the callee rings,
 * the timeout still fires, once, from the survivor.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoPodsIT {
    static final long GRACE_SECONDS = 2;
    static RedisServerProcess redis;
    static KafkaBroker kafka;
    static PackagedServices services;
    static ServiceProcess pod1;
    static int pod1Port;
    static int pod2Port;
    static String usersigUrl;

    @BeforeAll
    static void cluster() throws Exception {
        redis = RedisServerProcess.startOnFreePort();
        kafka = KafkaBroker.start();
        services = new PackagedServices("two-pods");
        int usersig = FreePorts.next();
        int[] presence = {FreePorts.next(), FreePorts.next()};
        usersigUrl = "http://localhost:" + usersig;
        String apps = SignalingTestResource.APP + ":" + SignalingTestResource.SECRET;
        services.start("usersig-service", "usersig-service", usersig, Map.of("TRTC_APPS", apps,
                "BACKEND_CLIENTS", SignalingTestResource.CLIENT + ":presence:write+calls:read",
                "JWT_ALLOW_GENERATED_KEY", "true"));
        String jwks = usersigUrl + "/.well-known/jwks.json";
        for (int i = 0; i < 2; i++) { // two presence instances over the one Redis, one per signaling pod
            services.start("presence-" + (i + 1), "presence-service", presence[i], Map.of("REDIS_URL", redis.url(),
                    "KAFKA_BOOTSTRAP_SERVERS", "", "JWKS_URL", jwks));
        }
        pod1Port = FreePorts.next();
        pod2Port = FreePorts.next();
        for (int i = 1; i <= 2; i++) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("TRTC_APPS", apps);
            env.put("TURN_SECRET", SignalingTestResource.TURN_SECRET);
            env.put("USERSIG_URL", usersigUrl);
            env.put("PRESENCE_URL", "http://localhost:" + presence[i - 1]);
            env.put("REDIS_URL", redis.url());
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("JWKS_URL", jwks);
            env.put("SIGNALING_CLIENT", SignalingTestResource.CLIENT);
            env.put("SIGNALING_RESUME_GRACE", GRACE_SECONDS + "s");
            env.put("POD_NAME", "pod-" + i);
            ServiceProcess p = services.start("signaling-" + i, "signaling-service", i == 1 ? pod1Port : pod2Port, env);
            if (i == 1) {
                pod1 = p;
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    static WsClient connect(int port) throws Exception {
        return new WsClient(URI.create("ws://localhost:" + port + "/v1/signaling"), SignalingSocketTest.ORIGIN);
    }

    static WsClient user(int port, String name) throws Exception {
        WsClient c = connect(port);
        c.sendOnly(SignalingSocketTest.login(name, SignalingSocketTest.userSig(name, 600)));
        c.expect("login-ok");
        return c;
    }

    static String invite(WsClient caller, String json) throws Exception {
        caller.sendOnly(json);
        return caller.expect("invite-ok").get("callId").asText();
    }

    static void send(WsClient c, String type, String callId, String extra) throws Exception {
        c.sendOnly("{\"type\":\"" + type + "\",\"callId\":\"" + callId + "\"" + extra + "}");
    }

    @Test
    @Order(1)
    void aWholeCallAcrossTwoInstances() throws Exception {
        try (WsClient alice = user(pod1Port, "alice2"); WsClient bob = user(pod2Port, "bob2")) {
            String callId = invite(alice, "{\"type\":\"invite\",\"callees\":[\"bob2\"],\"callType\":\"video\"}");
            assertEquals(callId, bob.expect("invited").get("callId").asText());
            send(bob, "accept", callId, "");
            assertEquals("bob2", alice.expect("accepted").get("userId").asText());
            send(alice, "sdp", callId, ",\"to\":\"bob2\",\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}");
            assertEquals("offer", bob.expect("sdp").get("description").get("type").asText());
            send(bob, "sdp", callId, ",\"to\":\"alice2\",\"description\":{\"type\":\"answer\",\"sdp\":\"v=0\"}");
            assertEquals("answer", alice.expect("sdp").get("description").get("type").asText());
            send(bob, "ice", callId, ",\"to\":\"alice2\",\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ host\"}");
            assertEquals("bob2", alice.expect("ice").get("from").asText());
            send(bob, "media", callId, ",\"video\":false");
            JsonNode media = alice.expect("media");
            assertEquals("bob2", media.get("userId").asText());
            assertFalse(media.get("video").asBoolean());
            send(alice, "hangup", callId, "");
            assertEquals("alice2", bob.expect("left").get("userId").asText());
            assertEquals("hangup", bob.expect("ended").get("reason").asText());
        }
    }

    @Test
    @Order(2)
    void busyCancelAndRejectAcrossInstances() throws Exception {
        try (WsClient cal = user(pod1Port, "cal2"); WsClient deb = user(pod2Port, "deb2"); WsClient fay = user(pod1Port, "fay2")) {
            String ringing = invite(cal, "{\"type\":\"invite\",\"callees\":[\"deb2\"]}");
            deb.expect("invited");
            String busy = invite(fay, "{\"type\":\"invite\",\"callees\":[\"deb2\"]}");
            assertEquals("deb2", fay.expect("busy").get("userId").asText());
            assertEquals(busy, fay.expect("ended").get("callId").asText());
            send(cal, "cancel", ringing, "");
            assertEquals(ringing, deb.expect("cancelled").get("callId").asText());
            assertEquals("cancelled", cal.expect("ended").get("reason").asText());
            String rejected = invite(cal, "{\"type\":\"invite\",\"callees\":[\"deb2\"]}");
            assertEquals(rejected, deb.expect("invited").get("callId").asText());
            send(deb, "reject", rejected, "");
            assertEquals("deb2", cal.expect("rejected").get("userId").asText());
            assertEquals("rejected", cal.expect("ended").get("reason").asText());
        }
    }

    @Test
    @Order(3)
    void aFourUserGroupCallSpreadOverBothInstances() throws Exception {
        try (WsClient ann = user(pod1Port, "ann2"); WsClient ben = user(pod2Port, "ben2"); WsClient cat = user(pod1Port, "cat2");
             WsClient dan = user(pod2Port, "dan2"); WsClient eli = user(pod2Port, "eli2")) {
            String callId = invite(ann, "{\"type\":\"invite\",\"callees\":[\"ben2\",\"cat2\",\"dan2\"],\"groupId\":\"g2\","
                    + "\"timeoutSeconds\":2}");
            for (WsClient w : new WsClient[] {ben, cat, dan}) {
                assertEquals(callId, w.expect("invited").get("callId").asText());
            }
            send(ben, "accept", callId, "");
            assertEquals("ben2", ann.expect("accepted").get("userId").asText());
            send(cat, "reject", callId, "");
            assertEquals("cat2", ben.expect("rejected").get("userId").asText());
            assertEquals("dan2", ann.expect("no-answer").get("userIds").get(0).asText());
            assertEquals("dan2", ben.expect("no-answer").get("userIds").get(0).asText());
            dan.expect("timeout");
            send(ben, "invite-more", callId, ",\"users\":[\"eli2\"]");
            assertEquals(callId, eli.expect("invited").get("callId").asText());
            assertTrue(ann.expect("invitee-list").get("userIds").toString().contains("eli2"));
            send(eli, "accept", callId, "");
            assertEquals("eli2", ann.expect("accepted").get("userId").asText());
            send(eli, "sdp", callId, ",\"to\":\"ann2\",\"description\":{\"type\":\"offer\"}");
            assertEquals("eli2", ann.expect("sdp").get("from").asText());
            send(ann, "hangup", callId, "");
            assertEquals("ann2", ben.expect("left").get("userId").asText());
            assertEquals("ann2", eli.expect("left").get("userId").asText());
        }
    }

    @Test
    @Order(4)
    void aSessionDroppedOnOneInstanceResumesOnTheOther() throws Exception {
        try (WsClient gil = user(pod1Port, "gil2")) {
            WsClient hub = connect(pod2Port);
            hub.sendOnly(SignalingSocketTest.login("hub2", SignalingSocketTest.userSig("hub2", 600)));
            String session = hub.expect("login-ok").get("sessionId").asText();
            String callId = invite(gil, "{\"type\":\"invite\",\"callees\":[\"hub2\"]}");
            hub.expect("invited");
            send(hub, "accept", callId, "");
            gil.expect("accepted");
            hub.close(); // its network drops; it comes back through the other instance
            awaitOpenConnections(pod2Port, 0); // instance 2 saw it go
            send(gil, "media", callId, ",\"video\":false"); // held by instance 2 meanwhile
            gil.sendOnly("{\"type\":\"ping\",\"id\":\"p\"}");
            gil.expect("pong");
            try (WsClient again = connect(pod1Port)) {
                again.sendOnly("{\"type\":\"login\",\"sdkAppId\":" + SignalingTestResource.APP + ",\"userId\":\"hub2\","
                        + "\"userSig\":\"" + SignalingSocketTest.userSig("hub2", 600) + "\",\"resume\":\"" + session + "\"}");
                JsonNode ok = again.next();
                assertEquals("login-ok", ok.get("type").asText(), ok.toString());
                assertTrue(ok.get("resumed").asBoolean(), ok.toString());
                assertEquals(session, ok.get("sessionId").asText());
                send(gil, "media", callId, ",\"video\":true"); // sent after the resume
                // The frame held by instance 2 first, then the newer one, in that order.
                JsonNode first = again.next();
                assertEquals("media", first.get("type").asText(), first.toString());
                assertFalse(first.get("video").asBoolean(), "the held frame comes first: " + first);
                JsonNode second = again.next();
                assertTrue(second.get("video").asBoolean(), second.toString());
                // Past the grace period the old instance must not end the call: it was told.
                long until = System.nanoTime() + Duration.ofSeconds(GRACE_SECONDS + 2).toNanos();
                while (System.nanoTime() < until) {
                    send(gil, "media", callId, ",\"audio\":false");
                    assertEquals("gil2", again.expect("media").get("userId").asText());
                    Thread.sleep(250); // a time-driven check: the grace period must pass
                }
                assertTrue(gil.skipped.stream().noneMatch(f -> f.path("type").asText().equals("left")),
                        "hub2 never left: " + gil.skipped);
                send(again, "hangup", callId, "");
                assertEquals("hub2", gil.expect("left").get("userId").asText());
            }
        }
    }

    /** Waits (up to 10 s) until that instance counts exactly n open sockets. */
    static void awaitOpenConnections(int port, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            last = metrics.lines().filter(l -> l.startsWith("signaling_connections ")).findFirst().orElse("");
            if (last.equals("signaling_connections " + n + ".0")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected " + n + " open connections on " + port + ", metrics say: " + last);
    }

    static JsonNode callState(String callId) throws Exception {
        String token = CallsApiTest.token(usersigUrl, "calls:read");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + pod2Port + "/v1/calls/" + callId))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return WsClient.JSON.readTree(r.body());
    }

    @Test
    @Order(4)
    void theSameUserLoggingInOnBothInstancesAtOnceKeepsExactlyOneSession() throws Exception {
        for (int round = 0; round < 3; round++) {
            String user = "racer" + round;
            WsClient a = connect(pod1Port);
            WsClient b = connect(pod2Port);
            String sig = SignalingSocketTest.userSig(user, 600);
            // Both logins leave at the same moment, to two instances with two presence instances.
            Thread t = new Thread(() -> {
                try {
                    a.sendOnly(SignalingSocketTest.login(user, sig));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            b.sendOnly(SignalingSocketTest.login(user, sig));
            t.join();
            // Exactly one is kicked (close 4001, or refused); the other stays and answers.
            int closedA = closedWithin(a);
            int closedB = closedWithin(b);
            assertTrue((closedA == 4001) != (closedB == 4001),
                    "exactly one session kicked in round " + round + ": " + closedA + " / " + closedB);
            WsClient survivor = closedA == 4001 ? b : a;
            survivor.sendOnly("{\"type\":\"ping\",\"id\":\"p\"}");
            survivor.expect("pong");
            a.close();
            b.close();
        }
    }

    /** The close code within 5 s, or 0 if still open. */
    static int closedWithin(WsClient c) throws Exception {
        try {
            return c.closedWith.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return 0;
        }
    }

    /** A Redis command's reply line (RESP, one-line replies): the test's view of what is left. */
    static String redis(String... args) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", redis.port())) {
            StringBuilder cmd = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                cmd.append("$").append(a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            s.getOutputStream().write(cmd.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream())).readLine();
        }
    }

    @Test
    @Order(5) // last: it kills instance 1
    void theTimeoutFiresOnceWhenTheCallersInstanceDies() throws Exception {
        try (WsClient dora = user(pod2Port, "dora2")) {
            WsClient carl = user(pod1Port, "carl2");
            String callId = invite(carl, "{\"type\":\"invite\",\"callees\":[\"dora2\"],\"timeoutSeconds\":3}");
            dora.expect("invited");
            // At once: the invitation's event is in the Redis outbox with the call, so it reaches
            // Kafka even if this pod was the one relaying (the lease passes to pod 2).
            pod1.kill(); // SIGKILL: the caller's instance is gone, with no shutdown of its own
            carl.close();
            JsonNode timeout = dora.expect("timeout");
            assertEquals(callId, timeout.get("callId").asText());
            // Nothing stuck in Redis (before anyone calls dora2 again): no busy marks, no deadline, no held invitation; the ended
            // call's record expires by itself.
            long app = SignalingTestResource.APP;
            for (String u : List.of("carl2", "dora2")) {
                assertEquals(":0", redis("EXISTS", "trtc:call:user:" + app + ":" + u), u + " is not busy any more");
                assertEquals(":0", redis("EXISTS", "trtc:call:pending:" + app + ":" + u), "no held invitation for " + u);
            }
            assertEquals("$-1", redis("ZSCORE", "trtc:call:deadlines", callId), "no deadline left");
            String ttl = redis("TTL", "trtc:call:" + callId);
            assertTrue(ttl.startsWith(":") && Long.parseLong(ttl.substring(1)) > 0, "the call record expires: " + ttl);
            // Fired once: a marker call afterwards arrives with no second timeout before it.
            String next;
            try (WsClient eve = user(pod2Port, "eve2")) {
                next = invite(eve, "{\"type\":\"invite\",\"callees\":[\"dora2\"]}");
                assertEquals(next, dora.expect("invited").get("callId").asText());
                assertTrue(dora.skipped.stream().noneMatch(f -> f.path("type").asText().equals("timeout")),
                        "one timeout only: " + dora.skipped);
            }
            JsonNode state = callState(callId);
            assertEquals("ended", state.get("state").asText(), state.toString());
            assertEquals("timeout", state.get("endReason").asText(), state.toString());
            // And in Kafka (one partition, in order): invited, timeout, ended, each once, before the
            // marker call's first event.
            List<ConsumerRecord<String, String>> events = kafka.read("trtc.call-events",
                    r -> callId.equals(r.key()) || next.equals(r.key()), 4, Duration.ofSeconds(30));
            List<String> types = new ArrayList<>();
            for (ConsumerRecord<String, String> r : events.subList(0, 4)) {
                if (callId.equals(r.key())) {
                    types.add(WsClient.JSON.readTree(r.value()).get("type").asText());
                }
            }
            assertEquals(List.of("invited", "timeout", "ended"), types);

        }
    }

    @Test
    @Order(6) // after instance 1 was killed
    void aSessionResumesOnItsInstanceStartedAgainUnderTheSameName() throws Exception {
        restartPod1();
        try (WsClient gil = user(pod2Port, "gil2")) {
            WsClient fay = connect(pod1Port);
            fay.sendOnly(SignalingSocketTest.login("fay2", SignalingSocketTest.userSig("fay2", 600)));
            String session = fay.expect("login-ok").get("sessionId").asText();
            String callId = invite(gil, "{\"type\":\"invite\",\"callees\":[\"fay2\"]}");
            fay.expect("invited");
            send(fay, "accept", callId, "");
            gil.expect("accepted");
            pod1.kill(); // fay's instance dies, and comes back under its name (a StatefulSet pod, a systemd unit)
            fay.close();
            restartPod1();
            try (WsClient again = connect(pod1Port)) {
                again.sendOnly("{\"type\":\"login\",\"sdkAppId\":" + SignalingTestResource.APP + ",\"userId\":\"fay2\","
                        + "\"userSig\":\"" + SignalingSocketTest.userSig("fay2", 600) + "\",\"resume\":\"" + session + "\"}");
                JsonNode ok = again.expect("login-ok");
                assertTrue(ok.get("resumed").asBoolean(), "resumed, not a new session: " + ok);
                assertEquals(session, ok.get("sessionId").asText());
                send(gil, "hangup", callId, "");
                assertEquals("hangup", again.expect("ended").get("reason").asText(), "still in the call, and told it ended");
            }
        }
    }

    static void restartPod1() throws Exception {
        pod1.start(ProcessHandle.current().info().command().orElse("java"));
        assertTrue(pod1.awaitReady(Duration.ofSeconds(90)), "instance 1 ready again");
    }
}
