package org.opencalling.presence.sessions;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.opencalling.presence.Inputs;
import org.opencalling.service.ApiException;
import org.opencalling.service.Fields;
import org.opencalling.service.Scopes;

/** The API signaling pods use for their sessions (scope {@code presence:write}). */
@Path("/v1/sessions")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {
    public static final String WRITE_SCOPE = "presence:write";
    static final int MAX_REFRESH = 200_000;

    @Inject
    Sessions sessions;

    @Inject
    SecurityIdentity identity;

    @Inject
    io.quarkus.security.identity.CurrentIdentityAssociation identities;

    @Inject
    MeterRegistry registry;

    public record RegisterRequest(Long sdkAppId, String userId, String pod, String sessionId) {
    }

    public record Displaced(String sessionId, String pod, long since) {
    }

    public record RegisterResponse(long sdkAppId, String userId, String sessionId, long since, Displaced displaced) {
    }

    @POST
    @Operation(summary = "Register a session as the user's one live session; returns the one it displaced")
    @io.smallrye.common.annotation.NonBlocking
    public io.smallrye.mutiny.Uni<Response> register(RegisterRequest req) {
        // On the event loop: the identity is resolved without blocking, then Redis is called
        // asynchronously. (Logins are the hot path; thread hand-offs were most of their cost.)
        return identities.getDeferredIdentity().flatMap(id -> {
            Scopes.require(id, WRITE_SCOPE, registry);
            return doRegister(req);
        });
    }

    private io.smallrye.mutiny.Uni<Response> doRegister(RegisterRequest req) {
        if (req == null) {
            throw ApiException.badRequest("missing-body", "a JSON body is required");
        }
        long app = Fields.sdkAppId(req.sdkAppId());
        String user = Fields.userId(req.userId());
        String pod = Inputs.pod(req.pod());
        if (req.sessionId() != null && !SessionKeys.validSessionId(req.sessionId())) {
            throw ApiException.badRequest("invalid-field", "sessionId must be 1-64 letters, digits, '_' or '-'");
        }
        return sessions.register(app, user, pod, req.sessionId()).map(r -> {
            Displaced d = r.displaced() == null ? null
                    : new Displaced(r.displaced().sessionId(), r.displaced().pod(), r.displaced().since());
            return Response.status(201).entity(new RegisterResponse(app, user, r.sessionId(), r.since(), d)).build();
        });
    }

    @DELETE
    @Path("/{sdkAppId}/{userId}/{sessionId}")
    @Operation(summary = "End a session (if it is still the live one)")
    public Map<String, Boolean> end(@PathParam("sdkAppId") String sdkAppId, @PathParam("userId") String userId,
                                    @PathParam("sessionId") String sessionId) {
        Scopes.require(identity, WRITE_SCOPE, registry);
        long app = Fields.sdkAppId(sdkAppId);
        String user = Fields.userId(userId);
        if (!SessionKeys.validSessionId(sessionId)) {
            throw ApiException.badRequest("invalid-field", "sessionId must be 1-64 letters, digits, '_' or '-'");
        }
        return Map.of("ended", sessions.end(app, user, sessionId) != null);
    }

    public record RefreshRequest(String pod, List<SessionRef> sessions) {
    }

    public record RefreshResponse(int refreshed, List<SessionRef> restored, List<SessionRef> lost) {
    }

    @POST
    @Path("/refresh")
    @Operation(summary = "Refresh all of one pod's sessions in one call",
            description = "Sessions missing from Redis (lost in a restart) are restored; sessions displaced "
                    + "meanwhile come back in 'lost': the pod should close them as kicked.")
    public RefreshResponse refresh(RefreshRequest req) {
        Scopes.require(identity, WRITE_SCOPE, registry);
        if (req == null) {
            throw ApiException.badRequest("missing-body", "a JSON body is required");
        }
        String pod = Inputs.pod(req.pod());
        if (req.sessions() == null) {
            throw ApiException.badRequest("missing-field", "sessions is required");
        }
        if (req.sessions().size() > MAX_REFRESH) {
            throw ApiException.badRequest("too-many", "at most " + MAX_REFRESH + " sessions per refresh");
        }
        for (int i = 0; i < req.sessions().size(); i++) {
            SessionRef s = req.sessions().get(i);
            if (s == null) {
                throw ApiException.badRequest("invalid-field", "sessions[" + i + "] is null");
            }
            Fields.sdkAppId(s.sdkAppId());
            Fields.userId(s.userId());
            if (!SessionKeys.validSessionId(s.sessionId())) {
                throw ApiException.badRequest("invalid-field", "sessions[" + i + "].sessionId is missing or invalid");
            }
        }
        SessionStore.RefreshResult r = sessions.refresh(pod, req.sessions());
        return new RefreshResponse(r.refreshed(), r.restored(), r.lost());
    }
}
