package org.opencalling.signaling.socket;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** {@code signaling_connections}: open sockets, registered once at start-up. */
@Singleton
public class ConnectionsGauge {
    void register(@Observes StartupEvent e, MeterRegistry registry) {
        registry.gauge("signaling.connections", SignalingSocket.OPEN);
    }
}
