package org.opencalling.signaling.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.redis.client.Command;
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
 *
 * <p>Each channel has a connection of its own, taken from the client (so it follows the
 * configured Redis) and driven by hand: its handler is in place before SUBSCRIBE is sent, and
 * an attempt Redis does not confirm within {@link #SUBSCRIBE_WITHIN} is closed and made again.
 * (The Quarkus pub/sub wrapper sets its handler only after SUBSCRIBE is written, so the
 * confirmation can come first and be lost; its attempt then never ends. After a Redis restart
 * that left the pod's channel unsubscribed, and the pod not ready, for good.)
 */
@Singleton
public class PodChannels {
    private static final Logger LOG = Logger.getLogger(PodChannels.class);
    static final Duration PROBE_EVERY = Duration.ofSeconds(2);
    static final long STALE_MILLIS = 3 * PROBE_EVERY.toMillis() + 1000;
    static final long SUBSCRIBE_WITHIN = 5_000;
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
        /** The current attempt's connection (confirmed or not), null between attempts. */
        RedisConnection connection;
        volatile boolean confirmed;
        /** When the current attempt started, 0 when none is on its way. */
        volatile long subscribingSince;
        volatile boolean subscribedBefore;
        volatile boolean recover;
        /** Each attempt has its own number; callbacks of a replaced one are ignored. */
        volatile long generation;

        Channel(String name, Consumer<String> handler) {
            this.name = name;
            this.handler = handler;
        }

        void received(long gen, Response r) {
            if (gen != generation || r == null || r.size() < 2) {
                return; // an old connection still delivering: the current one has it too
            }
            String kind = r.get(0).toString();
            if ("message".equals(kind) && r.size() >= 3) {
                String m = r.get(2).toString();
                if (m.startsWith(PROBE)) {
                    if (m.endsWith(nonce)) {
                        lastProbe = System.currentTimeMillis();
                    }
                    return;
                }
                handler.accept(m);
            } else if ("subscribe".equals(kind)) {
                confirmedNow(gen);
            }
        }

        private void confirmedNow(long gen) {
            synchronized (this) {
                if (gen != generation || confirmed) {
                    return;
                }
                confirmed = true;
                subscribingSince = 0;
                lastProbe = System.currentTimeMillis();
            }
            if (subscribedBefore) {
                recover = true; // hooks run on the timer thread, not on this event loop
            }
            subscribedBefore = true;
        }

        synchronized void subscribe() {
            if (subscribingSince != 0 || stopped) {
                return;
            }
            long gen = ++generation;
            confirmed = false;
            subscribingSince = System.currentTimeMillis();
            closeConnection();
            reactive.getRedis().connect().subscribe().with(conn -> {
                synchronized (this) {
                    if (gen != generation || stopped) {
                        conn.close().subscribe().with(v -> { }, e -> { });
                        return;
                    }
                    connection = conn;
                }
                conn.handler(r -> received(gen, r));
                conn.endHandler(() -> ended(gen));
                conn.exceptionHandler(e -> ended(gen));
                conn.send(Request.cmd(Command.SUBSCRIBE).arg(name)).subscribe().with(r -> { }, e -> failed(gen, e));
            }, e -> failed(gen, e));
        }

        /** Closes the current attempt's connection, if any (its callbacks are stale from now on). */
        private synchronized void closeConnection() {
            RedisConnection old = connection;
            connection = null;
            if (old != null) {
                old.close().subscribe().with(v -> { }, e -> LOG.debugf("closing %s: %s", name, e.toString()));
            }
        }

        private void failed(long gen, Throwable e) {
            synchronized (this) {
                if (gen != generation) {
                    return;
                }
                subscribingSince = 0;
                closeConnection();
            }
            LOG.warnf("Subscribing to %s failed (%s); retrying", name, e.toString());
        }

        void ended(long gen) {
            synchronized (this) {
                if (stopped || gen != generation) {
                    return; // shutting down, or an old connection closing after its replacement
                }
                confirmed = false;
                subscribingSince = 0;
                closeConnection();
            }
            LOG.warnf("Redis ended the subscription to %s; subscribing again", name);
            registry.counter("signaling.resubscriptions", "reason", "ended").increment();
            subscribe(); // at once (non-blocking); if Redis is not back yet, the timer retries
        }

        /** For the timer: an attempt Redis has not confirmed in time is given up and made again. */
        void unstick(long now) {
            long since = subscribingSince;
            if (since != 0 && now - since > SUBSCRIBE_WITHIN) {
                LOG.warnf("Redis did not confirm the subscription to %s within %d ms; subscribing again", name, now - since);
                registry.counter("signaling.resubscriptions", "reason", "unconfirmed").increment();
                synchronized (this) {
                    generation++;
                    subscribingSince = 0;
                    closeConnection();
                }
            }
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
            c.unstick(now);
            if (!c.confirmed && c.subscribingSince == 0) {
                c.subscribe();
            } else if (c.confirmed && now - c.lastProbe > STALE_MILLIS) {
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
            boolean ok = c.confirmed && now - c.lastProbe <= STALE_MILLIS;
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
        channels.values().forEach(Channel::closeConnection);
    }
}
