package org.opencalling.signaling.socket;

import org.opencalling.signaling.protocol.CloseCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Failures on a socket, outside any message handler's own error replies. A global handler (not
 * on the session-scoped endpoint): a failure may come after the connection, and so its session
 * context, is gone.
 */
@ApplicationScoped
public class SocketErrors {
    private static final Logger LOG = Logger.getLogger(SocketErrors.class);

    @Inject
    MeterRegistry registry;

    /** Vert.x refuses a frame over max-message-size with this error: close as RFC 6455 says, 1009. */
    @OnError
    void failure(Throwable error, WebSocketConnection connection) {
        String m = String.valueOf(error.getMessage());
        boolean tooBig = m.contains("max message size") || m.contains("too big");
        if (connection.isClosed()) {
            registry.counter("signaling.errors", "kind", "connection-lost").increment();
            LOG.debugf("socket %s failed after it closed: %s", connection.id(), error.toString());
            return;
        }
        registry.counter("signaling.errors", "kind", tooBig ? "frame-too-large" : "internal").increment();
        if (!tooBig) {
            LOG.warnf("socket %s failed: %s", connection.id(), error.toString());
        }
        connection.close((tooBig ? CloseCode.FRAME_TOO_LARGE : CloseCode.INTERNAL).close())
                .subscribe().with(v -> { }, e -> { });
    }
}
