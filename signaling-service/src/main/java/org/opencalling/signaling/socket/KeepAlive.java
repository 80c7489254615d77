package org.opencalling.signaling.socket;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
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
 * minutes) and is closed with {@link #CLOSE_CODE}, which starts its resume grace period.
 */
@Singleton
public class KeepAlive {
    public static final int CLOSE_CODE = 4003;

    @ConfigProperty(name = "signaling.idle-timeout", defaultValue = "60s")
    Duration idleTimeout;

    @Inject
    MeterRegistry registry;

    private final Map<String, Seen> sockets = new ConcurrentHashMap<>();
    private Periodic timer;

    private record Seen(WebSocketConnection connection, long atMillis) {
    }

    void start(@Observes StartupEvent e) {
        long every = Math.max(100, Math.min(5000, idleTimeout.toMillis() / 4));
        timer = Periodic.start("keep-alive", Duration.ofMillis(every), this::closeSilent);
    }

    /** Something came from this socket: it is alive. */
    void seen(WebSocketConnection c) {
        sockets.put(c.id(), new Seen(c, System.currentTimeMillis()));
    }

    void gone(WebSocketConnection c) {
        sockets.remove(c.id());
    }

    void closeSilent() {
        long limit = System.currentTimeMillis() - idleTimeout.toMillis();
        for (Seen s : sockets.values()) {
            if (s.atMillis() < limit && sockets.remove(s.connection().id(), s)) {
                registry.counter("signaling.errors", "kind", "keep-alive-timeout").increment();
                s.connection().close(new CloseReason(CLOSE_CODE, "no keep-alive"))
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
