package org.opencalling.signaling.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.opencalling.service.ErrorMappers;
import org.opencalling.signaling.calls.Call;
import org.opencalling.signaling.calls.CallStore;

/** A transition the call does not allow is a 409 with its code; a lost race a 409 to retry. */
public class RefusedMapper {
    @Inject
    ErrorMappers errors;

    @ServerExceptionMapper
    public Response refused(Call.Refused e) {
        return errors.respond(e.code().equals("unknown-call") ? 404 : e.code().equals("invalid-field") ? 400 : 409,
                e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response conflict(CallStore.Conflict e) {
        return errors.respond(409, "conflict", e.getMessage());
    }
}
