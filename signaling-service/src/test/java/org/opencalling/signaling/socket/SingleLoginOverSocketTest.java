package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.WsClient;

/** The seed's FAQ case: the same user logs in twice; the first socket is kicked, as presence decides. */
@QuarkusTest
class SingleLoginOverSocketTest {
    @TestHTTPResource("/v1/signaling")
    URI uri;

    URI ws() {
        return URI.create(uri.toString().replaceFirst("^http", "ws"));
    }

    static JsonNode presenceOf(String user) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String basic = Base64.getEncoder().encodeToString(SignalingTestResource.CLIENT.getBytes());
        String tokenJson = http.send(HttpRequest.newBuilder(URI.create(SignalingTestResource.usersigUrl + "/v1/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String token = WsClient.JSON.readTree(tokenJson).get("access_token").asText();
        String body = http.send(HttpRequest.newBuilder(URI.create(SignalingTestResource.presenceUrl + "/v1/presence/"
                + SignalingTestResource.APP + "/" + user)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return WsClient.JSON.readTree(body);
    }

    @Test
    void aSecondLoginKicksTheFirstSocket() throws Exception {
        try (WsClient first = new WsClient(ws(), SignalingSocketTest.ORIGIN);
             WsClient second = new WsClient(ws(), SignalingSocketTest.ORIGIN)) {
            String s1 = first.send(SignalingSocketTest.login("zoe", SignalingSocketTest.userSig("zoe", 600)))
                    .get("sessionId").asText();
            assertEquals(s1, presenceOf("zoe").get("sessionId").asText(), "registered with presence-service");
            String s2 = second.send(SignalingSocketTest.login("zoe", SignalingSocketTest.userSig("zoe", 600)))
                    .get("sessionId").asText();
            JsonNode kicked = first.next();
            assertEquals("kicked", kicked.get("type").asText());
            assertEquals(4001, first.closedWith.get(10, TimeUnit.SECONDS));
            assertEquals(s2, presenceOf("zoe").get("sessionId").asText());
            assertTrue(second.send("{\"type\":\"ping\"}").get("type").asText().equals("pong"), "the new one lives on");
        }
    }

    @Test
    void closingTheSocketTakesTheUserOffline() throws Exception {
        WsClient c = new WsClient(ws(), SignalingSocketTest.ORIGIN);
        c.send(SignalingSocketTest.login("yara", SignalingSocketTest.userSig("yara", 600)));
        assertTrue(presenceOf("yara").get("online").asBoolean());
        c.ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (presenceOf("yara").get("online").asBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(false, presenceOf("yara").get("online").asBoolean());
        c.close();
    }
}
