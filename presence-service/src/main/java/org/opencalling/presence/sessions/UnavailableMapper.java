package org.opencalling.presence.sessions;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.opencalling.service.ErrorMappers;

/** Redis unreachable: 503 with the JSON error shape (the client may retry), never a 500. */
public class UnavailableMapper {
    @Inject
    ErrorMappers errors;

    @ServerExceptionMapper
    public Response unavailable(SessionStore.Unavailable e) {
        Response r = errors.respond(503, "redis-unavailable", "session store unavailable, retry shortly");
        r.getHeaders().putSingle("Retry-After", "1");
        return r;
    }
}
