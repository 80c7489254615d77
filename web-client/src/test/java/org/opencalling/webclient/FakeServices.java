package org.opencalling.webclient;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP and WebSocket server on a free port standing in for signaling and usersig (the
 * forwarder's upstream): it echoes requests and messages, refuses a WebSocket from a foreign
 * Origin with 403, closes another at once with 1008 and a reason (as signaling does), and closes
 * with 4001 on request. Presence points at a
 * closed port (upstream down).
 */
public class FakeServices implements QuarkusTestResourceLifecycleManager {
    static Vertx vertx;
    static int port;

    @Override
    public Map<String, String> start() {
        try {
            vertx = Vertx.vertx();
            server = vertx.createHttpServer();
            server.webSocketHandler(ws -> {
                if ("http://evil.example".equals(ws.headers().get("Origin"))) {
                    ws.reject(403);
                    return;
                }
                if ("http://refused.example".equals(ws.headers().get("Origin"))) {
                    // As signaling does: open, then close at once with a reason a page can read.
                    ws.close((short) 1008, "origin-not-allowed: http://refused.example (ALLOWED_ORIGINS)");
                    return;
                }
                ws.textMessageHandler(text -> {
                    if (text.equals("close-4001")) {
                        ws.close((short) 4001, "kicked");
                    } else if (text.equals("headers")) {
                        ws.writeTextMessage(new JsonObject().put("origin", ws.headers().get("Origin"))
                                .put("xff", ws.headers().get("X-Forwarded-For")).put("path", ws.uri()).encode());
                    } else {
                        ws.writeTextMessage("echo:" + text);
                    }
                });
                ws.closeHandler(v -> {
                    lastClientClose = ws.closeStatusCode();
                });
            });
            server.requestHandler(req -> {
                if (req.path().endsWith("/chunked")) { // streamed, no Content-Length (as Quarkus does above 8 KiB)
                    req.response().setChunked(true).putHeader("Content-Type", "text/plain");
                    req.response().write("first half, ");
                    vertx.setTimer(50, t -> req.response().end("second half"));
                    return;
                }
                handle(req);
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return finish();
    }

    private static void handle(io.vertx.core.http.HttpServerRequest req) {
        req.body().onSuccess(body -> req.response()
                    .putHeader("Content-Type", "application/json").putHeader("X-Upstream", "fake")
                    .setStatusCode(req.path().endsWith("/teapot") ? 418 : 200)
                    .end(new JsonObject().put("method", req.method().name()).put("uri", req.uri())
                            .put("body", body.toString()).put("xff", req.getHeader("X-Forwarded-For"))
                            .put("authorization", req.getHeader("Authorization")).encode()));
    }

    static HttpServer server;

    private Map<String, String> finish() {
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            port = server.actualPort();
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            // Signaling as two instances, the first down: everything must fail over to the second.
            return Map.of("web.signaling-url", "http://127.0.0.1:" + closed + ",http://127.0.0.1:" + port,
                    "web.usersig-url", "http://127.0.0.1:" + port,
                    "web.presence-url", "http://127.0.0.1:" + closed, "web.socket.ping-interval", "200ms",
                    "web.socket.idle-timeout", "1s");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static volatile Short lastClientClose;

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }
}
