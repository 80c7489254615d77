package org.opencalling.bench.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.opencalling.stun.StunAttribute;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunIntegrity;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.stun.XorAddress;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.ServiceSpec;

/**
 * media-relay against coturn (Debian's {@code turnserver}), one after the other in the same run,
 * on loopback with equivalent settings (UDP, TURN REST credentials from one secret, loopback
 * peers allowed, no TLS), driven by the same load generator: N UDP clients, each with an
 * allocation and a channel bound to an echo peer; ChannelData goes client → relay → peer →
 * relay → client, so every message is relayed twice.
 * <ol>
 *   <li>latency at a moderate open-loop rate (after a warm-up at that rate): round trip p50/p99
 *   and loss;</li>
 *   <li>a rate sweep up to saturation: relayed packets/s (both directions), loss, and the relay
 *   process's CPU seconds per million relayed packets (utime+stime from /proc);</li>
 *   <li>the relay's RSS before and after 1,000 more allocations (each with a channel).</li>
 * </ol>
 * <pre>java -cp bench/target/benchmarks.jar org.opencalling.bench.relay.RelayLoad
 *     [--rates 10000,20000,40000,80000] [--seconds 5] [--clients 100] [--moderate 5000]
 *     [--moderate-seconds 10] [--size 200] [--rss-allocations 1000] [--only ours|coturn]
 *     [--relay-jvm-opts "-Xmx512m"] [--relay-threads N]</pre>
 */
public final class RelayLoad {
    public static final String SECRET = "bench-turn-secret-not-for-production";
    public static final String REALM = "opencalling";
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final int CHANNEL = 0x4000;

    private RelayLoad() {
    }

    /** A relay under test: its process and its client-facing UDP port. */
    public interface Relay extends AutoCloseable {
        String name();

        long pid();

        int port();

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = org.opencalling.bench.Args.parse(args);
        int[] rates = Arrays.stream(opt.getOrDefault("rates", "10000,20000,40000,80000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "5"));
        int clients = Integer.parseInt(opt.getOrDefault("clients", "100"));
        int moderate = Integer.parseInt(opt.getOrDefault("moderate", "5000"));
        int moderateSeconds = Integer.parseInt(opt.getOrDefault("moderate-seconds", "10"));
        int size = Integer.parseInt(opt.getOrDefault("size", "200"));
        int rssAllocations = Integer.parseInt(opt.getOrDefault("rss-allocations", "1000"));
        String only = opt.get("only");
        Path work = Files.createTempDirectory("relay-bench");
        System.out.printf("machine: %d cores, %s %s, java %s; all on loopback%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"));
        System.out.printf("load: %d clients, %d-byte payloads, moderate rate %d msg/s for %d s, sweep %s msg/s for %d s each%n",
                clients, size, moderate, moderateSeconds, Arrays.toString(rates), seconds);
        List<Result> results = new ArrayList<>();
        for (String which : List.of("coturn", "media-relay")) {
            if (only != null && !which.startsWith(only) && !(only.equals("ours") && which.equals("media-relay"))) {
                continue;
            }
            try (Relay relay = which.equals("coturn") ? coturn(work) : ours(work, opt.get("relay-jvm-opts"), opt.get("relay-threads"))) {
                results.add(measure(relay, rates, seconds, clients, moderate, moderateSeconds, size, rssAllocations));
            }
        }
        System.out.println();
        System.out.println("| relay | saturation relayed pkt/s | loss there | p50 µs | p99 µs | loss (moderate) | CPU s / M pkts | RSS idle MiB | RSS +" + rssAllocations + " allocations MiB |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf("| %s | %,.0f | %.2f%% | %d | %d | %.3f%% | %.2f | %.1f | %.1f |%n", r.name, r.saturation,
                    100 * r.saturationLoss, r.p50 / 1000, r.p99 / 1000, 100 * r.moderateLoss, r.cpuPerMillion,
                    r.rssBefore / 1048576.0, r.rssAfter / 1048576.0);
        }
        if (results.size() == 2) {
            Result c = results.get(0);
            Result o = results.get(1);
            System.out.printf("%nmedia-relay / coturn: saturation %.2f, p50 %.2f, p99 %.2f, CPU per packet %.2f, RSS with allocations %.2f%n",
                    o.saturation / c.saturation, (double) o.p50 / c.p50, (double) o.p99 / c.p99,
                    o.cpuPerMillion / c.cpuPerMillion, (double) o.rssAfter / c.rssAfter);
        }
    }

    record Result(String name, double saturation, double saturationLoss, long p50, long p99, double moderateLoss,
                  double cpuPerMillion, long rssBefore, long rssAfter) {
    }

    static Result measure(Relay relay, int[] rates, int seconds, int clients, int moderate, int moderateSeconds, int size,
                          int rssAllocations) throws Exception {
        System.out.printf("%n== %s (pid %d, UDP %d)%n", relay.name(), relay.pid(), relay.port());
        InetSocketAddress server = new InetSocketAddress(LOOPBACK, relay.port());
        try (Load load = new Load(server, clients, size, "load")) {
            load.step(moderate, Math.min(5, moderateSeconds), false); // warm-up (the JIT, coturn's caches)
            Step m = load.step(moderate, moderateSeconds, true);
            System.out.printf("moderate %d msg/s: sent %d, back %d, loss %.3f%%, rtt p50 %d µs p99 %d µs%n", moderate,
                    m.sent, m.back, 100 * m.loss(), m.p50 / 1000, m.p99 / 1000);
            double best = 0;
            double bestLoss = 0;
            double cpuPerMillion = 0;
            for (int rate : rates) {
                long cpu0 = cpuTicks(relay.pid());
                Step s = load.step(rate, seconds, false);
                long cpu1 = cpuTicks(relay.pid());
                double relayedPerSecond = (double) s.relayed / seconds;
                double cpu = (cpu1 - cpu0) / 100.0;
                System.out.printf("offered %,d msg/s: sent %,d (not sent: %,d), relayed %,.0f pkt/s, loss %.2f%%, relay CPU %.2f s (%.2f s per M pkts)%n",
                        rate, s.sent, s.unsent, relayedPerSecond, 100 * s.loss(), cpu, cpu / (s.relayed / 1e6));
                if (relayedPerSecond > best) {
                    best = relayedPerSecond;
                    bestLoss = s.loss();
                    cpuPerMillion = cpu / (s.relayed / 1e6);
                }
            }
            long before = rss(relay.pid());
            try (Load many = new Load(server, rssAllocations, size, "rss")) {
                long after = rss(relay.pid());
                System.out.printf("RSS %.1f MiB; with %d more allocations (each with a channel) %.1f MiB%n",
                        before / 1048576.0, many.clients.size(), after / 1048576.0);
                return new Result(relay.name(), best, bestLoss, m.p50, m.p99, m.loss(), cpuPerMillion, before, after);
            }
        }
    }

    /**
     * A TURN relay's CPU (seconds) per million packets it relayed at this steady rate of
     * {@code size}-byte messages (each relayed twice: to the echo peer and back), and the loss:
     * the reference for other media paths' cost per packet in the same run.
     */
    public static double[] cpuPerMillionRelayed(Relay relay, int rate, int seconds, int clients, int size) throws Exception {
        try (Load load = new Load(new InetSocketAddress(LOOPBACK, relay.port()), clients, size, "ref")) {
            load.step(rate, Math.min(5, seconds), false); // warm-up
            long cpu0 = cpuTicks(relay.pid());
            Step s = load.step(rate, seconds, false);
            long cpu1 = cpuTicks(relay.pid());
            return new double[] {(cpu1 - cpu0) / 100.0 / (s.relayed / 1e6), s.loss(), (double) s.relayed / seconds};
        }
    }

    /** What one step did: messages sent, echoes back, packets the relay relayed (both ways), latency. */
    record Step(long sent, long unsent, long back, long relayed, long p50, long p99) {
        double loss() {
            return sent == 0 ? 0 : 1 - (double) back / sent;
        }
    }

    /**
     * The load generator: clients with an allocation and a channel to the echo peer each; a paced
     * open-loop sender (this thread), one receiver for all clients, one echo peer.
     */
    static final class Load implements AutoCloseable {
        final List<DatagramChannel> clients = new ArrayList<>();
        final InetSocketAddress server;
        final int size;
        final DatagramChannel peer;
        final Selector selector;
        final Thread receiver;
        final Thread echo;
        volatile boolean running = true;
        volatile int stepId;
        volatile long back;
        volatile long peerGot;
        volatile long[] rtts;
        volatile int rttCount;

        Load(InetSocketAddress server, int n, int size, String user) throws Exception {
            this.server = server;
            this.size = size;
            peer = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(LOOPBACK, 0));
            peer.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalAddress();
            TurnCredentials credentials = new TurnCredentials(SECRET);
            long now = System.currentTimeMillis() / 1000;
            for (int i = 0; i < n; i++) {
                DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(LOOPBACK, 0));
                c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
                clients.add(c);
                setUp(c, credentials.mint(1_400_000_000L, user + "-" + i, 3600, now), peerAddress);
            }
            selector = Selector.open();
            for (DatagramChannel c : clients) {
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ);
            }
            receiver = new Thread(this::receive, "bench-receiver");
            echo = new Thread(this::echo, "bench-echo-peer");
            receiver.start();
            echo.start();
        }

        /** Allocate (after the 401 that gives the nonce), then bind the channel to the peer. */
        void setUp(DatagramChannel c, TurnCredentials.Credential cred, InetSocketAddress peerAddress) throws IOException {
            StunMessage challenge = exchange(c, StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)).encode());
            String nonce = challenge.get(StunTypes.NONCE).orElseThrow(() -> new IOException("no nonce: " + challenge)).asText();
            String realm = challenge.get(StunTypes.REALM).orElseThrow().asText();
            byte[] key = StunIntegrity.longTermKey(cred.username(), realm, cred.password());
            StunMessage ok = exchange(c, auth(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)), cred, realm, nonce, key));
            if (ok.messageClass() != StunTypes.SUCCESS) {
                throw new IOException("Allocate refused: " + ok.get(StunTypes.ERROR_CODE)
                        .map(a -> org.opencalling.stun.ErrorCode.decode(a.value()).toString()).orElse(ok.toString()));
            }
            byte[] bindTid = tid();
            StunMessage bound = exchange(c, auth(StunEncoder.message(StunTypes.CHANNEL_BIND, StunTypes.REQUEST, bindTid)
                    .add(StunTypes.CHANNEL_NUMBER, new byte[] {(byte) (CHANNEL >> 8), 0, 0, 0})
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peerAddress, bindTid)), cred, realm, nonce, key));
            if (bound.messageClass() != StunTypes.SUCCESS) {
                throw new IOException("ChannelBind refused: " + bound.get(StunTypes.ERROR_CODE)
                        .map(a -> org.opencalling.stun.ErrorCode.decode(a.value()).toString()).orElse(bound.toString()));
            }
        }

        static byte[] auth(StunEncoder e, TurnCredentials.Credential cred, String realm, String nonce, byte[] key) {
            return e.add(StunAttribute.text(StunTypes.USERNAME, cred.username()))
                    .add(StunAttribute.text(StunTypes.REALM, realm))
                    .add(StunAttribute.text(StunTypes.NONCE, nonce)).integrity(key).fingerprint().encode();
        }

        /** A request and its answer (blocking, with retransmissions: loopback rarely loses, but may). */
        StunMessage exchange(DatagramChannel c, byte[] request) throws IOException {
            ByteBuffer in = ByteBuffer.allocate(2048);
            c.socket().setSoTimeout(1000);
            for (int attempt = 0; attempt < 5; attempt++) {
                c.send(ByteBuffer.wrap(request), server);
                try {
                    in.clear();
                    java.net.DatagramPacket p = new java.net.DatagramPacket(in.array(), in.capacity());
                    c.socket().receive(p);
                    StunDecoder.Result r = new StunDecoder().decode(in.array(), 0, p.getLength());
                    if (r.ok()) {
                        return r.message();
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // again
                }
            }
            throw new IOException("no answer from " + server);
        }

        static byte[] tid() {
            byte[] t = new byte[12];
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(t);
            return t;
        }

        /** Sends at {@code rate} messages/s for {@code seconds}, round robin over the clients; then drains. */
        Step step(int rate, int seconds, boolean latency) throws Exception {
            long total = (long) rate * seconds;
            int id = ++stepId; // first: a late echo of the last step no longer counts
            rtts = latency ? new long[(int) Math.min(total, 50_000_000)] : null;
            rttCount = 0;
            back = 0;
            peerGot = 0;
            ByteBuffer frame = ByteBuffer.allocateDirect(4 + size);
            frame.putShort((short) CHANNEL).putShort((short) size);
            long sent = 0;
            long unsent = 0;
            long start = System.nanoTime();
            double interval = 1e9 / rate;
            for (long i = 0; i < total; i++) {
                long due = start + (long) (i * interval);
                long now = System.nanoTime();
                if (due - now > 50_000) {
                    LockSupport.parkNanos(due - now);
                }
                frame.clear();
                frame.putLong(4, System.nanoTime()).putInt(12, id);
                frame.position(0).limit(4 + size);
                if (clients.get((int) (i % clients.size())).send(frame, server) > 0) {
                    sent++;
                } else {
                    unsent++; // the socket's buffer is full: the generator, not the relay, is behind
                }
            }
            Thread.sleep(1000); // the last echoes come back
            long[] r = rtts;
            int n = rttCount;
            long p50 = 0;
            long p99 = 0;
            if (r != null && n > 0) {
                long[] sorted = Arrays.copyOf(r, n);
                Arrays.sort(sorted);
                p50 = sorted[(int) (n * 0.50)];
                p99 = sorted[Math.min(n - 1, (int) (n * 0.99))];
            }
            return new Step(sent, unsent, back, back + peerGot, p50, p99);
        }

        void receive() {
            ByteBuffer in = ByteBuffer.allocateDirect(65536);
            while (running) {
                try {
                    selector.select(200);
                    for (SelectionKey k : selector.selectedKeys()) {
                        DatagramChannel c = (DatagramChannel) k.channel();
                        for (int i = 0; i < 64; i++) {
                            in.clear();
                            if (c.receive(in) == null) {
                                break;
                            }
                            if (in.position() < 16 || (in.getShort(0) & 0xFFFF) != CHANNEL || in.getInt(12) != stepId) {
                                continue;
                            }
                            back++;
                            long[] r = rtts;
                            if (r != null && rttCount < r.length) {
                                r[rttCount] = System.nanoTime() - in.getLong(4);
                                rttCount++;
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                } catch (IOException e) {
                    if (running) {
                        System.err.println("receiver: " + e);
                    }
                }
            }
        }

        void echo() {
            ByteBuffer in = ByteBuffer.allocateDirect(65536);
            while (running) {
                try {
                    in.clear();
                    java.net.SocketAddress from = peer.receive(in);
                    in.flip();
                    if (in.remaining() >= 12 && in.getInt(8) == stepId) {
                        peerGot++;
                    }
                    peer.send(in, from);
                } catch (IOException e) {
                    if (running) {
                        System.err.println("echo peer: " + e);
                    }
                }
            }
        }

        @Override
        public void close() throws Exception {
            running = false;
            selector.wakeup();
            peer.close();
            receiver.join(2000);
            echo.join(2000);
            selector.close();
            for (DatagramChannel c : clients) {
                c.close();
            }
        }
    }

    /** utime + stime of a process, in clock ticks (100 per second here). */
    public static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    public static Relay coturn(Path work) throws Exception {
        int port = freeUdpPort();
        Path dir = Files.createDirectories(work.resolve("coturn"));
        List<String> cmd = List.of("/usr/bin/turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
                "--listening-port=" + port, "--use-auth-secret", "--static-auth-secret=" + SECRET, "--realm=" + REALM,
                "--min-port=49160", "--max-port=65000", "--no-tls", "--no-dtls", "--allow-loopback-peers", "--no-cli",
                "--userdb=" + dir.resolve("turndb"), "--pidfile=" + dir.resolve("turn.pid"),
                "--log-file=" + dir.resolve("turn.log"), "--simple-log", "--total-quota=0", "--user-quota=0");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        awaitStun(port, p::isAlive, dir.resolve("turn.log"));
        return new Relay() {
            public String name() {
                return "coturn " + version();
            }

            public long pid() {
                return p.pid();
            }

            public int port() {
                return port;
            }

            public void close() throws Exception {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        };
    }

    static String version() {
        try {
            Process v = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "coturn").start();
            return new String(v.getInputStream().readAllBytes()).trim();
        } catch (IOException e) {
            return "";
        }
    }

    static Relay ours(Path work, String jvmOpts, String threads) throws Exception {
        return ours(work, jvmOpts, threads, Map.of());
    }

    /** Our relay as a process, with more environment (say, REDIS_URL for its SFU). */
    public static Relay ours(Path work, String jvmOpts, String threads, Map<String, String> moreEnv) throws Exception {
        int port = freeUdpPort();
        int http = FreePorts.next();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TURN_SECRET", SECRET);
        env.put("TURN_REALM", REALM);
        env.put("RELAY_BIND_ADDRESS", "127.0.0.1");
        env.put("RELAY_PUBLIC_HOST", "127.0.0.1");
        env.put("RELAY_UDP_PORTS", Integer.toString(port));
        env.put("RELAY_TCP_PORTS", Integer.toString(FreePorts.next()));
        env.put("RELAY_PORT_RANGE", "49160-65000");
        env.put("RELAY_ALLOWED_PEER_CIDRS", "127.0.0.0/8");
        env.put("RELAY_MAX_ALLOCATIONS", "100000");
        if (jvmOpts != null) {
            env.put("JAVA_TOOL_OPTIONS", jvmOpts);
        }
        if (threads != null) {
            env.put("RELAY_THREADS", threads);
        }
        env.putAll(moreEnv);
        ServiceProcess p = new ServiceProcess(new ServiceSpec("media-relay",
                Path.of("media-relay/target/quarkus-app/quarkus-run.jar"), http, env, ""), work);
        p.start(ProcessHandle.current().info().command().orElse("java"));
        if (!p.awaitReady(Duration.ofSeconds(60))) {
            throw new IllegalStateException("media-relay did not start:\n" + p.tail(40));
        }
        return new Relay() {
            public String name() {
                return "media-relay" + (threads == null ? "" : " threads=" + threads) + (jvmOpts == null ? "" : " (" + jvmOpts + ")");
            }

            public long pid() {
                return p.pid();
            }

            public int port() {
                return port;
            }

            public void close() throws Exception {
                p.stop(Duration.ofSeconds(10));
            }
        };
    }

    static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** Waits until the relay answers a STUN Binding on its port. */
    static void awaitStun(int port, java.util.function.BooleanSupplier alive, Path log) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, LOOPBACK)) {
            s.setSoTimeout(200);
            byte[] req = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, Load.tid()).encode();
            while (System.nanoTime() < until && alive.getAsBoolean()) {
                s.send(new java.net.DatagramPacket(req, req.length, LOOPBACK, port));
                try {
                    s.receive(new java.net.DatagramPacket(new byte[512], 512));
                    return;
                } catch (java.net.SocketTimeoutException e) {
                    // not yet
                }
            }
        }
        throw new IllegalStateException("the relay did not answer on " + port + ": "
                + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }
}
