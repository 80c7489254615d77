package org.opencalling.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is a valid Compose file (the Compose specification's JSON schema), and it
 * agrees with the services: every variable it sets is one the service reads, every port and
 * health check is the service's, secrets are mounted where the *_FILE variables point, the
 * relay publishes exactly the ports it serves and signaling hands out, and every service has its
 * Dockerfiles (non-root).
 */
class ComposeFileTest {
    static final List<String> SERVICES = List.of("usersig-service", "presence-service", "signaling-service",
            "media-relay", "web-client");
    static JsonNode compose;

    @BeforeAll
    static void read() {
        compose();
    }

    static synchronized JsonNode compose() {
        if (compose == null) {
            try {
                compose = new ObjectMapper(new YAMLFactory()).readTree(ServiceConfig.ROOT.resolve("docker-compose.yml").toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return compose;
    }

    @Test
    void isAValidComposeFile() throws Exception {
        JsonNode spec;
        try (InputStream in = ComposeFileTest.class.getResourceAsStream("/compose-spec.json")) {
            spec = new ObjectMapper().readTree(in);
        }
        // The specification names itself relatively ("compose_spec.json"); the validator wants an absolute $id.
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec).put("$id", "https://compose-spec.io/compose_spec.json");
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(spec);
        Collection<Error> errors = schema.validate(compose);
        assertTrue(errors.isEmpty(), "docker-compose.yml against the Compose specification:\n" + errors);
        // The check can fail: a service with an unknown key is refused.
        JsonNode broken = compose.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.get("services").get("redis")).put("imagee", "x");
        assertTrue(!schema.validate(broken).isEmpty(), "the schema check rejects an unknown key");
    }

    @Test
    void everyServiceRunsWithItsOwnVariablesPortsAndHealthChecks() {
        for (String name : SERVICES) {
            JsonNode s = compose.get("services").get(name);
            assertTrue(s != null, name + " is in docker-compose.yml");
            assertEquals("./" + name, s.get("build").get("context").asText(), name);
            ServiceConfig config = ServiceConfig.of(name);
            Set<String> unread = new TreeSet<>();
            s.get("environment").fieldNames().forEachRemaining(v -> {
                if (!config.reads(v)) {
                    unread.add(v);
                }
            });
            assertTrue(unread.isEmpty(), name + " is given variables it never reads: " + unread
                    + " (it reads " + config.variables + ")");
            int port = config.httpPort();
            List<String> ports = new ArrayList<>();
            s.get("ports").forEach(p -> ports.add(p.asText()));
            assertTrue(ports.contains(port + ":" + port) || ports.contains(port + ":" + port + "/tcp"),
                    name + " publishes its HTTP port " + port + ": " + ports);
            String health = s.get("healthcheck").get("test").toString();
            assertTrue(health.contains("http://localhost:" + port + "/q/health/ready"), name + ": " + health);
            // The images: a JVM and a native Dockerfile each, both run as a non-root user, exposing the port.
            for (String kind : List.of("Dockerfile.jvm", "Dockerfile.native")) {
                Path f = ServiceConfig.ROOT.resolve(name).resolve("src/main/docker").resolve(kind);
                assertTrue(Files.isRegularFile(f), f + " exists");
                String text = read(f);
                Matcher user = Pattern.compile("(?m)^USER (\\S+)\\s*$").matcher(text);
                String last = null;
                while (user.find()) {
                    last = user.group(1);
                }
                assertTrue(last != null && !last.equals("root") && !last.equals("0"), f + " runs as non-root: " + last);
                assertTrue(text.contains("EXPOSE " + port), f + " exposes " + port);
            }
        }
    }

    @Test
    void secretsAreMountedWhereTheFileVariablesPoint() {
        Set<String> declared = new TreeSet<>();
        compose.get("secrets").fieldNames().forEachRemaining(declared::add);
        for (String name : SERVICES) {
            JsonNode s = compose.get("services").get(name);
            Set<String> mounted = new TreeSet<>();
            if (s.has("secrets")) {
                s.get("secrets").forEach(x -> mounted.add(x.asText()));
            }
            assertTrue(declared.containsAll(mounted), name + " mounts undeclared secrets: " + mounted);
            s.get("environment").fields().forEachRemaining(e -> {
                if (e.getKey().endsWith("_FILE")) {
                    String path = e.getValue().asText();
                    assertTrue(path.startsWith("/run/secrets/") && mounted.contains(path.substring("/run/secrets/".length())),
                            name + ": " + e.getKey() + "=" + path + " is not a secret it mounts " + mounted);
                }
                assertTrue(!e.getKey().contains("SECRET") || e.getKey().endsWith("_FILE"),
                        name + ": " + e.getKey() + " must come from a file, not the compose file");
            });
        }
        // The demo example has every secret but the private key (generated, never shipped).
        for (String secret : declared) {
            String file = Path.of(compose.get("secrets").get(secret).get("file").asText()).getFileName().toString();
            Path example = ServiceConfig.ROOT.resolve("deploy/compose-secrets.example").resolve(file);
            assertEquals(!file.endsWith(".pem"), Files.isRegularFile(example), example.toString());
        }
    }

    @Test
    void theRelayPublishesExactlyWhatItServesAndSignalingHandsOut() {
        JsonNode relay = compose.get("services").get("media-relay");
        JsonNode signaling = compose.get("services").get("signaling-service");
        JsonNode env = relay.get("environment");
        for (String v : List.of("RELAY_UDP_PORTS", "RELAY_TCP_PORTS", "RELAY_PUBLIC_HOST")) {
            assertEquals(env.get(v).asText(), signaling.get("environment").get(v).asText(),
                    v + ": signaling hands out what the relay serves");
        }
        Map<String, String> published = new LinkedHashMap<>();
        relay.get("ports").forEach(p -> {
            String[] hostAndRest = p.asText().split(":");
            String[] portAndProto = hostAndRest[1].split("/");
            published.put(portAndProto[0] + "/" + (portAndProto.length > 1 ? portAndProto[1] : "tcp"), hostAndRest[0]);
        });
        for (String port : env.get("RELAY_UDP_PORTS").asText().split(",")) {
            assertEquals(port.trim(), published.get(port.trim() + "/udp"), "UDP " + port + " published as itself");
        }
        for (String port : env.get("RELAY_TCP_PORTS").asText().split(",")) {
            assertEquals(port.trim(), published.get(port.trim() + "/tcp"), "TCP " + port + " published as itself");
        }
        String range = env.get("RELAY_PORT_RANGE").asText();
        assertEquals(range, published.get(range + "/udp"), "the relayed range is published as itself");
        assertTrue(relay.get("cap_add").toString().contains("NET_BIND_SERVICE"), "443 and 843 need the capability");
        // Nothing else publishes a port the relay uses.
        compose.get("services").fields().forEachRemaining(e -> {
            if (!e.getKey().equals("media-relay") && e.getValue().has("ports")) {
                e.getValue().get("ports").forEach(p -> assertTrue(!published.containsKey(
                        p.asText().split(":")[1].contains("/") ? p.asText().split(":")[1] : p.asText().split(":")[1] + "/tcp"),
                        e.getKey() + " publishes " + p.asText() + ", which the relay uses"));
            }
        });
    }

    static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
