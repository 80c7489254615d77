package org.opencalling.signaling.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;
import org.opencalling.service.Periodic;

/**
 * This pod's Redis channels (its frames, its kicks), kept subscribed. A dropped subscriber
 * connection (Redis restarted, a network blip, CLIENT KILL) is otherwise silent: nothing would
 * reach this pod's sockets again. So each channel gets a probe published on it every
 * {@link #PROBE_EVERY}; when its probes stop coming back (or Redis ends the subscription) it
 * is subscribed again. Readiness is DOWN while a channel is not confirmed.
 */
@Singleton
public class PodChannels {
    private static final Logger LOG = Logger.getLogger(PodChannels.class);
    static final Duration PROBE_EVERY = Duration.ofSeconds(2);
    static final long STALE_MILLIS = 3 * PROBE_EVERY.toMillis() + 1000;
    private static final String PROBE = "__probe__:";

    @Inject
    ReactiveRedisDataSource reactive;

    @Inject
    RedisDataSource redis;

    @Inject
    MeterRegistry registry;

    private final String nonce = UUID.randomUUID().toString();
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, List<Runnable>> hooks = new ConcurrentHashMap<>();
    private volatile Periodic timer;
    private volatile boolean stopped;

    private final class Channel {
        final String name;
        final Consumer<String> handler;
        volatile long lastProbe = System.currentTimeMillis();
        volatile ReactivePubSubCommands.ReactiveRedisSubscriber subscriber;
        volatile boolean subscribing;
        volatile boolean subscribedBefore;
        volatile boolean recover;

        Channel(String name, Consumer<String> handler) {
            this.name = name;
            this.handler = handler;
        }

        /** Each subscription has its own number; callbacks of a replaced one are ignored. */
        volatile long generation;

        void message(long gen, String m) {
            if (gen != generation) {
                return; // an old subscription still delivering: the current one has it too
            }
            if (m.startsWith(PROBE)) {
                if (m.endsWith(nonce)) {
                    lastProbe = System.currentTimeMillis();
                }
                return;
            }
            handler.accept(m);
        }

        synchronized void subscribe() {
            if (subscribing || stopped) {
                return;
            }
            subscribing = true;
            long gen = ++generation;
            var old = subscriber;
            subscriber = null;
            if (old != null) {
                old.unsubscribe().subscribe().with(v -> { }, e -> LOG.debugf("unsubscribing %s: %s", name, e.toString()));
            }
            reactive.pubsub(String.class).subscribe(List.of(name), m -> message(gen, m), () -> ended(gen),
                            e -> ended(gen))
                    .subscribe().with(s -> {
                        synchronized (this) {
                            subscribing = false;
                            if (gen != generation) {
                                s.unsubscribe().subscribe().with(v -> { }, e -> { });
                                return;
                            }
                            subscriber = s;
                        }
                        if (subscribedBefore) {
                            recover = true; // hooks run on the timer thread, not on this event loop
                        }
                        subscribedBefore = true;
                    }, e -> {
                        synchronized (this) {
                            subscribing = false;
                        }
                        LOG.warnf("Subscribing to %s failed (%s); retrying", name, e.toString());
                    });
        }

        void ended(long gen) {
            if (stopped || gen != generation) {
                return; // shutting down, or an old subscription closing after its replacement
            }
            LOG.warnf("Redis ended the subscription to %s; subscribing again", name);
            registry.counter("signaling.resubscriptions", "reason", "ended").increment();
            synchronized (this) {
                subscriber = null;
            }
            subscribe(); // at once (non-blocking); if Redis is not back yet, the timer retries
        }
    }

    /** Subscribes {@code handler} to {@code channel} (it runs on the event loop: never block in it). */
    public void subscribe(String channel, Consumer<String> handler) {
        Channel c = new Channel(channel, handler);
        channels.put(channel, c);
        c.subscribe();
        synchronized (this) {
            if (timer == null) {
                timer = Periodic.start("pod-channels", PROBE_EVERY, this::check);
            }
        }
    }

    /**
     * Runs {@code hook} (on a timer thread) after {@code channel} was subscribed again: what was
     * published on it meanwhile is lost, so the owner can make up for it.
     */
    public void afterResubscribe(String channel, Runnable hook) {
        hooks.computeIfAbsent(channel, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(hook);
    }

    void check() {
        long now = System.currentTimeMillis();
        for (Channel c : channels.values()) {
            if (c.recover) {
                c.recover = false;
                for (Runnable hook : hooks.getOrDefault(c.name, List.of())) {
                    try {
                        hook.run();
                    } catch (RuntimeException e) {
                        LOG.warnf("recovery after resubscribing to %s failed: %s", c.name, e.toString());
                    }
                }
            }
            if (c.subscriber == null && !c.subscribing) {
                c.subscribe();
            } else if (now - c.lastProbe > STALE_MILLIS && !c.subscribing) {
                LOG.warnf("No probe came back on %s for %d ms; subscribing again", c.name, now - c.lastProbe);
                registry.counter("signaling.resubscriptions", "reason", "probe-lost").increment();
                c.lastProbe = now; // give the new subscription its time
                c.subscribe();
            }
            try {
                redis.pubsub(String.class).publish(c.name, PROBE + nonce);
            } catch (RuntimeException e) {
                LOG.debugf("probe on %s not published: %s", c.name, e.toString());
            }
        }
    }

    /** For readiness: every channel subscribed and its probes coming back. */
    HealthCheckResponse health() {
        long now = System.currentTimeMillis();
        var b = HealthCheckResponse.named("pod-channels");
        boolean up = true;
        for (Channel c : channels.values()) {
            boolean ok = c.subscriber != null && now - c.lastProbe <= STALE_MILLIS;
            b.withData(c.name, ok ? "subscribed" : "not confirmed");
            up &= ok;
        }
        return b.status(up).build();
    }

    void stop(@Observes ShutdownEvent e) {
        stopped = true;
        if (timer != null) {
            timer.close();
        }
    }
}
