package org.opencalling.bench.soak;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.opencalling.testsupport.ServiceSpec;

/**
 * Injects the plan's faults into the running cluster, each at its time, and records when each
 * began and when it was released (the moment the service could come back: the kill itself for a
 * SIGKILL restarted at once, the SIGCONT, the broker's start, each service's start in a rolling
 * restart). Recovery is then read from {@link Readiness}.
 */
final class FaultInjector {
    /** A fault as it happened; {@code released}: service (or "redis", "kafka") → release moment. */
    record Injected(Fault fault, long startMs, long endMs, Map<String, Long> released, String error) {
    }

    private final SoakCluster cluster;
    final List<Injected> injected = new CopyOnWriteArrayList<>();
    /** When Redis lost its data (epoch ms). */
    final List<Long> wipes = new CopyOnWriteArrayList<>();
    private Thread thread;
    private volatile List<Fault> plan = List.of();
    private volatile long loadStartMs;
    private volatile boolean injecting;

    FaultInjector(SoakCluster cluster) {
        this.cluster = cluster;
    }

    void start(List<Fault> plan, long loadStartMs) {
        this.plan = List.copyOf(plan);
        this.loadStartMs = loadStartMs;
        thread = new Thread(() -> {
            for (Fault f : plan) {
                long wait = loadStartMs + f.atMs() - System.currentTimeMillis();
                if (wait > 0) {
                    VirtualUser.sleep(wait);
                }
                injecting = true;
                injected.add(inject(f));
                injecting = false;
            }
        }, "faults");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Whether no fault is being injected now and none is due within {@code aheadMs}: the
     * measuring side (forced GCs, jcmd) keeps out of a fault's recovery, whose CPU it would steal.
     */
    boolean quiet(long nowMs, long aheadMs) {
        if (injecting) {
            return false;
        }
        for (Fault f : plan) {
            long at = loadStartMs + f.atMs();
            if (at >= nowMs && at < nowMs + aheadMs) {
                return false;
            }
        }
        return true;
    }

    void awaitDone() throws InterruptedException {
        thread.join();
    }

    private Injected inject(Fault f) {
        long start = System.currentTimeMillis();
        Map<String, Long> released = new LinkedHashMap<>();
        System.out.printf("soak: %s%n", f.describe());
        try {
            switch (f.kind()) {
                case SIGNALING_KILL, RELAY_KILL -> {
                    cluster.cluster.kill(f.target());
                    released.put(f.target(), System.currentTimeMillis());
                    require(cluster.cluster.start(f.target()), f.target());
                }
                case ROLLING_RESTART -> {
                    for (ServiceSpec s : cluster.services()) {
                        cluster.cluster.stop(s.name());
                        released.put(s.name(), System.currentTimeMillis());
                        require(cluster.cluster.start(s.name()), s.name());
                    }
                }
                case REDIS_RESTART_EMPTY -> {
                    cluster.cluster.restartRedisEmpty();
                    long now = System.currentTimeMillis();
                    wipes.add(now);
                    released.put("redis", now);
                }
                case REDIS_FREEZE -> {
                    cluster.cluster.freezeRedis();
                    VirtualUser.sleep(f.lengthMs());
                    cluster.cluster.thawRedis();
                    released.put("redis", System.currentTimeMillis());
                }
                case KAFKA_STOP -> {
                    cluster.kafka.stopBroker();
                    VirtualUser.sleep(f.lengthMs());
                    cluster.kafka.startBroker();
                    released.put("kafka", System.currentTimeMillis());
                }
                case PRESENCE_DOWN -> {
                    cluster.cluster.stop(f.target());
                    VirtualUser.sleep(f.lengthMs());
                    released.put(f.target(), System.currentTimeMillis());
                    require(cluster.cluster.start(f.target()), f.target());
                }
            }
            return new Injected(f, start, System.currentTimeMillis(), released, null);
        } catch (Exception e) {
            return new Injected(f, start, System.currentTimeMillis(), released, e.toString());
        }
    }

    private static void require(boolean ready, String service) {
        if (!ready) {
            throw new IllegalStateException(service + " did not become ready within 90 s");
        }
    }
}
