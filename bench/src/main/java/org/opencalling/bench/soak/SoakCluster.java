package org.opencalling.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.opencalling.localcluster.DemoDefaults;
import org.opencalling.localcluster.LocalCluster;
import org.opencalling.localcluster.Options;
import org.opencalling.testsupport.KafkaBroker;
import org.opencalling.testsupport.ServiceSpec;
import org.opencalling.testsupport.BackendTokens;
import org.opencalling.testsupport.WsClient;
import org.opencalling.usersig.AppKey;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigCodec;

/**
 * The cluster under soak: {@code ./run-local --replicas 2 --kafka ...}'s launcher, in this
 * process, with a real KRaft broker beside it, and how to reach each part (URLs, UserSigs,
 * backend tokens). One HTTP client for everything: thousands of sockets share its selector.
 */
final class SoakCluster implements AutoCloseable {
    static final int REPLICAS = 2;
    final int offset;
    final LocalCluster cluster;
    final KafkaBroker kafka;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final AppKey key = Applications.parse(Map.of("demo", DemoDefaults.SDK_APP_ID + ":" + DemoDefaults.SECRET_KEY))
            .find(DemoDefaults.SDK_APP_ID);
    private volatile String token;
    private volatile long tokenUntil;

    SoakCluster(int offset) throws Exception {
        this.offset = offset;
        this.kafka = KafkaBroker.start();
        this.cluster = new LocalCluster(LocalCluster.findRoot(), new Options(offset, REPLICAS, false).withKafka(kafka.bootstrapServers()));
    }

    void start() throws Exception {
        if (cluster.start() != 0) {
            throw new IllegalStateException("the local cluster did not start (logs in .local-run/logs)");
        }
    }

    List<ServiceSpec> services() {
        return cluster.services();
    }

    long app() {
        return DemoDefaults.SDK_APP_ID;
    }

    URI signaling(int k) {
        return URI.create("ws://localhost:" + (8091 + offset + 100 * k) + "/v1/signaling");
    }

    String http(String service, int k) {
        int base = switch (service) {
            case "usersig" -> 8090;
            case "signaling" -> 8091;
            case "presence" -> 8092;
            case "relay" -> 8093;
            default -> 8080;
        };
        return "http://localhost:" + (base + offset + 100 * k);
    }

    String origin() {
        return http("web", 0);
    }

    String userSig(String user) {
        return UserSigCodec.issue(key, user, 86400, System.currentTimeMillis() / 1000, null);
    }

    WsClient socket(int k) throws Exception {
        return new WsClient(http, signaling(k), origin());
    }

    /** A backend token with every demo scope, fetched again before it expires. */
    synchronized String token() throws Exception {
        if (token == null || System.currentTimeMillis() > tokenUntil) {
            JsonNode t = BackendTokens.fetch(http, http("usersig", 0), DemoDefaults.BACKEND_CLIENT, DemoDefaults.BACKEND_SECRET);
            token = t.get("access_token").asText();
            tokenUntil = System.currentTimeMillis() + (t.get("expires_in").asLong() - 60) * 1000;
        }
        return token;
    }

    /**
     * A JSON request with the backend token; the status and the body. A 401 fetches a new token
     * once: in demo mode usersig-service makes a new signing key at each start, so its restart
     * (the rolling restart) voids the tokens it issued before.
     */
    HttpResponse<String> api(String method, String url, String body) throws Exception {
        HttpResponse<String> r = send(method, url, body);
        if (r.statusCode() == 401) {
            synchronized (this) {
                token = null;
            }
            r = send(method, url, body);
        }
        return r;
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        cluster.stop();
        kafka.close();
    }
}
