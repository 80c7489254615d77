package org.opencalling.localcluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.opencalling.testsupport.RedisServerProcess;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.ServiceSpec;

/**
 * Runs the whole cluster on one machine: each service as a child process in demo mode. Prints
 * what runs where, then waits; Ctrl-C (or SIGTERM) stops every process it started. If a service
 * dies, the rest are stopped too, so a half-running cluster is never mistaken for a working one.
 */
public final class LocalCluster {
    private final Path root;
    private final Options options;
    private final List<ServiceProcess> running = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile RedisServerProcess redis;
    /** A Redis the caller runs (a Sentinel set in tests): its REDIS_* variables; null for the embedded one. */
    private Map<String, String> externalRedis;

    public LocalCluster(Path root, Options options) {
        this.root = root;
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("run-local: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(Options.USAGE);
            return;
        }
        System.exit(new LocalCluster(findRoot(), options).run());
    }

    public int redisPort() {
        return 6379 + options.portOffset();
    }

    String redisUrl() {
        return "redis://127.0.0.1:" + redisPort();
    }

    /** The services use this Redis instead of starting the embedded one (its REDIS_URL and the like). */
    LocalCluster usingRedis(Map<String, String> env) {
        this.externalRedis = Map.copyOf(env);
        return this;
    }

    /** More environment for every instance of a module (tests: a lower SFU bitrate cap, say). */
    private final Map<String, Map<String, String>> extraEnv = new LinkedHashMap<>();

    LocalCluster withEnv(String module, Map<String, String> env) {
        extraEnv.merge(module, Map.copyOf(env), (a, b) -> {
            Map<String, String> both = new LinkedHashMap<>(a);
            both.putAll(b);
            return both;
        });
        return this;
    }

    private Map<String, String> redisEnv() {
        return externalRedis != null ? externalRedis : Map.of("REDIS_URL", redisUrl());
    }

    /** The services, in start order. */
    List<ServiceSpec> plan() {
        int o = options.portOffset();
        String usersigUrl = "http://localhost:" + (8090 + o);
        Map<String, String> usersigEnv = new LinkedHashMap<>();
        usersigEnv.put("TRTC_APPS", DemoDefaults.SDK_APP_ID + ":" + DemoDefaults.SECRET_KEY);
        usersigEnv.put("BACKEND_CLIENTS", DemoDefaults.BACKEND_CLIENT + ":" + DemoDefaults.BACKEND_SECRET + ":"
                + DemoDefaults.BACKEND_SCOPES + "," + DemoDefaults.SIGNALING_CLIENT + ":" + DemoDefaults.SIGNALING_SECRET
                + ":presence:write");
        usersigEnv.put("USERSIG_DEMO_MODE", "true");
        usersigEnv.put("JWT_ALLOW_GENERATED_KEY", "true");
        Map<String, String> presenceEnv = new LinkedHashMap<>();
        presenceEnv.putAll(redisEnv());
        presenceEnv.put("JWKS_URL", usersigUrl + "/.well-known/jwks.json");
        presenceEnv.put("KAFKA_BOOTSTRAP_SERVERS", options.kafka()); // "" (the default): events off
        Map<String, String> signalingEnv = new LinkedHashMap<>();
        signalingEnv.put("TRTC_APPS", usersigEnv.get("TRTC_APPS"));
        signalingEnv.put("TURN_SECRET", DemoDefaults.TURN_SECRET);
        RelayHost relayHost = relayHost();
        signalingEnv.put("RELAY_PUBLIC_HOST", relayHost.address());
        Map<String, String> relayEnv = new LinkedHashMap<>();
        relayEnv.put("TURN_SECRET", DemoDefaults.TURN_SECRET);
        relayEnv.put("RELAY_PUBLIC_HOST", relayHost.address());
        relayEnv.put("RELAY_BIND_ADDRESS", relayHost.address());
        // Demo only: the browsers are on this machine, their peers' addresses this one's or private.
        relayEnv.put("RELAY_ALLOWED_PEER_CIDRS", relayHost.allowedPeers());
        relayEnv.put("JWKS_URL", usersigUrl + "/.well-known/jwks.json"); // the admin API's tokens
        relayEnv.putAll(redisEnv()); // SFU rooms: signaling reaches the SFU through Redis
        signalingEnv.put("USERSIG_URL", usersigUrl);
        signalingEnv.put("JWKS_URL", usersigUrl + "/.well-known/jwks.json");
        signalingEnv.put("PRESENCE_URL", "http://localhost:" + (8092 + o));
        signalingEnv.putAll(redisEnv());
        signalingEnv.put("SIGNALING_CLIENT", DemoDefaults.SIGNALING_CLIENT + ":" + DemoDefaults.SIGNALING_SECRET);
        signalingEnv.put("POD_NAME", "signaling-local-1");
        signalingEnv.put("KAFKA_BOOTSTRAP_SERVERS", options.kafka());
        signalingEnv.put("SIGNALING_SFU", options.sfu());
        List<String> origins = new ArrayList<>(List.of("http://localhost:" + (8080 + o), "http://127.0.0.1:" + (8080 + o)));
        origins.addAll(options.allowedOrigins());
        signalingEnv.put("ALLOWED_ORIGINS", String.join(",", origins));
        int n = options.replicas();
        Map<String, String> webEnv = new LinkedHashMap<>();
        webEnv.put("SIGNALING_URL", String.join(",", java.util.stream.IntStream.range(0, n)
                .mapToObj(k -> "http://localhost:" + (8091 + o + REPLICA_STEP * k)).toList()));
        webEnv.put("USERSIG_URL", usersigUrl);
        webEnv.put("PRESENCE_URL", "http://localhost:" + (8092 + o));
        webEnv.put("DEMO_SDK_APP_ID", Long.toString(DemoDefaults.SDK_APP_ID));
        List<ServiceSpec> plan = new ArrayList<>();
        plan.add(new ServiceSpec("usersig-service", app("usersig-service"), 8090 + o, usersigEnv,
                "UserSigs (demo mode: anyone may get one), backend tokens, JWKS"));
        for (int k = 0; k < n; k++) {
            plan.add(new ServiceSpec(instance("presence-service", k, n), app("presence-service"),
                    8092 + o + REPLICA_STEP * k, presenceEnv, "who is online, single login (Redis); " + events()));
        }
        for (int k = 0; k < n; k++) {
            Map<String, String> env = new LinkedHashMap<>(relayEnv);
            env.put("RELAY_UDP_PORTS", relayUdpPorts(k));
            env.put("RELAY_TCP_PORTS", relayTcpPorts(k));
            env.put("SFU_NODE_NAME", "relay-local-" + (k + 1));
            plan.add(new ServiceSpec(instance("media-relay", k, n), app("media-relay"), 8093 + o + REPLICA_STEP * k, env,
                    "TURN and SFU node relay-local-" + (k + 1) + " at " + relayHost.address() + ", UDP " + relayUdpPorts(k) + " and TCP "
                            + relayTcpPorts(k) + " (ports below 1024 need privilege: skipped if not root, see its log)"));
        }
        for (int k = 0; k < n; k++) {
            Map<String, String> env = new LinkedHashMap<>(signalingEnv);
            env.put("POD_NAME", "signaling-local-" + (k + 1));
            // Its own presence instance first, then the others (a Service would hide one that is down).
            List<String> presence = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                presence.add("http://localhost:" + (8092 + o + REPLICA_STEP * ((k + j) % n)));
            }
            env.put("PRESENCE_URL", String.join(",", presence));
            env.put("RELAY_UDP_PORTS", relayUdpPorts(k)); // the TURN servers it hands out: its own relay instance
            env.put("RELAY_TCP_PORTS", relayTcpPorts(k));
            int port = 8091 + o + REPLICA_STEP * k;
            plan.add(new ServiceSpec(instance("signaling-service", k, n), app("signaling-service"), port, env,
                    "WebSocket ws://localhost:" + port + "/v1/signaling, REST /v1/calls; " + events()));
        }
        plan.add(new ServiceSpec("web-client", app("web-client"), 8080 + o, webEnv,
                "the demo: open http://localhost:" + (8080 + o) + "/ in two tabs; the SDK at /sdk/trtc-calling.js"
                        + (n > 1 ? " (browsers spread over the " + n + " signaling instances)" : "")));
        if (extraEnv.isEmpty()) {
            return plan;
        }
        List<ServiceSpec> withExtra = new ArrayList<>();
        for (ServiceSpec s : plan) {
            Map<String, String> env = new LinkedHashMap<>(s.env());
            env.putAll(extraEnv.getOrDefault(s.jar().getParent().getParent().getParent().getFileName().toString(), Map.of()));
            withExtra.add(new ServiceSpec(s.name(), s.jar(), s.port(), env, s.note()));
        }
        return withExtra;
    }

    private RelayHost resolvedRelayHost;

    /** Where the relay listens and what it advertises, resolved once ("auto": this machine's address). */
    synchronized RelayHost relayHost() {
        if (resolvedRelayHost == null) {
            resolvedRelayHost = RelayHost.of(options.relayHost());
        }
        return resolvedRelayHost;
    }

    private String events() {
        return options.kafka().isEmpty() ? "Kafka events off" : "events to Kafka " + options.kafka();
    }

    /** Where the services' logs go. */
    public Path logs() {
        return root.resolve(".local-run/logs");
    }

    /** The services this cluster runs, in start order (names, ports and environment). */
    public List<ServiceSpec> services() {
        return plan();
    }

    /**
     * Relay instance k's UDP ports: the seed's, moved by the offset and k port steps. Further
     * instances leave out the seed's privileged ones (843, 443): moved by steps of 100 they would
     * meet each other (443 + 400 = 843) and they bind only as root anyway.
     */
    String relayUdpPorts(int k) {
        int shift = options.portOffset() + REPLICA_STEP * k;
        return String.join(",", java.util.stream.Stream.of(8000, 8080, 8800, 843, 443, 16285)
                .filter(p -> k == 0 || p >= 1024).map(p -> Integer.toString(p + shift)).toList());
    }

    String relayTcpPorts(int k) {
        return Integer.toString(8687 + options.portOffset() + REPLICA_STEP * k);
    }

    /** Instance k of n is k ports-steps above the first (8091, 8191, 8291, ...). */
    static final int REPLICA_STEP = 100;

    private static String instance(String service, int k, int n) {
        return n == 1 ? service : service + "-" + (k + 1);
    }

    private Path app(String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    int run() throws Exception {
        int started = start();
        if (started != 0) {
            return started;
        }
        watch();
        stopped.await();
        return 0;
    }

    /** Starts everything and prints the table; 0 when all is ready (the browser tests use it too). */
    public int start() throws Exception {
        List<ServiceSpec> plan = plan();
        if (externalRedis == null && !portFree(redisPort())) {
            System.err.printf("run-local: port %d (Redis) is in use. Is another run-local or a redis-server "
                    + "running? Stop it, or pass --port-offset N.%n", redisPort());
            return 1;
        }
        for (ServiceSpec s : plan) {
            if (!portFree(s.port())) {
                System.err.printf("run-local: port %d (%s) is in use. Is another run-local running? "
                        + "Stop it, or pass --port-offset N.%n", s.port(), s.name());
                return 1;
            }
        }
        Path logs = logs();
        Files.createDirectories(logs);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "run-local-stop"));
        String java = ProcessHandle.current().info().command().orElse("java");

        System.out.println("Starting OpenCalling locally (demo mode; demo credentials, not for production)...");
        if (externalRedis == null) {
            redis = RedisServerProcess.start(redisPort());
        }
        for (ServiceSpec s : plan) {
            ServiceProcess p = new ServiceProcess(s, logs);
            synchronized (running) {
                running.add(p);
            }
            p.start(java);
            if (!p.awaitReady(Duration.ofSeconds(90))) {
                System.err.printf("run-local: %s did not become ready. Last lines of %s:%n%s%n",
                        s.name(), root.relativize(p.log()), p.tail(25));
                return 1; // the shutdown hook stops what did start
            }
        }
        printTable();
        return 0;
    }

    /** Stops one service (SIGTERM, as a rolling restart does) and starts it again; true when ready again. */
    public boolean restart(String name) throws Exception {
        stop(name);
        return start(name);
    }

    /** Stops one service as a rolling update does (SIGTERM, SIGKILL after 10 s). */
    public void stop(String name) throws InterruptedException {
        process(name).stop(Duration.ofSeconds(10));
    }

    /** Starts a stopped service again; true when ready. */
    public boolean start(String name) throws Exception {
        ServiceProcess p = process(name);
        p.start(ProcessHandle.current().info().command().orElse("java"));
        return p.awaitReady(Duration.ofSeconds(90));
    }

    /** Kills the embedded Redis (SIGKILL) and starts it again, empty, on the same port (tests). */
    public void restartRedisEmpty() {
        RedisServerProcess r = requireEmbeddedRedis();
        r.kill();
        r.start();
    }

    /** Kills one service outright (SIGKILL: a node that dies, with no chance to say so). */
    public void kill(String name) throws InterruptedException {
        process(name).kill();
    }

    private ServiceProcess process(String name) {
        synchronized (running) {
            return running.stream().filter(r -> r.spec().name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no service " + name));
        }
    }

    /** Freezes the embedded Redis (SIGSTOP): it keeps its connections and answers nothing until {@link #thawRedis()}. */
    public void freezeRedis() {
        requireEmbeddedRedis().freeze();
    }

    public void thawRedis() {
        requireEmbeddedRedis().thaw();
    }

    private RedisServerProcess requireEmbeddedRedis() {
        if (redis == null) {
            throw new IllegalStateException("no embedded Redis (an external one is in use)");
        }
        return redis;
    }

    /** The process id of a running service (for its /proc figures). */
    public long pid(String name) {
        return process(name).pid();
    }

    public boolean alive(String name) {
        return process(name).alive();
    }

    /** Stops everything started (reverse order, Redis last). */
    public void stop() {
        stopAll();
    }

    private void printTable() {
        StringBuilder b = new StringBuilder("\nOpenCalling is running:\n");
        if (redis != null) {
            b.append(String.format("  %-20s %-24s %s%n", "redis", redisUrl(),
                    "embedded redis-server, no persistence (pid " + redis.pid() + ")"));
        } else {
            b.append(String.format("  %-20s %s%n", "redis", externalRedis));
        }
        synchronized (running) {
            for (ServiceProcess p : running) {
                b.append(String.format("  %-20s %-24s %s%n", p.spec().name(), p.spec().url(), p.spec().note()));
                b.append(String.format("  %-20s %-24s log: %s (pid %d)%n", "", "", root.relativize(p.log()), p.pid()));
            }
        }
        int usersig = 8090 + options.portOffset();
        b.append("\nDemo application: SDKAppID ").append(DemoDefaults.SDK_APP_ID)
                .append(" (demo secret key, public: never use it in production)\n")
                .append("Get a UserSig:\n  curl -s -X POST http://localhost:").append(usersig)
                .append("/v1/usersig -H 'Content-Type: application/json' \\\n       -d '{\"sdkAppId\":")
                .append(DemoDefaults.SDK_APP_ID).append(",\"userId\":\"alice\"}'\n");
        if (!options.allowedOrigins().isEmpty()) {
            b.append("Pages of ").append(String.join(", ", options.allowedOrigins()))
                    .append(" may open the signaling socket too (new TRTCCalling({SDKAppID, server: 'http://localhost:")
                    .append(8080 + options.portOffset()).append("'})).\n");
        }
        b.append("\nThe relay and the SFU are at ").append(relayHost().address()).append(": ").append(relayHost().how())
                .append(".\n");
        b.append("\nPress Ctrl-C to stop everything.\n");
        System.out.print(b);
        System.out.flush();
    }

    /** Stops the cluster when any service exits on its own. */
    private void watch() {
        Thread t = new Thread(() -> {
            while (!stopping) {
                if (redis != null && !redis.alive() && !stopping) {
                    System.err.println("run-local: the embedded redis-server exited unexpectedly.");
                    System.exit(1);
                }
                synchronized (running) {
                    for (ServiceProcess p : running) {
                        if (!p.alive() && !stopping) {
                            System.err.printf("run-local: %s exited unexpectedly. Last lines of its log:%n%s%n",
                                    p.spec().name(), p.tail(25));
                            System.exit(1);
                        }
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "run-local-watch");
        t.setDaemon(true);
        t.start();
    }

    private void stopAll() {
        stopping = true;
        List<ServiceProcess> toStop;
        synchronized (running) {
            toStop = new ArrayList<>(running);
        }
        if (!toStop.isEmpty()) {
            System.out.println("\nStopping " + toStop.size() + " process(es)...");
        }
        // Reverse order: dependents before what they depend on.
        for (int i = toStop.size() - 1; i >= 0; i--) {
            try {
                toStop.get(i).stop(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (redis != null) {
            redis.stop(); // last: the services used it
        }
        if (!toStop.isEmpty()) {
            System.out.println("Stopped.");
        }
        stopped.countDown();
    }

    public static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The repository root: where {@code mvnw} is, found upwards from this jar or the working directory. */
    public static Path findRoot() throws Exception {
        Path jar = Path.of(LocalCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Path start : new Path[] {jar, Path.of("").toAbsolutePath()}) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.exists(p.resolve("mvnw")) && Files.exists(p.resolve("local-cluster"))) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("cannot find the repository root (the folder with mvnw)");
    }
}
