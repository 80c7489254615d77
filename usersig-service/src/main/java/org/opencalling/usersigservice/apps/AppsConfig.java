package org.opencalling.usersigservice.apps;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigVerifier;
import org.opencalling.service.ConfigFiles;

/**
 * Loads the applications at start-up so a malformed {@code TRTC_APPS} stops the service with a
 * message naming the problem, instead of failing the first request.
 */
@Startup
@Singleton
public class AppsConfig {
    private static final Logger LOG = Logger.getLogger(AppsConfig.class);

    @ConfigProperty(name = "trtc.apps.file")
    Optional<String> file;

    private Applications apps;

    @PostConstruct
    void load() {
        try {
            apps = Applications.parse(
                    ConfigFiles.inlineAndFile("TRTC_APPS", ConfigFiles.raw("trtc.apps"), "TRTC_APPS_FILE", file));
        } catch (Applications.ConfigurationException e) {
            throw new IllegalStateException("Invalid application configuration: " + e.getMessage());
        }
        if (apps.isEmpty()) {
            throw new IllegalStateException("No application configured: set TRTC_APPS (sdkAppId:secretKey,...) "
                    + "or TRTC_APPS_FILE (a file of such entries, e.g. a mounted secret)");
        }
        LOG.infof("Applications configured: %s", apps.ids());
    }

    @Produces
    public Applications applications() {
        return apps;
    }

    @Produces
    @Singleton
    UserSigVerifier verifier() {
        return new UserSigVerifier(apps);
    }
}
