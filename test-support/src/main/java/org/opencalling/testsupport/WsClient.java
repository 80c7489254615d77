package org.opencalling.testsupport;

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

/**
 * A real WebSocket client (the JDK's) for signaling's protocol in tests and load tools: it
 * queues what the server sends, and waits for a frame of a given type.
 */
public final class WsClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    public final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    public volatile String closeReason;
    public final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
    public final WebSocket ws;

    public WsClient(URI uri, String origin) throws Exception {
        this(HttpClient.newHttpClient(), uri, origin);
    }

    /** A socket on a shared client: thousands of sockets then share its one selector thread. */
    public WsClient(HttpClient http, URI uri, String origin) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
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

    /** Sends a frame and returns the next one that arrives. */
    public JsonNode send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
        return next();
    }

    public JsonNode next() throws Exception {
        String s = received.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no answer within 10 s");
        }
        return JSON.readTree(s);
    }

    /** The next frame of this type; frames of other types before it are kept for later. */
    public JsonNode expect(String type) throws Exception {
        return expect(type, Duration.ofSeconds(10));
    }

    /** The next frame of this type within {@code within}; frames of other types before it are kept for later. */
    public JsonNode expect(String type, Duration within) throws Exception {
        for (java.util.Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
            JsonNode n = it.next();
            if (n.path("type").asText().equals(type)) {
                it.remove();
                return n;
            }
        }
        long deadline = System.nanoTime() + within.toNanos();
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
        throw new AssertionError("no '" + type + "' within " + within.toMillis() + " ms; other frames: " + skipped);
    }

    /**
     * One whole 1v1 call between two logged-in users: invite (ringing 5 s at most), ring, accept,
     * hang up, each step within {@code step}; frames of other types on the way are dropped.
     */
    public static void call(WsClient caller, WsClient callee, String calleeId, Duration step) throws Exception {
        caller.sendOnly("{\"type\":\"invite\",\"callees\":[\"" + calleeId + "\"],\"timeoutSeconds\":5}");
        String callId = caller.expect("invite-ok", step).get("callId").asText();
        same(callId, callee.expect("invited", step).get("callId").asText(), "the invitation rang another call");
        callee.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
        same(calleeId, caller.expect("accepted", step).get("userId").asText(), "someone else accepted");
        caller.sendOnly("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
        same("hangup", callee.expect("ended", step).get("reason").asText(), "the call ended otherwise");
        caller.skipped.clear();
        callee.skipped.clear();
    }

    private static void same(String expected, String actual, String what) {
        if (!expected.equals(actual)) {
            throw new AssertionError(what + ": expected " + expected + " but was " + actual);
        }
    }

    public void sendOnly(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    public final java.util.List<JsonNode> skipped = new java.util.ArrayList<>();

    @Override
    public void close() {
        ws.abort();
    }
}
