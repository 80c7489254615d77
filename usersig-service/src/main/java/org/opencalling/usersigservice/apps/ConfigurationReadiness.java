package org.opencalling.usersigservice.apps;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.opencalling.usersig.Applications;
import org.opencalling.usersigservice.tokens.SigningKeys;

/** Ready once applications and signing keys are loaded; reports what was loaded, never secrets. */
@Readiness
@Singleton
public class ConfigurationReadiness implements HealthCheck {
    @Inject
    Applications apps;

    @Inject
    SigningKeys keys;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("usersig-configuration")
                .status(!apps.isEmpty() && keys.signingKey() != null)
                .withData("applications", apps.ids().size())
                .withData("signingKeyId", keys.signingKid())
                .build();
    }
}
