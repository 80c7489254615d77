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
    org.opencalling.signaling.routing.Delivery delivery;

    private Periodic timer;

    void start(@Observes StartupEvent e) {
        timer = Periodic.start("resume-grace", Duration.ofMillis(250), this::expire);
    }

    void expire() {
        for (LocalSessions.Detached d : sessions.expired(System.currentTimeMillis())) {
            try {
                if (delivery.heldElsewhere(d.sdkAppId(), d.userId(), d.sessionId()) != null) {
                    continue; // resumed on another pod (its notice did not reach us): not ours to end
                }
            } catch (RuntimeException ex) {
                // Redis unreachable: cannot tell, and could not leave the call either; try again soon.
                LOG.debugf("cannot tell where %s lives now: %s", d.sessionId(), ex.toString());
                sessions.retryLater(d, System.currentTimeMillis() + 1000);
                continue;
            }
            try {
                calls.leaveAny(d.sdkAppId(), d.userId());
            } catch (RuntimeException ex) {
                LOG.warnf("leaving the call of %s after the grace period failed: %s", d.userId(), ex.toString());
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
