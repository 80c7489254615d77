package org.opencalling.usersigservice;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;

/**
 * Configuration as production has it: apps inline and from a file, backend clients, a signing
 * key and a previous key from PEM files. The keys stay readable to tests through the statics.
 */
public class UsersigTestResource implements QuarkusTestResourceLifecycleManager {
    public static final long APP = 1400000001L;
    public static final String SECRET = "test-secret-one-not-for-production";
    public static final long FILE_APP = 1400000002L;
    public static final String FILE_SECRET = "test-secret-two-from-file";

    public static KeyPair signing;
    public static KeyPair previous;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("usersig-test");
            if (signing == null) {
                signing = TestKeys.generate();
                previous = TestKeys.generate();
            }
            Path signingFile = TestKeys.write(dir, "signing.pem", TestKeys.privatePem(signing));
            Path previousFile = TestKeys.write(dir, "previous.pem", TestKeys.publicPem(previous));
            Path appsFile = TestKeys.write(dir, "apps", "# mounted secret\n" + FILE_APP + ":" + FILE_SECRET + "\n");
            Path clientsFile = TestKeys.write(dir, "clients", "ops:ops-secret:presence:read\n");
            return Map.of(
                    "trtc.apps", APP + ":" + SECRET,
                    "trtc.apps.file", appsFile.toString(),
                    "backend.clients", "issuer:issuer-secret:usersig:issue+calls:read,crm:crm-secret:calls:write,"
                            + "odd:a+b%20c${x}:calls:read",
                    "backend.clients.file", clientsFile.toString(),
                    "jwt.signing-key.file", signingFile.toString(),
                    "jwt.previous-key.file", previousFile.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
    }
}
