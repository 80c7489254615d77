package org.opencalling.relay.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when TURN is served on at least one port; the ports that could not be bound are named. */
@Readiness
@ApplicationScoped
public class RelayReadiness implements HealthCheck {
    @Inject
    RelayService relay;

    @Override
    public HealthCheckResponse call() {
        boolean up = !relay.udpPorts().isEmpty() || !relay.tcpPorts().isEmpty();
        return HealthCheckResponse.named("turn").status(up)
                .withData("udp", relay.udpPorts().toString())
                .withData("tcp", relay.tcpPorts().toString())
                .withData("not-bound", relay.unbound().toString()).build();
    }
}
