package org.opencalling.relay.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.allocation.PortPool;
import org.opencalling.relay.auth.StatelessNonce;
import org.opencalling.relay.net.RelayServer;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.TurnCredentials;

/**
 * The relay as a service: reads the configuration, binds each configured port on its own (one
 * that cannot be bound is reported and the rest are served), and exports the handler's counts
 * as metrics.
 */
@Singleton
public class RelayService {
    private static final Logger LOG = Logger.getLogger(RelayService.class);

    @ConfigProperty(name = "turn.realm")
    String realm;

    @ConfigProperty(name = "relay.public-host")
    String publicHost;

    /** Set (to spec.nodeName) on Kubernetes: advertise that node's ExternalIP, else its InternalIP. */
    @ConfigProperty(name = "relay.public-host-node")
    Optional<String> publicHostNode;

    @ConfigProperty(name = "relay.bind-address")
    String bindAddress;

    @ConfigProperty(name = "relay.udp-ports")
    List<Integer> udpPorts;

    @ConfigProperty(name = "relay.tcp-ports")
    List<Integer> tcpPorts;

    @ConfigProperty(name = "relay.port-range")
    String portRange;

    @ConfigProperty(name = "relay.max-allocations-per-user")
    int maxPerUser;

    @ConfigProperty(name = "relay.max-allocations")
    int maxTotal;

    @ConfigProperty(name = "relay.max-bitrate-kbps")
    long maxBitrateKbps;

    @ConfigProperty(name = "relay.threads")
    int threads;

    @ConfigProperty(name = "relay.allowed-peer-cidrs")
    Optional<String> allowedPeerCidrs;

    @Inject
    MeterRegistry registry;

    private RelayServer server;
    private Allocations allocations;
    private TurnHandler handler;
    private java.util.concurrent.ScheduledExecutorService exporter;
    private org.opencalling.relay.sfu.Sfu sfu;
    private java.util.concurrent.ExecutorService dtls;

    /** At most this many DTLS handshakes at once (the rest wait their turn). */
    @ConfigProperty(name = "relay.sfu.dtls-threads", defaultValue = "16")
    int sfuDtlsThreads;

    /** The SFU on the same UDP ports (group calls); off: TURN only. */
    @ConfigProperty(name = "relay.sfu.enabled", defaultValue = "true")
    boolean sfuEnabled;

    /** The video bitrate the SFU lets each sender ramp up to (REMB), in kbit/s. */
    @ConfigProperty(name = "relay.sfu.max-video-kbps", defaultValue = "1500")
    long sfuMaxVideoKbps;
    private final java.util.Set<String> exported = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The handler counts rare events by name; each becomes a counter as soon as it first occurs:
     * {@code auth.challenge} → relay_auth_challenges_total, {@code auth.failed.<reason>} →
     * relay_auth_failures_total{reason}, {@code refused.<reason>} → relay_refusals_total{reason},
     * {@code dropped.<reason>} → relay_dropped_total{reason}.
     */
    void exportCounters() {
        try {
            handler.counters().forEach(this::export);
        } catch (RuntimeException e) {
            // A failure must not cancel the schedule (later names would never be exported).
            LOG.warnf("exporting relay counters: %s", e.toString());
        }
    }

    private void export(String name, java.util.concurrent.atomic.AtomicLong value) {
        {
            if (exported.contains(name)) {
                return;
            }
            String metric;
            String reason = null;
            if (name.startsWith("auth.failed.")) {
                metric = "relay.auth.failures";
                reason = name.substring("auth.failed.".length());
            } else if (name.startsWith("refused.")) {
                metric = "relay.refusals";
                reason = name.substring("refused.".length());
            } else if (name.startsWith("dropped.")) {
                metric = "relay.dropped";
                reason = name.substring("dropped.".length());
            } else if (name.equals("auth.challenge")) {
                metric = "relay.auth.challenges";
            } else {
                metric = "relay.events";
                reason = name;
            }
            var b = io.micrometer.core.instrument.FunctionCounter.builder(metric, value,
                    java.util.concurrent.atomic.AtomicLong::get);
            if (reason != null) {
                b.tag("reason", reason);
            }
            b.register(registry);
            exported.add(name);
        }
    }

    private void registerTraffic() {
        for (String direction : List.of("to-peer", "to-client")) {
            boolean toPeer = direction.equals("to-peer");
            io.micrometer.core.instrument.FunctionCounter.builder("relay.packets", handler,
                    h -> toPeer ? h.relayed().packetsToPeer() : h.relayed().packetsToClient())
                    .tag("direction", direction).register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("relay.bytes", handler,
                    h -> toPeer ? h.relayed().bytesToPeer() : h.relayed().bytesToClient())
                    .tag("direction", direction).baseUnit("bytes").register(registry);
        }
        io.micrometer.core.instrument.FunctionCounter.builder("relay.dropped", handler,
                h -> h.relayed().droppedOverCap()).tag("reason", "bandwidth-cap").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("relay.send.failures", server,
                RelayServer::sendFailures).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("relay.allocations.created", allocations,
                Allocations::created).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("relay.ports.busy", allocations,
                Allocations::busyPorts).description("relayed ports found held by another process").register(registry);
        for (Allocations.End end : Allocations.End.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("relay.allocations.ended", allocations,
                    a -> a.ended(end)).tag("reason", end.label).register(registry);
        }
    }

    void start(@Observes StartupEvent e) throws IOException, InterruptedException {
        if (publicHostNode.isPresent() && !publicHostNode.get().isBlank()) {
            try {
                publicHost = NodeAddress.ofNode(publicHostNode.get().trim());
            } catch (IOException bad) {
                throw new IllegalStateException("RELAY_PUBLIC_HOST_NODE=" + publicHostNode.get()
                        + ": cannot find the node's address: " + bad.getMessage(), bad);
            }
            LOG.infof("media-relay: node %s is reached at %s", publicHostNode.get(), publicHost);
        }
        Optional<String> secret = org.opencalling.service.ConfigFiles.secret("turn.secret", "TURN_SECRET");
        if (secret.isEmpty()) {
            throw new IllegalStateException("TURN_SECRET (or TURN_SECRET_FILE) is required: the secret shared with signaling-service");
        }
        String[] range = portRange.split("-");
        if (range.length != 2) {
            throw new IllegalStateException("RELAY_PORT_RANGE must be min-max, e.g. 49152-65535: " + portRange);
        }
        if (maxBitrateKbps < 0) {
            throw new IllegalStateException("RELAY_MAX_BITRATE_KBPS must be 0 (no cap) or more: " + maxBitrateKbps);
        }
        allocations = new Allocations(Allocations.Limits.standard(maxPerUser, maxTotal)
                .withMaxBytesPerSecond(maxBitrateKbps * 1000 / 8),
                new PortPool(Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim())));
        PeerPolicy peers;
        try {
            peers = PeerPolicy.allowing(allowedPeerCidrs.orElse(""));
        } catch (IllegalArgumentException bad) {
            throw new IllegalStateException("RELAY_ALLOWED_PEER_CIDRS: " + bad.getMessage());
        }
        handler = new TurnHandler(allocations, peers, StatelessNonce.withRandomKey(600_000),
                new TurnCredentials(secret.get()), realm, InetAddress.getByName(publicHost));
        server = new RelayServer(handler, allocations, InetAddress.getByName(bindAddress), udpPorts, tcpPorts,
                System::currentTimeMillis, threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        server.unbound().forEach(p -> LOG.warnf("media-relay cannot bind %s; serving the other ports", p));
        registry.gauge("relay.allocations.active", allocations, Allocations::size);
        registerTraffic();
        exporter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-metrics");
            t.setDaemon(true);
            return t;
        });
        exporter.scheduleWithFixedDelay(this::exportCounters, 0, 2, java.util.concurrent.TimeUnit.SECONDS);
        if (sfuEnabled) {
            startSfu();
        }
        LOG.infof("media-relay: TURN on UDP %s and TCP %s (%s), %d threads, relayed ports %s, advertised as %s%s",
                server.udpPorts(), server.tcpPorts(), bindAddress, server.threads(), portRange, publicHost,
                server.unbound().isEmpty() ? "" : "; NOT bound: " + server.unbound());
    }

    private void startSfu() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        // DTLS handshakes block a thread for a few round trips each (at most their 10 s timeout);
        // afterwards no thread is kept, and idle threads go after 30 s. Sized for bursts: a room
        // moved from a dead node brings all its members' handshakes at once.
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(sfuDtlsThreads,
                sfuDtlsThreads, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sfu-dtls-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        dtls = pool;
        sfu = new org.opencalling.relay.sfu.Sfu(new org.opencalling.relay.sfu.Sfu.Config(publicHost, server.udpPorts(),
                sfuMaxVideoKbps * 1000, 30_000), org.opencalling.relay.sfu.dtls.DtlsIdentity.generate(), dtls,
                server::sendUdp, System::currentTimeMillis);
        server.attach(sfu);
        handler.sfuPorts(java.util.Set.copyOf(server.udpPorts()));
        exporter.scheduleWithFixedDelay(() -> {
            try {
                sfu.tick();
            } catch (RuntimeException ex) {
                LOG.debugf("SFU tick: %s", ex.toString());
            }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        registry.gauge("relay.sfu.rooms", sfu, org.opencalling.relay.sfu.Sfu::rooms);
        registry.gauge("relay.sfu.participants", sfu, org.opencalling.relay.sfu.Sfu::participants);
        registry.gauge("relay.sfu.streams", sfu, org.opencalling.relay.sfu.Sfu::streams);
        org.opencalling.relay.sfu.SfuStats st = sfu.stats;
        counter("relay.sfu.packets.forwarded", st.packetsForwarded, null, null);
        counter("relay.sfu.bytes.forwarded", st.bytesForwarded, null, null);
        counter("relay.sfu.rtcp.forwarded", st.rtcpForwarded, null, null);
        counter("relay.sfu.keyframe.requests", st.keyframeRequests, null, null);
        counter("relay.sfu.remb.sent", st.rembSent, null, null);
        counter("relay.sfu.codec.switches", st.codecSwitches, null, null);
        counter("relay.sfu.ice.checks", st.iceChecks, null, null);
        counter("relay.sfu.ice.probes", st.iceProbes, null, null);
        counter("relay.sfu.ice.moves", st.iceMoves, null, null);
        counter("relay.sfu.nacks", st.nacksAnswered, "result", "answered");
        counter("relay.sfu.nacks", st.nacksMissed, "result", "missed");
        counter("relay.sfu.srtp.failures", st.srtpFailures, null, null);
        counter("relay.sfu.dtls.failures", st.dtlsFailures, null, null);
        counter("relay.sfu.dropped", st.unknownSource, "reason", "unknown-source");
        counter("relay.sfu.dropped", st.notReady, "reason", "not-ready");
        counter("relay.sfu.dropped", st.malformed, "reason", "malformed");
        counter("relay.sfu.dropped", st.iceFailures, "reason", "ice-check-failed");
    }

    private void counter(String name, java.util.concurrent.atomic.LongAdder adder, String tag, String value) {
        var b = io.micrometer.core.instrument.FunctionCounter.builder(name, adder, java.util.concurrent.atomic.LongAdder::sum);
        if (tag != null) {
            b = b.tag(tag, value);
        }
        b.register(registry);
    }

    /** The SFU, or null when it is off. */
    public org.opencalling.relay.sfu.Sfu sfu() {
        return sfu;
    }

    /** What could not be bound (for readiness details). */
    public List<String> unbound() {
        return server == null ? List.of() : server.unbound();
    }

    public TurnHandler handler() {
        return handler;
    }

    /** The address relayed ports are advertised on. */
    public String publicHost() {
        return publicHost;
    }

    public RelayServer server() {
        return server;
    }

    public Allocations allocations() {
        return allocations;
    }

    public List<Integer> udpPorts() {
        return server == null ? List.of() : server.udpPorts();
    }

    public List<Integer> tcpPorts() {
        return server == null ? List.of() : server.tcpPorts();
    }

    void stop(@Observes ShutdownEvent e) {
        if (exporter != null) {
            exporter.shutdownNow();
        }
        if (sfu != null) {
            sfu.close();
            dtls.shutdownNow();
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException ex) {
                LOG.debugf("closing the relay: %s", ex.toString());
            }
        }
    }
}
