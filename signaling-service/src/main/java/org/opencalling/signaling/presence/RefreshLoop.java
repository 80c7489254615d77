package org.opencalling.signaling.presence;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.opencalling.service.Periodic;

/** Refreshes all of this pod's sessions in one call, and kicks those presence says are gone. */
@Singleton
public class RefreshLoop {
    private static final Logger LOG = Logger.getLogger(RefreshLoop.class);

    @Inject
    PresenceClient presence;

    @Inject
    LocalSessions sessions;

    @Inject
    Pod pod;

    @ConfigProperty(name = "signaling.presence-refresh-interval", defaultValue = "10s")
    Duration interval;

    private Periodic timer;

    void start(@Observes StartupEvent e) {
        timer = Periodic.start("presence-refresh", interval, this::refresh);
    }

    /** One round now (also run by the timer). */
    public void refresh() {
        try {
            List<PresenceClient.SessionRef> mine = new java.util.ArrayList<>(sessions.all().stream()
                    .map(l -> new PresenceClient.SessionRef(l.sdkAppId(), l.userId(), l.sessionId())).toList());
            // Sessions in their resume grace period stay online.
            sessions.detachedToRefresh().forEach(d -> mine.add(new PresenceClient.SessionRef(d.sdkAppId(), d.userId(), d.sessionId())));
            for (String lost : presence.refresh(pod.name(), mine)) {
                sessions.kick(lost);
            }
        } catch (RuntimeException ex) {
            LOG.warnf("presence refresh failed (retried next round): %s", ex.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer != null) {
            timer.close();
        }
    }
}
