package org.opencalling.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into the JSON error shape, counts it by code in {@code api.errors}, and
 * never lets a stack trace reach a client. Unexpected exceptions are logged here, once.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @Inject
    MeterRegistry registry;

    public Response respond(int status, String code, String message) {
        registry.counter("api.errors", "error", code, "status", Integer.toString(status)).increment();
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(code, message)).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response r = respond(e.status(), e.code(), e.getMessage());
        e.headers().forEach((k, v) -> r.getHeaders().putSingle(k, v));
        return r;
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
        return respond(400, "invalid-field", field == null
                ? "request body does not have the expected shape"
                : "field '" + field + "' has the wrong type");
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String detail = String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " ");
        // Jackson quotes the offending input; keep the echo short.
        return respond(400, "malformed-json", "request body is not valid JSON: "
                + (detail.length() > 160 ? detail.substring(0, 160) + "..." : detail));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        registry.counter("auth.failures", "reason", "missing-token").increment();
        return withChallenge(respond(401, "unauthorized", "a bearer token is required"));
    }

    @ServerExceptionMapper
    public Response authFailed(AuthenticationFailedException e) {
        registry.counter("auth.failures", "reason", "invalid-token").increment();
        return withChallenge(respond(401, "invalid-token", "the bearer token is invalid or expired"));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return respond(403, "forbidden", "the token lacks the scope this operation needs");
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return respond(404, "not-found", "no such resource");
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return respond(405, "method-not-allowed", "method not allowed on this resource");
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return respond(415, "unsupported-media-type", "unsupported content type");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 413) {
            return respond(413, "body-too-large", "request body is too large");
        }
        if (status >= 500) {
            LOG.error("request failed", e);
            return respond(500, "internal", "internal error");
        }
        // JSON bodies that fail to parse arrive here wrapped by the REST layer.
        Throwable cause = e.getCause();
        if (cause instanceof MismatchedInputException m) {
            return mismatched(m);
        }
        if (cause instanceof JsonProcessingException j) {
            return json(j);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String reason = known == null ? "HTTP " + status : known.getReasonPhrase();
        return respond(status, reason.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-"), reason);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected error", e);
        return respond(500, "internal", "internal error");
    }

    private static Response withChallenge(Response r) {
        r.getHeaders().putSingle("WWW-Authenticate", "Bearer");
        return r;
    }
}
