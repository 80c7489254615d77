package org.opencalling.signaling.socket;

import org.opencalling.signaling.protocol.CloseCode;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * A pod that stops (a rolling restart, a scale-down) tells its browsers first: every socket is
 * closed with 1012 ("service restart"), and the SDK reconnects at once, through the load
 * balancer, to another pod, where it resumes its session (calls included) within the grace
 * period. Runs when shutdown begins (quarkus.shutdown.delay: readiness is already DOWN, the
 * sockets still open), before the other shutdown steps, while Redis and presence are there.
 */
@Singleton
public class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);

    @Inject
    OpenConnections connections;

    void drainEarly(@Observes ShutdownDelayInitiatedEvent e) {
        drain();
    }

    void drainLate(@Observes @Priority(1) ShutdownEvent e) {
        drain(); // (without a shutdown delay: whatever is still open)
    }

    synchronized void drain() {
        int n = 0;
        for (WebSocketConnection c : connections.listAll()) {
            if (c.isOpen()) {
                n++;
                try {
                    c.close(CloseCode.SERVICE_RESTART.close())
                            .await().atMost(Duration.ofSeconds(2));
                } catch (RuntimeException ex) {
                    LOG.debugf("closing %s: %s", c.id(), ex.toString());
                }
            }
        }
        if (n > 0) {
            LOG.infof("draining: %d socket(s) told to reconnect elsewhere (1012)", n);
        }
    }
}
