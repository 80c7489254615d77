package org.opencalling.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server on loopback, without persistence: the binary shipped inside the
 * embedded-redis artifact for this OS/arch, or {@code redis-server} from PATH. It can be
 * stopped and started again on the same port, to test outages.
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static Path binary;

    private final int port;
    private final Path logFile;
    /** Before the options: a config file (a sentinel needs one it can rewrite), or nothing. */
    private final List<String> leading;
    private final List<String> options;
    private Process process;

    private RedisServerProcess(int port) {
        this(port, List.of(), List.of("--save", "", "--appendonly", "no"));
    }

    private RedisServerProcess(int port, List<String> leading, List<String> options) {
        this.port = port;
        this.leading = leading;
        this.options = options;
        try {
            this.logFile = Files.createTempFile("redis-" + port + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RedisServerProcess startOnFreePort() {
        return start(FreePorts.next());
    }

    public static RedisServerProcess start(int port) {
        RedisServerProcess r = new RedisServerProcess(port);
        r.start();
        return r;
    }

    /** A replica of the server on {@code primaryPort} (no persistence either). */
    public static RedisServerProcess startReplicaOf(int port, int primaryPort) {
        RedisServerProcess r = new RedisServerProcess(port, List.of(),
                List.of("--save", "", "--appendonly", "no", "--replicaof", "127.0.0.1", Integer.toString(primaryPort)));
        r.start();
        return r;
    }

    /**
     * The same binary as a Sentinel watching {@code master} on {@code primaryPort}: it declares a
     * server down after {@code downAfterMillis} and fails over with a quorum of {@code quorum}.
     */
    public static RedisServerProcess startSentinel(int port, String master, int primaryPort, int quorum, long downAfterMillis) {
        try {
            Path conf = Files.createTempFile("sentinel-" + port + "-", ".conf");
            Files.writeString(conf, String.join("\n",
                    "sentinel monitor " + master + " 127.0.0.1 " + primaryPort + " " + quorum,
                    "sentinel down-after-milliseconds " + master + " " + downAfterMillis,
                    "sentinel failover-timeout " + master + " " + Math.max(3000, 3 * downAfterMillis),
                    "sentinel parallel-syncs " + master + " 1", ""));
            RedisServerProcess r = new RedisServerProcess(port, List.of(conf.toString(), "--sentinel"), List.of());
            r.start();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            List<String> command = new java.util.ArrayList<>();
            if (Files.isExecutable(SETSID)) {
                command.add(SETSID.toString()); // its own session: a terminal's Ctrl-C is for the owner to handle
            }
            command.add(binary().toString());
            command.addAll(leading);
            command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "no"));
            command.addAll(options);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        awaitListening(Duration.ofSeconds(20));
    }

    /** Stops the server (SIGTERM, SIGKILL after 10 s) and waits until it is gone. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** SIGKILL, as a crashed or OOM-killed server goes: no goodbye to its clients' sockets beyond the kernel's. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** SIGSTOP: the server hangs (as in a long GC-like stall or a frozen VM): connections stay open, nothing answers. */
    public synchronized void freeze() {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze}. */
    public synchronized void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill -" + name + " failed: " + rc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + tailOfLog());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        process.destroyForcibly(); // do not leave it behind
        throw new IllegalStateException("redis-server not listening on " + port + ": " + tailOfLog());
    }

    private String tailOfLog() {
        try {
            String s = Files.readString(logFile);
            return s.substring(Math.max(0, s.length() - 2000));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The shipped binary for this platform, unpacked once per JVM; else redis-server on PATH. */
    static synchronized Path binary() throws IOException {
        if (binary != null) {
            return binary;
        }
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String resource = null;
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            resource = "redis-server-6.2.6-v5-linux-amd64";
        } else if (os.contains("linux") && arch.equals("aarch64")) {
            resource = "redis-server-6.2.7-linux-arm64";
        } else if (os.contains("mac") && arch.equals("aarch64")) {
            resource = "redis-server-6.2.6-v5-darwin-arm64";
        } else if (os.contains("mac")) {
            resource = "redis-server-6.2.6-v5-darwin-amd64";
        }
        if (resource != null) {
            try (InputStream in = RedisServerProcess.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    Path dir = Files.createTempDirectory("opencalling-redis");
                    Path bin = dir.resolve("redis-server");
                    Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
                    bin.toFile().deleteOnExit();
                    dir.toFile().deleteOnExit();
                    binary = bin;
                    return binary;
                }
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) {
                binary = p;
                return binary;
            }
        }
        throw new IllegalStateException("no redis-server: neither the embedded-redis binary for "
                + os + "/" + arch + " nor redis-server on PATH");
    }
}
