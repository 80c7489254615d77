package org.opencalling.signaling.socket;

import org.opencalling.signaling.protocol.CloseCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.service.Periodic;

/**
 * Keep-alive both ways: the server pings every socket (auto-ping-interval) and the client may
 * send {@code ping} messages; a socket from which nothing at all (no message, no pong) has come
 * for {@code signaling.idle-timeout} is dead (a vanished network leaves TCP open for many
 * minutes) and is closed with {@link CloseCode#KEEP_ALIVE_TIMEOUT}, which starts its resume grace period. A
 * socket that has not logged in within {@code signaling.login-timeout} is closed with 1008.
 */
@Singleton
public class KeepAlive {
    @ConfigProperty(name = "signaling.idle-timeout", defaultValue = "60s")
    Duration idleTimeout;

    /** A socket must log in within this, or it is closed (1008): an open socket costs memory. */
    @ConfigProperty(name = "signaling.login-timeout", defaultValue = "30s")
    Duration loginTimeout;

    @Inject
    MeterRegistry registry;

    private final Map<String, Seen> sockets = new ConcurrentHashMap<>();
    private Periodic timer;

    private record Seen(WebSocketConnection connection, long atMillis, long openedAtMillis, boolean loggedIn) {
    }

    void start(@Observes StartupEvent e) {
        long every = Math.max(100, Math.min(5000, idleTimeout.toMillis() / 4));
        timer = Periodic.start("keep-alive", Duration.ofMillis(every), this::closeSilent);
    }

    void opened(WebSocketConnection c) {
        long now = System.currentTimeMillis();
        sockets.put(c.id(), new Seen(c, now, now, false));
    }

    /** Something came from this socket: it is alive. (Nothing once it is gone.) */
    void seen(WebSocketConnection c) {
        long now = System.currentTimeMillis();
        sockets.computeIfPresent(c.id(), (k, s) -> new Seen(c, now, s.openedAtMillis(), s.loggedIn()));
    }

    /** The socket logged in: the login timeout no longer applies. */
    void loggedIn(WebSocketConnection c) {
        sockets.computeIfPresent(c.id(), (k, s) -> new Seen(c, s.atMillis(), s.openedAtMillis(), true));
    }

    void gone(WebSocketConnection c) {
        sockets.remove(c.id());
    }

    void closeSilent() {
        long now = System.currentTimeMillis();
        for (Seen s : sockets.values()) {
            boolean silent = s.atMillis() < now - idleTimeout.toMillis();
            boolean anonymous = !s.loggedIn() && s.openedAtMillis() < now - loginTimeout.toMillis();
            if ((silent || anonymous) && sockets.remove(s.connection().id(), s)) {
                registry.counter("signaling.errors", "kind", silent ? "keep-alive-timeout" : "login-timeout").increment();
                s.connection().close(silent ? CloseCode.KEEP_ALIVE_TIMEOUT.close()
                                : CloseCode.POLICY.close("log in first"))
                        .subscribe().with(v -> { }, err -> { });
            }
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer != null) {
            timer.close();
        }
    }
}
