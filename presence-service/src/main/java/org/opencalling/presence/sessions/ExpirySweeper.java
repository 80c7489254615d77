package org.opencalling.presence.sessions;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.opencalling.service.Periodic;

/**
 * Every pod looks, each {@code presence.sweep-interval}, only at sessions whose deadline passed
 * (a range read of the expiry zset, never a scan of all users) and ends them. A session thus
 * goes offline at most ttl + interval after its pod's last refresh. Also keeps the
 * sessions-online gauge, so a scrape never waits on Redis.
 */
@Singleton
public class ExpirySweeper {
    private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);
    private static final int BATCH = 500;

    @Inject
    Sessions sessions;

    @Inject
    SessionStore store;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "presence.sweep-interval", defaultValue = "1s")
    Duration interval;

    private final AtomicLong online = new AtomicLong();
    private Periodic timer;

    void start(@Observes StartupEvent e) {
        registry.gauge("presence.sessions.online", online);
        timer = Periodic.start("presence-expiry", interval, this::sweep);
    }

    void sweep() {
        try {
            while (sessions.expireDue(BATCH) == BATCH) {
                // a full batch: more may be due
            }
            online.set(store.count());
        } catch (SessionStore.Unavailable ex) {
            LOG.debugf("expiry sweep skipped: %s", ex.getMessage()); // counted by the store; next tick retries
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer != null) {
            timer.close();
        }
    }
}
