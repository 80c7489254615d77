package org.opencalling.presence;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.opencalling.testsupport.KafkaBroker;
import org.opencalling.testsupport.RedisServerProcess;

/**
 * A real redis-server and a real Kafka broker for the test run, and a token signing key whose
 * public half the service trusts (as it would trust usersig-service's JWKS).
 */
public class PresenceTestResource implements QuarkusTestResourceLifecycleManager {
    public static final String ISSUER = "opencalling-usersig";
    public static RedisServerProcess redis;
    public static KafkaBroker kafka;
    static KeyPair keys;

    @Override
    public Map<String, String> start() {
        redis = RedisServerProcess.startOnFreePort();
        kafka = KafkaBroker.start();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            keys = g.generateKeyPair();
            Path pem = Files.createTempFile("presence-test-key", ".pem");
            Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            return Map.of(
                    "quarkus.redis.hosts", redis.url(),
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "mp.jwt.verify.publickey.location", pem.toUri().toString(),
                    "presence.session-ttl", "2s",
                    "presence.sweep-interval", "200ms");
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    /** A backend token with these scopes, as usersig-service would issue it. */
    public static String token(String... scopes) {
        return Jwt.issuer(ISSUER).subject("test").groups(Set.of(scopes)).expiresIn(600).sign(keys.getPrivate());
    }

    public static String writer() {
        return token("presence:write");
    }

    public static String reader() {
        return token("presence:read");
    }
}
