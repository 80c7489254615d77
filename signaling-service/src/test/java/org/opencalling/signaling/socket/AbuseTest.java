package org.opencalling.signaling.socket;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.WsClient;

/**
 * 10,000 random and malformed frames on one logged-in socket: each is answered or ignored, the
 * connection stays, the service stays healthy, and its heap does not grow with them.
 */
@QuarkusTest
@TestProfile(AbuseTest.NoRateLimit.class)
class AbuseTest {
    public static class NoRateLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("signaling.max-messages-per-second", "1000000",
                    "quarkus.websockets-next.server.auto-ping-interval", "300ms", "signaling.idle-timeout", "2s",
                    "signaling.login-timeout", "3s", "signaling.turn-credential-ttl", "4s");
        }
    }

    // Not "logout": whatever its other fields, it ends the session and closes the socket, as it should.
    static final String[] TYPES = {"login", "ping", "invite", "accept", "reject", "busy", "cancel", "hangup",
        "switch-type", "media", "sdp", "ice", "invite-more", "", "x", "\u0000", "é"};
    static final String[] VALUES = {"null", "1", "-1", "1e309", "\"\"", "\"x\"", "[]", "{}", "[1,[2,[3]]]", "true",
        "\"00000000-0000-0000-0000-000000000000\"", "\"" + "a".repeat(500) + "\"", "{\"type\":\"offer\"}"};
    static final String[] FIELDS = {"callId", "to", "callees", "callType", "timeoutSeconds", "groupId", "sdkAppId",
        "userId", "userSig", "description", "candidate", "video", "audio", "id"};

    @TestHTTPResource("/v1/signaling")
    URI uri;

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return r.totalMemory() - r.freeMemory();
    }

    static String randomFrame(Random random) {
        switch (random.nextInt(4)) {
            case 0: { // not JSON at all
                StringBuilder b = new StringBuilder();
                int n = random.nextInt(200);
                for (int i = 0; i < n; i++) {
                    b.append((char) (32 + random.nextInt(95)));
                }
                return b.toString();
            }
            case 1: // truncated JSON
                return "{\"type\":\"" + TYPES[random.nextInt(TYPES.length)] + "\",\"callId\":";
            default: { // well-formed JSON with random types and values
                StringBuilder b = new StringBuilder("{\"type\":\"").append(TYPES[random.nextInt(TYPES.length)]
                        .replace("\u0000", "\\u0000")).append('"');
                int fields = random.nextInt(5);
                for (int i = 0; i < fields; i++) {
                    b.append(",\"").append(FIELDS[random.nextInt(FIELDS.length)]).append("\":")
                            .append(VALUES[random.nextInt(VALUES.length)]);
                }
                return b.append('}').toString();
            }
        }
    }

    /** Random frames include pings of their own: wait for ours. */
    static void awaitPong(WsClient c, String id) throws Exception {
        while (!id.equals(c.expect("pong").path("id").asText())) {
            // a random frame's pong
        }
    }

    @Test
    void tenThousandBadFrames() throws Exception {
        try (WsClient c = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
            c.sendOnly(SignalingSocketTest.login("abuser", SignalingSocketTest.userSig("abuser", 600)));
            c.expect("login-ok");
            Random random = new Random(2026);
            for (int i = 0; i < 500; i++) { // warm-up, so the heap baseline includes what stays loaded
                c.sendOnly(randomFrame(random));
            }
            c.sendOnly("{\"type\":\"ping\",\"id\":\"warm\"}");
            awaitPong(c, "warm");
            c.received.clear();
            c.skipped.clear();
            long before = usedHeap();
            for (int i = 0; i < 10_000; i++) {
                c.sendOnly(randomFrame(random));
            }
            c.sendOnly("{\"type\":\"ping\",\"id\":\"end\"}");
            awaitPong(c, "end"); // still answering after 10,000 bad frames, in order
            assertFalse(c.closedWith.isDone(), "the connection stays open");
            long grown = usedHeap() - before;
            assertTrue(grown < 32L * 1024 * 1024, "heap grew by " + grown / 1024 + " KiB");
            assertTrue(c.skipped.stream().anyMatch(f -> f.path("type").asText().equals("error")));
        }
        given().get("/q/health/live").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertTrue(metrics.contains("signaling_errors_total{kind=\"malformed-json\"}"), "bad frames are counted");
        assertTrue(metrics.contains("signaling_connections "), "the open-sockets gauge is exported");
    }

    @Test
    void theServerPingsAndKeepsASocketThatAnswers() throws Exception {
        try (WsClient c = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
            c.sendOnly(SignalingSocketTest.login("pinged", SignalingSocketTest.userSig("pinged", 600)));
            c.expect("login-ok");
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(4); // twice the idle timeout
            while (System.nanoTime() < until) {
                assertFalse(c.closedWith.isDone(), "a socket that answers pings stays open");
                Thread.sleep(100); // time-driven: the idle timeout has to pass
            }
            assertTrue(c.pings.get() >= 5, "server pings: " + c.pings.get());
            c.sendOnly("{\"type\":\"ping\",\"id\":\"alive\"}");
            awaitPong(c, "alive");
        }
    }

    @Test
    void turnCredentialsAreRenewedWhileTheSessionLives() throws Exception {
        try (WsClient c = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
            c.sendOnly(SignalingSocketTest.login("renewed", SignalingSocketTest.userSig("renewed", 600)));
            JsonNode ok = c.expect("login-ok");
            assertEquals(4, ok.get("iceTtl").asInt());
            String first = ok.get("iceServers").get(0).get("username").asText();
            JsonNode fresh = c.expect("ice-servers"); // half of the 4 s validity later
            String renewed = fresh.get("iceServers").get(0).get("username").asText();
            assertTrue(Long.parseLong(renewed.split(":")[0]) > Long.parseLong(first.split(":")[0]),
                    first + " then " + renewed);
            assertEquals(new org.opencalling.stun.TurnCredentials(SignalingTestResource.TURN_SECRET)
                    .password(renewed), fresh.get("iceServers").get(0).get("credential").asText());
        }
    }

    @Test
    void aSocketThatNeverLogsInIsClosed() throws Exception {
        try (WsClient c = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
            c.sendOnly("{\"type\":\"ping\",\"id\":\"anon\"}"); // alive, answering pings, but anonymous
            awaitPong(c, "anon");
            assertEquals(1008, c.closedWith.get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void aSocketThatStopsAnsweringIsClosed() throws Exception {
        // A raw client that completes the handshake, then never reads or answers anything.
        try (java.net.Socket s = new java.net.Socket(uri.getHost(), uri.getPort())) {
            s.getOutputStream().write(("GET /v1/signaling HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nOrigin: " + SignalingSocketTest.ORIGIN + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.setSoTimeout(15_000);
            java.io.InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(status.endsWith("101"), status);
            // Read frames (pings, then a close) until the server closes the connection.
            int closeCode = -1;
            int b;
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            while ((b = in.read()) != -1) {
                all.write(b);
            }
            byte[] bytes = all.toByteArray();
            for (int i = 0; i + 3 < bytes.length; i++) {
                if ((bytes[i] & 0xff) == 0x88 && (bytes[i + 1] & 0x7f) >= 2) { // FIN + close, code follows
                    closeCode = ((bytes[i + 2] & 0xff) << 8) | (bytes[i + 3] & 0xff);
                }
            }
            assertEquals(org.opencalling.signaling.protocol.CloseCode.KEEP_ALIVE_TIMEOUT.code(), closeCode);
        }
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertTrue(metrics.contains("signaling_errors_total{kind=\"keep-alive-timeout\"}"), "counted");
    }
}
