package org.opencalling.signaling.presence;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.opencalling.service.Periodic;
import org.opencalling.signaling.calls.CallService;

/**
 * A dropped socket not resumed within the grace period: the user goes offline and leaves (or,
 * while ringing, declines) the call they were in, so the others get USER_LEAVE.
 */
@Singleton
public class GraceExpiry {
    private static final Logger LOG = Logger.getLogger(GraceExpiry.class);

    @Inject
    LocalSessions sessions;

    @Inject
    PresenceClient presence;

    @Inject
    CallService calls;

    @Inject
    Pod pod;

    @Inject
    org.opencalling.signaling.routing.Delivery delivery;

    private Periodic timer;

    void start(@Observes StartupEvent e) {
        timer = Periodic.start("resume-grace", Duration.ofMillis(250), this::expire);
    }

    void expire() {
        sessions.forwardsOverdue(System.currentTimeMillis());
        for (LocalSessions.Detached d : sessions.expired(System.currentTimeMillis())) {
            try {
                String[] live = delivery.liveSession(d.sdkAppId(), d.userId());
                if (live != null && !(live[0].equals(d.sessionId()) && live[1].equals(pod.name()))) {
                    // Resumed on another pod (its notice did not reach us), or displaced by a
                    // newer login (whose kick made it leave): not ours to end.
                    continue;
                }
                calls.leaveAny(d.sdkAppId(), d.userId());
            } catch (RuntimeException ex) {
                // Redis unreachable or busy: the user must still leave; try again soon.
                if (!sessions.retryLater(d, System.currentTimeMillis() + 1000, 60)) {
                    LOG.warnf("%s could not leave its call after its grace period (gave up after a minute): %s",
                            d.userId(), ex.toString());
                } else {
                    LOG.debugf("ending %s after its grace period failed, retrying: %s", d.sessionId(), ex.toString());
                }
                continue;
            }
            try {
                presence.end(d.sdkAppId(), d.userId(), d.sessionId());
            } catch (RuntimeException ex) {
                LOG.debugf("ending %s failed (it expires by itself): %s", d.sessionId(), ex.toString());
            }
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer != null) {
            timer.close();
        }
    }
}
