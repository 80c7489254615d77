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
 * before anything is read; an HTTP/1.1 chunked body is buffered up to the limit first. An
 * HTTP/2 body without a declared length meets Quarkus' own limit (quarkus.http.limits).
 */
@Singleton
public class BodyLimit {
    @ConfigProperty(name = "api.max-body-bytes", defaultValue = "16384")
    long maxBodyBytes;

    /** Paths that take bulk bodies (e.g. a pod's whole session list) and their own limit. */
    @ConfigProperty(name = "api.bulk-paths")
    java.util.Optional<java.util.List<String>> bulkPaths;

    @ConfigProperty(name = "api.max-bulk-body-bytes", defaultValue = "16777216")
    long maxBulkBodyBytes;

    void install(@Observes Router router, MeterRegistry registry) {
        BodyHandler chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        BodyHandler chunkedBulkBodies = BodyHandler.create(false).setBodyLimit(maxBulkBodyBytes);
        java.util.Set<String> bulk = java.util.Set.copyOf(bulkPaths.orElse(java.util.List.of()));
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            boolean isBulk = bulk.contains(rc.normalizedPath());
            long limit = isBulk ? maxBulkBodyBytes : maxBodyBytes;
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                long n;
                try {
                    n = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    n = Long.MAX_VALUE;
                }
                if (n > limit) {
                    tooLarge(rc, registry, limit);
                    return;
                }
            }
            // HTTP/1.1 chunked: read the body up to the limit first. (Not HTTP/2: Quarkus REST reads
            // that request itself, and a body read here would fail it; Quarkus' own limit applies.)
            boolean chunked = length == null && rc.request().version() != io.vertx.core.http.HttpVersion.HTTP_2
                    && rc.request().headers().contains(HttpHeaders.TRANSFER_ENCODING);
            if (chunked) {
                // Reads the body (failing the request with 413 past the limit), then next().
                (isBulk ? chunkedBulkBodies : chunkedBodies).handle(rc);
                return;
            }
            rc.next();
        });
        router.route().order(Integer.MIN_VALUE).failureHandler(rc -> {
            if (rc.statusCode() == 413 && !rc.response().headWritten()) {
                tooLarge(rc, registry, bulk.contains(rc.normalizedPath()) ? maxBulkBodyBytes : maxBodyBytes);
                return;
            }
            rc.next();
        });
    }

    private static void tooLarge(io.vertx.ext.web.RoutingContext rc, MeterRegistry registry, long limit) {
        registry.counter("api.errors", "error", "body-too-large", "status", "413").increment();
        rc.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end("{\"error\":\"body-too-large\",\"message\":\"request body is larger than "
                        + limit + " bytes\"}");
    }
}
