package org.opencalling.webclient.forward;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Forwards the services' HTTP APIs and the signaling WebSocket, so a page served here needs no
 * other origin: {@code /v1/signaling} and {@code /v1/calls} to signaling-service, {@code
 * /v1/usersig}, {@code /v1/token} and {@code /.well-known/jwks.json} to usersig-service, {@code
 * /v1/presence} to presence-service. Bodies stream through; an upstream that cannot be reached
 * is a 502 with a JSON error. (An Ingress can route the same paths straight to the services.)
 */
@Singleton
public class Forwarder {
    /** Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's, never forwarded. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "proxy-connection");

    @ConfigProperty(name = "web.signaling-url")
    String signalingUrl;

    @ConfigProperty(name = "web.usersig-url")
    String usersigUrl;

    @ConfigProperty(name = "web.presence-url")
    String presenceUrl;

    @ConfigProperty(name = "web.socket.ping-interval")
    Duration pingInterval;

    @ConfigProperty(name = "web.socket.idle-timeout")
    Duration idleTimeout;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    private HttpClient client;
    private SocketBridge sockets;

    void routes(@Observes Router router) {
        Instances signaling = new Instances(Upstream.list("signaling", signalingUrl));
        Instances usersig = new Instances(Upstream.list("usersig", usersigUrl));
        Instances presence = new Instances(Upstream.list("presence", presenceUrl));
        client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setConnectTimeout(5000)
                .setKeepAlive(true));
        sockets = new SocketBridge(vertx, signaling, pingInterval, idleTimeout, registry);
        router.route("/v1/signaling").handler(sockets::handle);
        router.route("/v1/calls*").handler(rc -> forward(rc, signaling));
        router.route("/v1/usersig*").handler(rc -> forward(rc, usersig));
        router.route("/v1/token").handler(rc -> forward(rc, usersig));
        router.route("/.well-known/jwks.json").handler(rc -> forward(rc, usersig));
        router.route("/v1/presence/*").handler(rc -> forward(rc, presence));
    }

    void stop(@Observes ShutdownEvent e) {
        if (sockets != null) {
            sockets.closeAll();
        }
    }

    /**
     * The instances of one service, taken in turn (a service behind one address, as in Kubernetes,
     * is simply one instance here).
     */
    static final class Instances {
        final List<Upstream> all;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

        Instances(List<Upstream> all) {
            this.all = all;
        }

        Upstream next() {
            return all.get(Math.floorMod(next.getAndIncrement(), all.size()));
        }
    }

    private void forward(RoutingContext rc, Instances instances) {
        forward(rc, instances, instances.all.size());
    }

    /** To the next instance; one that cannot be connected to (nothing sent yet) is skipped for the next. */
    private void forward(RoutingContext rc, Instances instances, int triesLeft) {
        Upstream up = instances.next();
        HttpServerRequest req = rc.request();
        HttpServerResponse resp = rc.response();
        req.pause(); // the body streams through once the upstream request is open
        RequestOptions options = new RequestOptions().setMethod(req.method()).setHost(up.host()).setPort(up.port())
                .setSsl(up.ssl()).setURI(req.uri()).setIdleTimeout(30_000);
        options.setHeaders(forwardedHeaders(req));
        client.request(options).onSuccess(out -> {
            resp.closeHandler(v -> out.reset()); // the browser went away: so does the upstream request
            out.send(req).onSuccess(in -> {
                resp.setStatusCode(in.statusCode());
                in.headers().forEach((k, v) -> {
                    if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT))) {
                        resp.headers().add(k, v);
                    }
                });
                if (!in.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                    resp.setChunked(true); // the upstream streamed it (its own transfer-encoding is hop-by-hop)
                }
                count(up, "ok");
                // A failure mid-body must not look like a complete response.
                in.pipeTo(resp).onFailure(e -> resp.reset());
            }).onFailure(e -> badGateway(rc, up, e));
        }).onFailure(e -> {
            if (triesLeft > 1) {
                count(up, "failover");
                forward(rc, instances, triesLeft - 1);
            } else {
                badGateway(rc, up, e);
            }
        });
    }

    /** The request's end-to-end headers, plus where it came from (X-Forwarded-*). */
    static MultiMap forwardedHeaders(HttpServerRequest req) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        req.headers().forEach((k, v) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT)) && !k.toLowerCase(Locale.ROOT).startsWith("sec-websocket")) {
                h.add(k, v);
            }
        });
        String peer = req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
        String prior = req.getHeader("X-Forwarded-For");
        h.set("X-Forwarded-For", prior == null ? peer : prior + ", " + peer);
        h.set("X-Forwarded-Proto", req.scheme() == null ? "http" : req.scheme());
        if (req.authority() != null) {
            h.set("X-Forwarded-Host", req.authority().toString());
        }
        return h;
    }

    private void badGateway(RoutingContext rc, Upstream up, Throwable e) {
        count(up, "unreachable");
        rc.request().resume(); // paused for the body that will not go anywhere: drain it
        HttpServerResponse resp = rc.response();
        if (resp.headWritten()) {
            resp.reset(); // mid-body: all we can do is cut the response
            return;
        }
        resp.setStatusCode(502).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\":\"upstream-unavailable\",\"message\":\"" + up.name() + " cannot be reached now; retry\"}");
    }

    private void count(Upstream up, String outcome) {
        registry.counter("web.forwarded", "upstream", up.name(), "outcome", outcome).increment();
    }
}
