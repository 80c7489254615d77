package org.opencalling.webclient.forward;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries a browser's WebSocket to signaling-service and back: the upstream is opened first, so
 * a refusal at its handshake reaches the browser as the same HTTP status, and a close right
 * after it (signaling's for a disallowed Origin: 1008 with a reason) as the same close; then
 * messages go both ways as they are, and a close on either side closes the other with the same
 * code (1012, "service restart", when signaling vanished without one: the SDK reconnects). The
 * bridge pings the browser and closes a silent one, as signaling would.
 */
final class SocketBridge {
    private static final int MAX_MESSAGE = 64 * 1024 + 1024; // signaling itself closes with 1009 above 64 KiB

    private final Vertx vertx;
    private final Forwarder.Instances signaling;
    private final long pingMillis;
    private final long idleMillis;
    private final MeterRegistry registry;
    private final WebSocketClient client;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<ServerWebSocket> browsers = ConcurrentHashMap.newKeySet();

    SocketBridge(Vertx vertx, Forwarder.Instances signaling, Duration ping, Duration idle, MeterRegistry registry) {
        this.vertx = vertx;
        this.signaling = signaling;
        this.pingMillis = ping.toMillis();
        this.idleMillis = idle.toMillis();
        this.registry = registry;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(5000)
                .setMaxFrameSize(MAX_MESSAGE).setMaxMessageSize(MAX_MESSAGE));
        registry.gauge("web.sockets.open", open);
    }

    void handle(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
            rc.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"error\":\"websocket-required\",\"message\":\"/v1/signaling is a WebSocket\"}");
            return;
        }
        req.pause();
        connect(rc, req, signaling.all.size());
    }

    /**
     * Opens the upstream socket on the next signaling instance; one that cannot be reached (a
     * restarting pod) is skipped for the next, so a browser reconnecting after a drain lands on
     * a live instance.
     */
    private void connect(RoutingContext rc, HttpServerRequest req, int triesLeft) {
        Upstream target = signaling.next();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(target.host())
                .setPort(target.port()).setSsl(target.ssl()).setURI(req.uri()).setTimeout(10_000);
        Forwarder.forwardedHeaders(req).forEach(options::addHeader);
        client.connect(options).onSuccess(up -> {
            // Hold what signaling says until the browser's side exists: it may close at once
            // (a refused Origin, 1008 with a reason), and that close must reach the page.
            up.pause();
            req.toWebSocket().onSuccess(browser -> bridge(browser, up))
                    .onFailure(e -> up.close((short) 1001, "browser gone"));
        }).onFailure(e -> {
            if (!(e instanceof UpgradeRejectedException) && triesLeft > 1) {
                count("failover");
                connect(rc, req, triesLeft - 1);
                return;
            }
            count("refused");
            int status = e instanceof UpgradeRejectedException r ? r.getStatus() : 502;
            req.resume();
            rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(status == 502
                            ? "{\"error\":\"upstream-unavailable\",\"message\":\"signaling cannot be reached now; retry\"}"
                            : "{\"error\":\"refused\",\"message\":\"signaling refused the WebSocket (" + status + ")\"}");
        });
    }

    private void bridge(ServerWebSocket browser, WebSocket up) {
        if (up.isClosed()) {
            // Signaling closed while the browser's upgrade was on its way (both sockets live on
            // this event loop, so nothing changes between this check and the handlers below).
            count("closed-at-open");
            Short code = up.closeStatusCode();
            close(browser, sendable(code) ? code : 1012, up.closeReason() == null ? "" : up.closeReason());
            return;
        }
        open.incrementAndGet();
        browsers.add(browser);
        count("opened");
        long[] lastHeard = {System.currentTimeMillis()};
        long timer = vertx.setPeriodic(pingMillis, t -> {
            if (System.currentTimeMillis() - lastHeard[0] > idleMillis) {
                count("browser-idle");
                close(browser, (short) 4003, "keep-alive timeout");
                close(up, (short) 1001, "browser silent");
            } else {
                browser.writePing(Buffer.buffer());
            }
        });
        browser.pongHandler(b -> lastHeard[0] = System.currentTimeMillis());
        browser.textMessageHandler(text -> {
            lastHeard[0] = System.currentTimeMillis();
            up.writeTextMessage(text);
            backPressure(up, browser);
        });
        browser.binaryMessageHandler(bytes -> {
            lastHeard[0] = System.currentTimeMillis();
            up.writeBinaryMessage(bytes);
            backPressure(up, browser);
        });
        up.textMessageHandler(text -> {
            browser.writeTextMessage(text);
            backPressure(browser, up);
        });
        up.binaryMessageHandler(bytes -> {
            browser.writeBinaryMessage(bytes);
            backPressure(browser, up);
        });
        up.closeHandler(v -> {
            Short code = up.closeStatusCode();
            close(browser, sendable(code) ? code : 1012, up.closeReason() == null ? "" : up.closeReason());
        });
        browser.closeHandler(v -> {
            vertx.cancelTimer(timer);
            browsers.remove(browser);
            open.decrementAndGet();
            Short code = browser.closeStatusCode();
            close(up, sendable(code) ? code : 1001, "");
        });
        up.exceptionHandler(e -> close(browser, (short) 1012, "signaling connection failed"));
        browser.exceptionHandler(e -> close(up, (short) 1001, "browser connection failed"));
        browser.resume();
        up.resume();
    }

    /** Stops reading from {@code from} while {@code to} cannot take more, until it drains. */
    private static void backPressure(WebSocketBase to, WebSocketBase from) {
        if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
        }
    }

    /** Codes an endpoint may send (RFC 6455 §7.4): not 1005, 1006, 1015 or unassigned ones. */
    static boolean sendable(Short code) {
        if (code == null) {
            return false;
        }
        int c = code;
        return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
    }

    private static void close(WebSocketBase ws, short code, String reason) {
        if (!ws.isClosed()) {
            ws.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
        }
    }

    private void count(String what) {
        registry.counter("web.sockets", "event", what).increment();
    }

    /** On shutdown: tell every browser to reconnect (to another web-client instance). */
    void closeAll() {
        for (ServerWebSocket b : browsers) {
            close(b, (short) 1012, "web-client restarting");
        }
    }
}
