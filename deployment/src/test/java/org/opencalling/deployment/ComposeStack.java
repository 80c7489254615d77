package org.opencalling.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * docker-compose.yml under one project name, run by podman-compose with the test's override:
 * its inputs prepared (the demo secrets plus a generated signing key, the local Kafka image's
 * context), its images built, its containers started, health-checked, killed and removed, and
 * what it costs measured along the way.
 */
final class ComposeStack {
    static final Path OVERRIDE = ServiceConfig.ROOT.resolve("deployment/src/test/containers/compose.test.yml");
    static final List<String> IMAGES = List.of("usersig-service", "presence-service", "signaling-service",
            "media-relay", "web-client");

    private final String project;
    private final Path target;
    private final Podman podman;
    private final Map<String, String> figures = new LinkedHashMap<>();

    ComposeStack(String project, Path target) {
        this.project = project;
        this.target = target;
        // What the Compose file interpolates: the demo as one machine's browsers reach it.
        this.podman = new Podman(Map.of(
                "RELAY_PUBLIC_HOST", "127.0.0.1",
                "RELAY_ALLOWED_PEER_CIDRS", "127.0.0.0/8",
                "USERSIG_DEMO_MODE", "true"));
    }

    /** The secrets (the marked demo examples and a fresh RSA key) and the Kafka image's context. */
    void prepare() throws Exception {
        Path secrets = ServiceConfig.ROOT.resolve("deployment/target/compose-secrets");
        Files.createDirectories(secrets);
        try (Stream<Path> examples = Files.list(ServiceConfig.ROOT.resolve("deploy/compose-secrets.example"))) {
            for (Path f : examples.filter(f -> !f.getFileName().toString().endsWith(".md")).toList()) {
                Files.copy(f, secrets.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path key = secrets.resolve("jwt_signing_key.pem");
        Files.writeString(key, pem);
        // As the example's README says: group 0, the containers' group, reads it; nobody else.
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Path kafka = ServiceConfig.ROOT.resolve("deployment/target/kafka-image");
        if (!Files.isDirectory(kafka.resolve("libs"))) {
            throw new IllegalStateException(kafka + "/libs is missing: the pre-integration-test phase copies the broker's jars");
        }
        Path files = ServiceConfig.ROOT.resolve("deployment/src/test/containers/kafka");
        try (Stream<Path> tree = Files.walk(files)) {
            for (Path f : tree.filter(Files::isRegularFile).toList()) {
                Path to = kafka.resolve(files.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        // A failed earlier run may have left the project up.
        down();
    }

    /** Every image of the file (the five services and the local Redis and Kafka), timed. */
    void buildImages() {
        long t0 = System.nanoTime();
        podman.ensureDebianBase(target);
        figures.put("base image (debootstrap when absent)", seconds(t0));
        long t1 = System.nanoTime();
        compose(Duration.ofMinutes(15), "build").orThrow(List.of("podman-compose", "build"));
        figures.put("building every image", seconds(t1));
        for (String image : IMAGES) {
            String size = podman.podman(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Size}}",
                    "opencalling/" + image + ":jvm").output().trim();
            figures.put("image " + image, String.format("%.0f MB", Long.parseLong(size) / 1e6));
        }
    }

    void up() {
        long t0 = System.nanoTime();
        compose(Duration.ofMinutes(5), "up", "-d").orThrow(List.of("podman-compose", "up", "-d"));
        figures.put("podman-compose up -d", seconds(t0));
    }

    String container(String service) {
        return project + "_" + service + "_1";
    }

    /**
     * Runs each container's own health check until it passes (Podman runs them on systemd timers,
     * which a CI container lacks, so the test runs them itself), and notes when each passed.
     */
    void awaitHealthy(List<String> services, Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        List<String> waiting = new ArrayList<>(services);
        while (!waiting.isEmpty()) {
            for (String s : List.copyOf(waiting)) {
                if (podman.podman(Duration.ofSeconds(30), "healthcheck", "run", container(s)).ok()) {
                    waiting.remove(s);
                    figures.putIfAbsent("healthy after up: " + s, seconds(t0));
                }
            }
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (String s : waiting) {
                    logs.append("\n--- ").append(s).append(" ---\n")
                            .append(Podman.tail(podman.podman(Duration.ofSeconds(30), "logs", container(s)).output()));
                }
                throw new AssertionError("not healthy after " + timeout + ": " + waiting + logs);
            }
            if (!waiting.isEmpty()) {
                Thread.sleep(1000);
            }
        }
    }

    int restartCount(String service) {
        return Integer.parseInt(podman.podman(Duration.ofSeconds(30), "inspect", "--format", "{{.RestartCount}}",
                container(service)).orThrow(List.of("podman", "inspect")).output().trim());
    }

    /** SIGKILL to the container's main process from the host, as a crash or an OOM kill. */
    void killProcess(String service) {
        String pid = podman.podman(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Pid}}", container(service))
                .orThrow(List.of("podman", "inspect")).output().trim();
        List<String> kill = List.of("kill", "-KILL", pid);
        podman.run(kill, Duration.ofSeconds(30)).orThrow(kill);
    }

    void awaitRestarted(String service, int before, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state = podman.podman(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Status}}", container(service))
                    .output().trim();
            if (restartCount(service) > before && state.equals("running")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(service + " was not restarted by its restart policy");
    }

    /** The sum of a metric's samples (all labels), read on the service's published port. */
    double metric(int port, String name) throws Exception {
        String body = metrics(port);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.E+-]+)").matcher(body);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** The non-zero samples of the metrics whose names start so, for a failure's message. */
    List<String> counters(String service, int port, String prefix) {
        try {
            return metrics(port).lines().filter(l -> l.startsWith(prefix) && !l.endsWith(" 0.0")).toList();
        } catch (Exception e) {
            return List.of(service + "'s metrics are unreadable: " + e);
        }
    }

    private static String metrics(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Start times (Quarkus' own "started in") and memory in use, into the figures. */
    void measure() {
        for (String s : IMAGES) {
            Matcher started = Pattern.compile("started in ([0-9.]+)s").matcher(
                    podman.podman(Duration.ofSeconds(30), "logs", container(s)).output());
            String last = null;
            while (started.find()) {
                last = started.group(1);
            }
            figures.put("started in: " + s, last + " s");
        }
        String stats = podman.podman(Duration.ofSeconds(60), "stats", "--no-stream", "--format",
                "{{.Name}} {{.MemUsage}}").output();
        for (String line : stats.split("\n")) {
            if (line.startsWith(project + "_")) {
                String[] parts = line.split(" ", 2);
                figures.put("memory in use: " + parts[0].substring(project.length() + 1).replaceAll("_1$", ""), parts[1]);
            }
        }
    }

    void writeFigures() {
        measure();
        StringBuilder out = new StringBuilder("ComposeIT figures (" + Runtime.getRuntime().availableProcessors() + " cores)\n");
        figures.forEach((k, v) -> out.append(String.format("  %-45s %s%n", k, v)));
        System.out.print(out);
        try {
            Files.writeString(target.resolve("compose-figures.txt"), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code down -v}, then the project's network: podman-compose 1.0 leaves it (docker compose
     * and later podman-compose remove it themselves).
     */
    void down() {
        compose(Duration.ofMinutes(3), "down", "-v").orThrow(List.of("podman-compose", "down", "-v"));
        for (String network : lines(podman.podman(Duration.ofSeconds(30), "network", "ls", "--filter",
                "label=io.podman.compose.project=" + project, "--format", "{{.Name}}"))) {
            podman.podman(Duration.ofSeconds(30), "network", "rm", network).orThrow(List.of("podman", "network", "rm", network));
        }
    }

    /** Anything of the project still there: containers, pods, networks, volumes. */
    List<String> leftovers() {
        List<String> left = new ArrayList<>();
        String label = "label=io.podman.compose.project=" + project;
        left.addAll(lines(podman.podman(Duration.ofSeconds(30), "ps", "-a", "--filter", label, "--format", "container {{.Names}}")));
        left.addAll(lines(podman.podman(Duration.ofSeconds(30), "pod", "ps", "--filter", "name=" + project, "--format", "pod {{.Name}}")));
        left.addAll(lines(podman.podman(Duration.ofSeconds(30), "network", "ls", "--filter", label, "--format", "network {{.Name}}")));
        left.addAll(lines(podman.podman(Duration.ofSeconds(30), "volume", "ls", "--filter", label, "--format", "volume {{.Name}}")));
        return left;
    }

    private static List<String> lines(Podman.Result r) {
        return r.output().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private Podman.Result compose(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("podman-compose", "-p", project,
                "-f", ServiceConfig.ROOT.resolve("docker-compose.yml").toString(), "-f", OVERRIDE.toString()));
        command.addAll(List.of(args));
        return podman.run(command, timeout);
    }

    private static String seconds(long since) {
        return String.format("%.1f s", (System.nanoTime() - since) / 1e9);
    }
}
