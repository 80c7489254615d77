package org.opencalling.signaling.routing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while this pod's Redis channels are not confirmed subscribed: frames would not reach it. */
@Readiness
@ApplicationScoped
public class PodChannelsReadiness implements HealthCheck {
    @Inject
    PodChannels channels;

    @Override
    public HealthCheckResponse call() {
        return channels.health();
    }
}
