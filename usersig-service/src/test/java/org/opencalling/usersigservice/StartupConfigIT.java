package org.opencalling.usersigservice;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged service refuses bad configuration at start-up, with a message that names the
 * problem (and never echoes a secret), instead of failing on first use.
 */
class StartupConfigIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static Path dir;
    static Path key;

    @BeforeAll
    static void keys() throws IOException {
        dir = Files.createTempDirectory("usersig-it");
        key = TestKeys.write(dir, "signing.pem", TestKeys.privatePem(TestKeys.generate()));
    }

    record Run(int exit, String output) {
    }

    static Run start(Map<String, String> env) throws Exception {
        assertTrue(Files.exists(JAR), "package the service first: " + JAR.toAbsolutePath());
        Path log = Files.createTempFile(dir, "run", ".log");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("TRTC_") || k.startsWith("BACKEND_")
                || k.startsWith("JWT_") || k.startsWith("USERSIG_") || k.startsWith("QUARKUS_"));
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("service did not stop by itself:\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    static void assertRefused(Run run, String expected) {
        assertNotEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains(expected), "expected '" + expected + "' in:\n" + run.output());
    }

    @Test
    void noApplications() throws Exception {
        assertRefused(start(Map.of("JWT_SIGNING_KEY_FILE", key.toString())),
                "No application configured: set TRTC_APPS");
    }

    @Test
    void malformedApplications() throws Exception {
        Run run = start(Map.of("JWT_SIGNING_KEY_FILE", key.toString(), "TRTC_APPS", "1400000001:s3cr3tA,abc:s3cr3tB"));
        assertRefused(run, "TRTC_APPS entry 2: the SDKAppID (before the first ':') is not a number");
        assertFalse(run.output().contains("s3cr3t"), "a secret leaked into the log");
    }

    @Test
    void unreadableApplicationsFile() throws Exception {
        assertRefused(start(Map.of("JWT_SIGNING_KEY_FILE", key.toString(), "TRTC_APPS_FILE", "/nonexistent/apps")),
                "TRTC_APPS_FILE=/nonexistent/apps cannot be read");
    }

    @Test
    void noSigningKeyOutsideTheLocalRun() throws Exception {
        assertRefused(start(Map.of("TRTC_APPS", "1400000001:x")), "JWT_SIGNING_KEY_FILE is not set");
    }

    @Test
    void signingKeyNotAKey() throws Exception {
        Path junk = TestKeys.write(dir, "junk.pem", "hello");
        assertRefused(start(Map.of("TRTC_APPS", "1400000001:x", "JWT_SIGNING_KEY_FILE", junk.toString())),
                "JWT_SIGNING_KEY_FILE: expected a PEM block '-----BEGIN PRIVATE KEY-----'");
    }

    @Test
    void malformedBackendClients() throws Exception {
        Run run = start(Map.of("TRTC_APPS", "1400000001:x", "JWT_SIGNING_KEY_FILE", key.toString(),
                "BACKEND_CLIENTS", "crm:hunter2"));
        assertRefused(run, "BACKEND_CLIENTS entry 1: expected clientId:clientSecret:scopes");
        assertFalse(run.output().contains("hunter2"), "a secret leaked into the log");
    }
}
