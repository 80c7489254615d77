package org.opencalling.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A packaged Quarkus service running as a child process, its output in a log file. */
public final class ServiceProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    /**
     * JVM options for every service started here, from the system property
     * {@code opencalling.service.jvm-options} (space-separated): the test runs set
     * {@code -XX:TieredStopAtLevel=1}, since their services live a minute or two, mostly idle: a
     * cluster start took 15.5 CPU seconds instead of 22.7. Benchmarks leave it unset.
     */
    static final List<String> EXTRA_OPTIONS = java.util.Arrays.stream(
            System.getProperty("opencalling.service.jvm-options", "").trim().split("\\s+"))
            .filter(o -> !o.isEmpty()).toList();

    private final ServiceSpec spec;
    private final Path log;
    private Process process;

    public ServiceProcess(ServiceSpec spec, Path logDir) {
        this.spec = spec;
        this.log = logDir.resolve(spec.name() + ".log");
    }

    public ServiceSpec spec() {
        return spec;
    }

    public Path log() {
        return log;
    }

    public void start(String javaCommand) throws IOException {
        if (!Files.isRegularFile(spec.jar())) {
            throw new IllegalStateException(spec.name() + " is not built: " + spec.jar()
                    + " is missing (run ./run-local, which builds it, or ./mvnw package -DskipTests)");
        }
        List<String> command = new java.util.ArrayList<>();
        // Its own session: Ctrl-C reaches only the launcher, which then stops the services in
        // order, so a service never looks as if it died on its own while the cluster stops.
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.add(javaCommand);
        command.addAll(EXTRA_OPTIONS);
        // The build archives the classes each service loads at start (AppCDS); with the same JDK
        // it cuts start-up CPU, which matters when a restart competes with a loaded cluster. The
        // archive names the jar as the build ran it (quarkus-run.jar, relative), so the service
        // runs from its own directory, or the JVM ignores the archive without a word.
        // -Xshare:auto ignores an archive a different JDK made.
        Path app = spec.jar().toAbsolutePath();
        if (Files.isRegularFile(app.resolveSibling("app-cds.jsa"))) {
            command.addAll(List.of("-XX:SharedArchiveFile=app-cds.jsa", "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        command.addAll(List.of("-jar", app.getFileName().toString()));
        // A restart appends: what the first run logged (its shutdown included) stays readable.
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(app.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(process == null ? ProcessBuilder.Redirect.to(log.toAbsolutePath().toFile())
                        : ProcessBuilder.Redirect.appendTo(log.toAbsolutePath().toFile()));
        pb.environment().putAll(spec.env());
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(spec.port()));
        process = pb.start();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Polls the readiness endpoint until UP, the process dies, or the deadline passes. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spec.port() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                return false;
            }
            try {
                if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** SIGKILL: the process dies at once, with no shutdown of its own (a crashed pod). */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM (Quarkus shuts down gracefully), then SIGKILL if it lingers. */
    public void stop(Duration grace) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
