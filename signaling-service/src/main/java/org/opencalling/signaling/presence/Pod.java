package org.opencalling.signaling.presence;

import jakarta.inject.Singleton;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** This instance's name for presence: POD_NAME, else HOSTNAME (the pod name in Kubernetes), else random. */
@Singleton
public class Pod {
    private final String name;

    public Pod(@ConfigProperty(name = "signaling.pod", defaultValue = "") String configured) {
        String n = configured.isBlank() ? System.getenv().getOrDefault("HOSTNAME", "") : configured;
        this.name = n.matches("[A-Za-z0-9._-]{1,128}") ? n : "signaling-" + UUID.randomUUID();
    }

    public String name() {
        return name;
    }
}
