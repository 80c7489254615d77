package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigCodec;
import org.opencalling.testsupport.WsClient;

@QuarkusTest
@QuarkusTestResource(SignalingTestResource.class)
class SignalingSocketTest {
    static final String ORIGIN = "http://localhost:8080";

    @TestHTTPResource("/v1/signaling")
    URI uri;

    URI ws() {
        return URI.create(uri.toString().replaceFirst("^http", "ws"));
    }

    static String userSig(String user, long expire) {
        var key = Applications.parse(Map.of("t", SignalingTestResource.APP + ":" + SignalingTestResource.SECRET))
                .find(SignalingTestResource.APP);
        return UserSigCodec.issue(key, user, expire, System.currentTimeMillis() / 1000, null);
    }

    static String login(String user, String sig) {
        return "{\"type\":\"login\",\"id\":\"l1\",\"sdkAppId\":" + SignalingTestResource.APP + ",\"userId\":\"" + user
                + "\",\"userSig\":\"" + sig + "\"}";
    }

    /** A socket to the endpoint at {@code httpUri} (the test's http URI of /v1/signaling), logged in as {@code user}. */
    static WsClient loggedIn(URI httpUri, String user) throws Exception {
        WsClient c = new WsClient(URI.create(httpUri.toString().replaceFirst("^http", "ws")), ORIGIN);
        c.sendOnly(login(user, userSig(user, 600)));
        c.expect("login-ok");
        return c;
    }

    @Test
    void loginAnswersWithIceServersOnTheRelayPorts() throws Exception {
        try (WsClient c = new WsClient(ws(), ORIGIN)) {
            JsonNode ok = c.send(login("alice", userSig("alice", 600)));
            assertEquals("login-ok", ok.get("type").asText(), ok.toString());
            assertEquals("l1", ok.get("id").asText());
            assertEquals("alice", ok.get("userId").asText());
            assertNotNull(ok.get("sessionId").asText());
            JsonNode ice = ok.get("iceServers").get(0);
            // Two TURN URLs by default (ICE_UDP_PORTS, ICE_TCP_PORTS), though the relay serves seven ports.
            assertEquals("[\"turn:relay.test:8000?transport=udp\",\"turn:relay.test:8687?transport=tcp\"]",
                    ice.get("urls").toString());
            String username = ice.get("username").asText();
            org.opencalling.stun.TurnUsername named = org.opencalling.stun.TurnUsername.parse(username);
            assertEquals(SignalingTestResource.APP, named.sdkAppId(), "the application is in the username: " + username);
            assertEquals("alice", named.user(), username);
            long expiry = named.expiry();
            assertTrue(Math.abs(expiry - (System.currentTimeMillis() / 1000 + 3600)) < 60, "valid about an hour");
            assertEquals(new TurnCredentials(SignalingTestResource.TURN_SECRET).password(username),
                    ice.get("credential").asText(), "the relay can check it with the shared secret");
            assertEquals("error", c.send(login("alice", userSig("alice", 600))).get("type").asText(),
                    "one login per connection");
            assertEquals("pong", c.send("{\"type\":\"ping\"}").get("type").asText());
        }
    }

    @Test
    void refusedLoginsSayWhyAndTheConnectionStays() throws Exception {
        try (WsClient c = new WsClient(ws(), ORIGIN)) {
            assertEquals("wrong-user", c.send(login("mallory", userSig("alice", 600))).get("code").asText());
            assertEquals("malformed", c.send(login("alice", "garbage")).get("code").asText());
            var expiredKey = Applications.parse(Map.of("t", SignalingTestResource.APP + ":" + SignalingTestResource.SECRET))
                    .find(SignalingTestResource.APP);
            assertEquals("expired", c.send(login("alice", UserSigCodec.issue(expiredKey, "alice", 10, 1_600_000_000L, null)))
                    .get("code").asText());
            assertEquals("invalid-user-id", c.send(login("a b", "x")).get("code").asText());
            assertEquals("missing-field", c.send("{\"type\":\"login\"}").get("code").asText());
            assertEquals("malformed-json", c.send("{not json").get("code").asText());
            assertEquals("malformed-message", c.send("[1]").get("code").asText());
            assertEquals("unknown-type", c.send("{\"type\":\"explode\"}").get("code").asText());
            assertEquals("not-logged-in", c.send("{\"type\":\"invite\",\"id\":\"9\"}").get("code").asText());
            assertEquals("login-ok", c.send(login("alice", userSig("alice", 600))).get("type").asText(),
                    "still usable after all that");
        }
    }

    @Test
    void otherOriginsAreClosedAtOnceWithAReasonThatNamesThem() throws Exception {
        try (WsClient c = new WsClient(ws(), "https://evil.example")) {
            assertEquals(1008, c.closedWith.get(10, TimeUnit.SECONDS));
            assertEquals("origin-not-allowed: https://evil.example (ALLOWED_ORIGINS)", c.closeReason);
            assertTrue(c.received.isEmpty(), "nothing is answered on such a socket");
        }
        try (WsClient c = new WsClient(ws(), null)) {
            assertEquals(1008, c.closedWith.get(10, TimeUnit.SECONDS));
            assertEquals("origin-not-allowed: no Origin header (ALLOWED_ORIGINS)", c.closeReason);
        }
        try (WsClient c = new WsClient(ws(), "http://" + "x".repeat(300) + "\u00e9")) {
            assertEquals(1008, c.closedWith.get(10, TimeUnit.SECONDS));
            assertTrue(c.closeReason.length() <= 123, "a close reason fits its frame");
        }
    }

    @Test
    void oversizedFramesClose1009() throws Exception {
        try (WsClient c = new WsClient(ws(), ORIGIN)) {
            c.ws.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}", true);
            assertEquals(1009, c.closedWith.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void floodsClose1008() throws Exception {
        try (WsClient c = new WsClient(ws(), ORIGIN)) {
            // One send at a time (the JDK client fails a send issued before the last completed);
            // 100 in well under a second: some one-second window sees more than the limit of 20.
            for (int i = 0; i < 100 && !c.closedWith.isDone(); i++) {
                try {
                    c.ws.sendText("{\"type\":\"ping\"}", true).get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException closedMeanwhile) {
                    break;
                }
            }
            assertEquals(1008, c.closedWith.get(10, TimeUnit.SECONDS));
        }
    }
}
