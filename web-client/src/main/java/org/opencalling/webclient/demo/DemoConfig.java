package org.opencalling.webclient.demo;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** What the demo page needs to know about this deployment: the application it logs in to. */
@Singleton
public class DemoConfig {
    @ConfigProperty(name = "web.demo.sdk-app-id")
    long sdkAppId;

    void routes(@Observes Router router) {
        router.get("/demo/config.json").handler(rc -> rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end("{\"sdkAppId\":" + sdkAppId + "}"));
    }
}
