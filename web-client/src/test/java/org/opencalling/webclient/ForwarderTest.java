package org.opencalling.webclient;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The web-client's own job: the SDK and the demo, and forwarding HTTP and the WebSocket to real sockets. */
@QuarkusTest
@QuarkusTestResource(FakeServices.class)
class ForwarderTest {
    @TestHTTPResource("/")
    URI root;

    @Test
    void servesTheSdkBundlesTheirMapsTheTypesAndTheDemo() {
        // Minified bundles: the ES module names its exports, the classic script sets the global.
        given().get("/sdk/trtc-calling.js").then().statusCode(200).contentType(containsString("javascript"))
                .body(containsString(" as TRTCCalling,")).body(containsString(" as default}"))
                .body(containsString("sourceMappingURL=trtc-calling.js.map"));
        given().get("/sdk/trtc-calling-js.js").then().statusCode(200).contentType(containsString("javascript"))
                .body(containsString("root.TRTCCalling=factory()"));
        given().get("/sdk/trtc-calling.js.map").then().statusCode(200).body(containsString("\"src/index.js\""));
        given().get("/sdk/trtc-calling.d.ts").then().statusCode(200).body(containsString("export default class TRTCCalling"));
        given().get("/").then().statusCode(200).body(containsString("OpenCalling")).body(containsString("/demo/app.js"));
        given().get("/demo/config.json").then().statusCode(200).body("sdkAppId", equalTo(1400000000));
    }

    @Test
    void forwardsTheServicesHttpApisWithTheirStatusHeadersAndBody() {
        given().header("Authorization", "Bearer t0ken").contentType("application/json").body("{\"userId\":\"alice\"}")
                .post("/v1/usersig?x=1").then().statusCode(200).header("X-Upstream", "fake")
                .body("method", equalTo("POST")).body("uri", equalTo("/v1/usersig?x=1"))
                .body("body", equalTo("{\"userId\":\"alice\"}")).body("authorization", equalTo("Bearer t0ken"))
                .body("xff", org.hamcrest.Matchers.anyOf(equalTo("127.0.0.1"), equalTo("0:0:0:0:0:0:0:1")));
        given().get("/v1/calls/teapot").then().statusCode(418);
        given().get("/v1/calls/chunked").then().statusCode(200).body(equalTo("first half, second half"));
        given().get("/.well-known/jwks.json").then().statusCode(200).body("uri", equalTo("/.well-known/jwks.json"));
        given().get("/v1/presence/1400000000/alice").then().statusCode(502)
                .body("error", equalTo("upstream-unavailable"));
        given().get("/v1/signaling").then().statusCode(400).body("error", equalTo("websocket-required"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("web_forwarded_total{outcome=\"unreachable\",upstream=\"presence\"}"));
        // Signaling runs as two instances here, one of them down: requests go to the live one.
        for (int i = 0; i < 4; i++) {
            given().get("/v1/calls/teapot").then().statusCode(418);
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("web_forwarded_total{outcome=\"failover\",upstream=\"signaling\"}"));
    }

    static class Inbox implements WebSocket.Listener {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        volatile String closeReason;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            messages.add(data.toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }
    }

    WebSocket open(Inbox inbox, String origin) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", origin)
                .buildAsync(URI.create(root.toString().replaceFirst("^http", "ws") + "v1/signaling?v=1"), inbox)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void carriesTheWebSocketBothWaysWithCloseCodesAndRefusals() throws Exception {
        Inbox inbox = new Inbox();
        WebSocket ws = open(inbox, "http://localhost:8080");
        for (int i = 0; i < 3; i++) { // whichever instance is next, the socket reaches the live one
            Inbox other = new Inbox();
            WebSocket o = open(other, "http://localhost:8080");
            o.sendText("ping" + i, true).get(5, TimeUnit.SECONDS);
            assertEquals("echo:ping" + i, other.messages.poll(5, TimeUnit.SECONDS));
            o.sendClose(1000, "").get(5, TimeUnit.SECONDS);
        }
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertEquals("echo:hello", inbox.messages.poll(5, TimeUnit.SECONDS));
        ws.sendText("headers", true).get(5, TimeUnit.SECONDS);
        String headers = inbox.messages.poll(5, TimeUnit.SECONDS);
        assertTrue(headers.contains("\"origin\":\"http://localhost:8080\"") && headers.contains("\"xff\":\"127.0.0.1\"")
                && headers.contains("\"path\":\"/v1/signaling?v=1\""), headers);
        ws.sendText("close-4001", true).get(5, TimeUnit.SECONDS);
        assertEquals(4001, inbox.closed.get(5, TimeUnit.SECONDS), "signaling's close code reaches the browser");

        // The browser closes: signaling hears the same code.
        Inbox second = new Inbox();
        WebSocket ws2 = open(second, "http://localhost:8080");
        ws2.sendText("x", true).get(5, TimeUnit.SECONDS);
        assertEquals("echo:x", second.messages.poll(5, TimeUnit.SECONDS));
        ws2.sendClose(4321, "bye").get(5, TimeUnit.SECONDS);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (FakeServices.lastClientClose == null || FakeServices.lastClientClose != 4321) {
            assertTrue(System.nanoTime() < until, "upstream saw close " + FakeServices.lastClientClose);
            Thread.sleep(20);
        }

        // Signaling refuses a foreign Origin: the browser gets the same 403 at the handshake.
        try {
            open(new Inbox(), "http://evil.example");
            throw new AssertionError("the upgrade should have been refused");
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 403,
                    String.valueOf(e.getCause()));
        }
    }

    @Test
    void aCloseRightAtTheOpenReachesTheBrowserWithItsReasonEveryTime() throws Exception {
        // Signaling closes a refused origin's socket as soon as it opens, before the browser's
        // side of the bridge exists: the close must wait for it, not be lost (the page would
        // otherwise sit on an open socket that answers nothing).
        for (int i = 0; i < 30; i++) {
            Inbox inbox = new Inbox();
            open(inbox, "http://refused.example");
            assertEquals(1008, inbox.closed.get(5, TimeUnit.SECONDS), "try " + i);
            assertEquals("origin-not-allowed: http://refused.example (ALLOWED_ORIGINS)", inbox.closeReason, "try " + i);
        }
    }

    @Test
    void aSilentBrowserIsClosedByTheKeepAlive() throws Exception {
        // The JDK client answers pings by itself; one that stops reading cannot: it is closed (4003)
        // after the idle timeout (1 s in this test).
        Inbox inbox = new Inbox() {
            @Override
            public void onOpen(WebSocket ws) {
                // never request(): nothing is read, pings included, so no pong goes back
            }
        };
        open(inbox, "http://localhost:8080");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String metrics = "";
        while (!metrics.contains("web_sockets_total{event=\"browser-idle\"}") && System.nanoTime() < until) {
            Thread.sleep(200);
            metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        }
        assertTrue(metrics.contains("web_sockets_total{event=\"browser-idle\"}"), metrics);
    }
}
