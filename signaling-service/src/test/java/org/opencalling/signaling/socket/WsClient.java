package org.opencalling.signaling.socket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (the JDK's) that queues what the server sends. */
final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    volatile String closeReason;
    final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
    final WebSocket ws;

    WsClient(URI uri, String origin) throws Exception {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            b.header("Origin", origin);
        }
        ws = b.buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    received.add(partial.toString());
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onPing(WebSocket w, java.nio.ByteBuffer message) {
                pings.incrementAndGet(); // the JDK answers with a pong by itself
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                closeReason = reason;
                closedWith.complete(status);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closedWith.complete(-1);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    /** A socket to the endpoint at {@code httpUri} (the test's http URI of /v1/signaling), logged in as {@code user}. */
    static WsClient loggedIn(URI httpUri, String user) throws Exception {
        WsClient c = new WsClient(URI.create(httpUri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN);
        c.sendOnly(SignalingSocketTest.login(user, SignalingSocketTest.userSig(user, 600)));
        c.expect("login-ok");
        return c;
    }

    JsonNode send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
        return next();
    }

    JsonNode next() throws Exception {
        String s = received.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no answer within 10 s");
        }
        return JSON.readTree(s);
    }

    /** The next frame of this type; frames of other types before it are kept for later. */
    JsonNode expect(String type) throws Exception {
        for (java.util.Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
            JsonNode n = it.next();
            if (n.path("type").asText().equals(type)) {
                it.remove();
                return n;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String s = received.poll(100, TimeUnit.MILLISECONDS);
            if (s == null) {
                continue;
            }
            JsonNode n = JSON.readTree(s);
            if (n.path("type").asText().equals(type)) {
                return n;
            }
            skipped.add(n);
        }
        throw new AssertionError("no '" + type + "' within 10 s; other frames: " + skipped);
    }

    void sendOnly(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    final java.util.List<JsonNode> skipped = new java.util.ArrayList<>();

    @Override
    public void close() {
        ws.abort();
    }
}
