package org.opencalling.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;

/** Scope checks on backend tokens; a token's scopes are its {@code groups}, i.e. its roles. */
public final class Scopes {
    private Scopes() {
    }

    public static void require(SecurityIdentity identity, String scope, MeterRegistry registry) {
        if (identity.isAnonymous()) {
            registry.counter("auth.failures", "reason", "missing-token").increment();
            throw new ApiException(401, "unauthorized", "a bearer token with scope " + scope + " is required",
                    java.util.Map.of("WWW-Authenticate", "Bearer"));
        }
        if (!identity.hasRole(scope)) {
            registry.counter("auth.failures", "reason", "missing-scope").increment();
            throw new ApiException(403, "forbidden", "the token lacks scope " + scope);
        }
    }
}
