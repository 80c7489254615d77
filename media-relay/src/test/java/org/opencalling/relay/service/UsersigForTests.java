package org.opencalling.relay.service;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.ServiceSpec;

/**
 * The packaged usersig-service as a process: it issues the backend tokens the admin API checks.
 * Test-only client secrets (never defaults of a service).
 */
public class UsersigForTests implements QuarkusTestResourceLifecycleManager {
    static final String ADMIN = "relay-admin:relay-admin-test-secret";
    static final String READER = "relay-reader:relay-reader-test-secret";
    static ServiceProcess usersig;
    static String url;

    @Override
    public Map<String, String> start() {
        try {
            Path root = Path.of("..").toAbsolutePath().normalize();
            int port = FreePorts.next();
            url = "http://localhost:" + port;
            usersig = new ServiceProcess(new ServiceSpec("usersig-service",
                    root.resolve("usersig-service/target/quarkus-app/quarkus-run.jar"), port,
                    Map.of("TRTC_APPS", "1400000009:relay-test-app-secret",
                            "BACKEND_CLIENTS", ADMIN + ":relay:read+relay:write," + READER + ":relay:read",
                            "JWT_ALLOW_GENERATED_KEY", "true"), ""),
                    Files.createTempDirectory("media-relay-test-logs"));
            usersig.start(ProcessHandle.current().info().command().orElse("java"));
            if (!usersig.awaitReady(Duration.ofSeconds(60))) {
                throw new IllegalStateException("usersig-service did not start:\n" + usersig.tail(40));
            }
            return Map.of("mp.jwt.verify.publickey.location", url + "/.well-known/jwks.json");
        } catch (Exception e) {
            stop();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (usersig != null) {
            try {
                usersig.stop(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            usersig = null;
        }
    }

    /** A backend token for this client ({@code id:secret}) with these scopes (space-separated). */
    static String token(String client, String scopes) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/token"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(client.getBytes()))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope="
                                + scopes.replace(" ", "+"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no token: " + body);
        }
        return m.group(1);
    }
}
