package org.opencalling.signaling.calls;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.opencalling.service.Periodic;

/**
 * Every pod looks for due ringing deadlines in Redis, so a call times out even when the pod
 * that started it is gone; the compare-and-set in {@link CallStore} makes each timeout fire once.
 */
@Singleton
public class DeadlineSweeper {
    private static final Logger LOG = Logger.getLogger(DeadlineSweeper.class);

    @Inject
    CallService calls;

    private Periodic timer;

    void start(@Observes StartupEvent e) {
        timer = Periodic.start("call-deadlines", java.time.Duration.ofMillis(250), this::sweep);
    }

    void sweep() {
        try {
            calls.fireTimeouts(100);
        } catch (RuntimeException ex) {
            LOG.debugf("deadline sweep failed (retried): %s", ex.toString());
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer != null) {
            timer.close();
        }
    }
}
