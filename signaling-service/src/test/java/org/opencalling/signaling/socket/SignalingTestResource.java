package org.opencalling.signaling.socket;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.RedisServerProcess;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.ServiceSpec;

/**
 * The real neighbours for the test run: a redis-server, and the packaged usersig-service and
 * presence-service as processes. Test-only secrets (never defaults of a service).
 */
public class SignalingTestResource implements QuarkusTestResourceLifecycleManager {
    public static final long APP = 1400000001L;
    public static final String SECRET = "signaling-test-secret";
    public static final String TURN_SECRET = "turn-test-secret";
    public static final String CLIENT = "signaling:signaling-test-client-secret";

    static RedisServerProcess redis;
    public static org.opencalling.testsupport.KafkaBroker kafka;
    static List<ServiceProcess> services = new java.util.ArrayList<>();
    static String usersigUrl;
    static String presenceUrl;

    @Override
    public Map<String, String> start() {
        try {
            redis = RedisServerProcess.startOnFreePort();
            kafka = org.opencalling.testsupport.KafkaBroker.start();
            Path root = Path.of("..").toAbsolutePath().normalize();
            Path logs = Files.createTempDirectory("signaling-it-logs");
            int usersigPort = FreePorts.next();
            int presencePort = FreePorts.next();
            usersigUrl = "http://localhost:" + usersigPort;
            presenceUrl = "http://localhost:" + presencePort;
            Map<String, String> usersigEnv = new LinkedHashMap<>();
            usersigEnv.put("TRTC_APPS", APP + ":" + SECRET);
            usersigEnv.put("BACKEND_CLIENTS", CLIENT + ":presence:write+presence:read+calls:write+calls:read");
            usersigEnv.put("JWT_ALLOW_GENERATED_KEY", "true");
            Map<String, String> presenceEnv = Map.of("REDIS_URL", redis.url(), "KAFKA_BOOTSTRAP_SERVERS", "",
                    "JWKS_URL", usersigUrl + "/.well-known/jwks.json");
            for (ServiceSpec spec : List.of(
                    new ServiceSpec("usersig-service", root.resolve("usersig-service/target/quarkus-app/quarkus-run.jar"),
                            usersigPort, usersigEnv, ""),
                    new ServiceSpec("presence-service", root.resolve("presence-service/target/quarkus-app/quarkus-run.jar"),
                            presencePort, presenceEnv, ""))) {
                ServiceProcess p = new ServiceProcess(spec, logs);
                services.add(p);
                p.start(ProcessHandle.current().info().command().orElse("java"));
                if (!p.awaitReady(Duration.ofSeconds(60))) {
                    throw new IllegalStateException(spec.name() + " did not start:\n" + p.tail(40));
                }
            }
            Map<String, String> config = new LinkedHashMap<>();
            config.put("trtc.apps", APP + ":" + SECRET);
            config.put("turn.secret", TURN_SECRET);
            config.put("relay.public-host", "relay.test");
            config.put("signaling.max-messages-per-second", "20");
            config.put("usersig.url", usersigUrl);
            // A presence instance that is down (nothing listens on port 1) listed first: every
            // login in these tests works only if the client moves on to the next instance.
            config.put("presence.url", "http://127.0.0.1:1," + presenceUrl);
            config.put("quarkus.redis.hosts", redis.url());
            config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
            config.put("signaling.client", CLIENT);
            config.put("signaling.pod", "signaling-test-pod");
            config.put("signaling.resume-grace", "2s");
            config.put("mp.jwt.verify.publickey.location", usersigUrl + "/.well-known/jwks.json");
            return config;
        } catch (Exception e) {
            stop();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        for (ServiceProcess p : services) {
            try {
                p.stop(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        services.clear();
        if (redis != null) {
            redis.stop();
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
