package org.opencalling.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses oversize request bodies with the JSON error shape: a declared length is checked
 * before anything is read; a body without one (chunked) is buffered up to the limit first.
 */
@Singleton
public class BodyLimit {
    @ConfigProperty(name = "api.max-body-bytes", defaultValue = "16384")
    long maxBodyBytes;

    void install(@Observes Router router, MeterRegistry registry) {
        BodyHandler chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
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
                    tooLarge(rc, registry);
                    return;
                }
            }
            // No declared length (HTTP/1.1 chunked, or HTTP/2): read the body up to the limit first.
            io.vertx.core.http.HttpMethod m = rc.request().method();
            boolean mayHaveBody = m != io.vertx.core.http.HttpMethod.GET && m != io.vertx.core.http.HttpMethod.HEAD
                    && m != io.vertx.core.http.HttpMethod.OPTIONS;
            if (length == null && mayHaveBody) {
                chunkedBodies.handle(rc); // reads the body (fails the request with 413 past the limit), then next()
                return;
            }
            rc.next();
        });
        router.route().order(Integer.MIN_VALUE).failureHandler(rc -> {
            if (rc.statusCode() == 413 && !rc.response().headWritten()) {
                tooLarge(rc, registry);
                return;
            }
            rc.next();
        });
    }

    private void tooLarge(io.vertx.ext.web.RoutingContext rc, MeterRegistry registry) {
        registry.counter("api.errors", "error", "body-too-large", "status", "413").increment();
        rc.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end("{\"error\":\"body-too-large\",\"message\":\"request body is larger than "
                        + maxBodyBytes + " bytes\"}");
    }
}
