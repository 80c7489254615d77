package org.opencalling.signaling.socket;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.opencalling.signaling.apps.SignalingConfig;

/**
 * Browsers send their page's Origin with the WebSocket handshake; only the configured ones
 * (ALLOWED_ORIGINS) may use a socket: another site's page cannot drive a user's calls.
 * Non-browser clients without an Origin are refused too.
 *
 * <p>The socket of a refused origin is opened and closed at once with 1008 and a reason naming
 * the origin, never reading a frame: a handshake refused with a bare 403 reaches a page's script
 * only as "closed (1006)", and the developer whose dev server runs on another port would not
 * learn why.
 */
@ApplicationScoped
public class OriginCheck {
    /** The close reason's prefix (the SDK recognises it). */
    static final String REFUSED = "origin-not-allowed";

    @Inject
    SignalingConfig config;

    @Inject
    MeterRegistry registry;

    /** The close reason for this connection's origin, or null if it is allowed. */
    String refusal(WebSocketConnection connection) {
        String origin = connection.handshakeRequest().header("Origin");
        if (config.originAllowed(origin)) {
            return null;
        }
        registry.counter("signaling.rejected.handshakes", "reason", "origin").increment();
        // A close reason is at most 123 bytes: the origin shown is cut short, printable ASCII only.
        String named = origin == null ? "no Origin header"
                : origin.substring(0, Math.min(80, origin.length())).replaceAll("[^\\x20-\\x7e]", "?");
        return REFUSED + ": " + named + " (ALLOWED_ORIGINS)";
    }
}
