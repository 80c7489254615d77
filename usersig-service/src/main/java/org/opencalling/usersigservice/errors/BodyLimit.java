package org.opencalling.usersigservice.errors;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses declared-oversize bodies before they are read, with the JSON error shape. Bodies
 * without a length (chunked) are cut off by {@code quarkus.http.limits.max-body-size}.
 */
@Singleton
public class BodyLimit {
    @ConfigProperty(name = "api.max-body-bytes", defaultValue = "16384")
    long maxBodyBytes;

    void install(@Observes Router router, MeterRegistry registry) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                long n;
                try {
                    n = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    n = Long.MAX_VALUE;
                }
                if (n > maxBodyBytes) {
                    registry.counter("api.errors", "error", "body-too-large", "status", "413").increment();
                    rc.response().setStatusCode(413)
                            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .putHeader(HttpHeaders.CONNECTION, "close")
                            .end("{\"error\":\"body-too-large\",\"message\":\"request body is larger than "
                                    + maxBodyBytes + " bytes\"}");
                    return;
                }
            }
            rc.next();
        });
    }
}
