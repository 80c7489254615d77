package org.opencalling.signaling.presence;

import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * This instance's name for presence and routing: POD_NAME, else HOSTNAME (the pod name in
 * Kubernetes), else random. Optional, not a default of "": an empty default counts as no value,
 * and the service would not start without POD_NAME (systemd, a start by hand).
 */
@Singleton
public class Pod {
    private static final String NAME = "[A-Za-z0-9._-]{1,128}";
    private final String name;

    public Pod(@ConfigProperty(name = "signaling.pod") Optional<String> configured) {
        this.name = of(configured.orElse(""), System.getenv("HOSTNAME"));
    }

    /** The configured name if valid, else the host name if valid, else a random one. */
    static String of(String configured, String hostname) {
        if (configured != null && configured.matches(NAME)) {
            return configured;
        }
        if (hostname != null && hostname.matches(NAME)) {
            return hostname;
        }
        return "signaling-" + UUID.randomUUID();
    }

    public String name() {
        return name;
    }
}
