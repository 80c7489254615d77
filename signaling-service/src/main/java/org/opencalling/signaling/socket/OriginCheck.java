package org.opencalling.signaling.socket;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.opencalling.signaling.apps.SignalingConfig;

/**
 * Browsers send their page's Origin with the WebSocket handshake; only the configured ones
 * (ALLOWED_ORIGINS) may open a socket: another site's page cannot drive a user's calls.
 * Non-browser clients without an Origin are refused too.
 */
@ApplicationScoped
public class OriginCheck implements HttpUpgradeCheck {
    @Inject
    SignalingConfig config;

    @Inject
    MeterRegistry registry;

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String origin = context.httpRequest().getHeader("Origin");
        if (config.originAllowed(origin)) {
            return CheckResult.permitUpgrade();
        }
        registry.counter("signaling.rejected.handshakes", "reason", "origin").increment();
        return CheckResult.rejectUpgrade(403);
    }
}
