package org.opencalling.signaling.rest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.opencalling.service.ApiException;
import org.opencalling.service.Fields;
import org.opencalling.service.Scopes;
import org.opencalling.signaling.calls.Call;
import org.opencalling.signaling.calls.CallService;
import org.opencalling.signaling.calls.Participant;

/**
 * The REST invite API for other backends: ring users on behalf of a caller, read a call's
 * state, end it (scopes {@code calls:write}, {@code calls:read}). Times are epoch milliseconds.
 */
@Path("/v1/calls")
@Produces(MediaType.APPLICATION_JSON)
public class CallsResource {
    @Inject
    CallService calls;

    @Inject
    SecurityIdentity identity;

    @Inject
    MeterRegistry registry;

    public record InviteRequest(Long sdkAppId, String caller, List<String> callees, String type,
                                Integer timeoutSeconds, String groupId) {
    }

    public record ParticipantView(String userId, String state, long invitedAt, Long answeredAt) {
    }

    public record CallView(String callId, long sdkAppId, String caller, String groupId, String type, String state,
                           String endReason, long createdAt, Long startedAt, Long endedAt, long durationMs,
                           List<ParticipantView> participants) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ring users on behalf of a caller")
    public Response invite(InviteRequest req) {
        Scopes.require(identity, "calls:write", registry);
        if (req == null) {
            throw ApiException.badRequest("missing-body", "a JSON body is required");
        }
        long app = Fields.sdkAppId(req.sdkAppId());
        String caller = Fields.userId(req.caller());
        if (req.callees() == null || req.callees().isEmpty() || req.callees().size() > 16) {
            throw ApiException.badRequest("invalid-field", "callees must list 1 to 16 userIds");
        }
        List<String> callees = new ArrayList<>(new LinkedHashSet<>(req.callees()));
        callees.forEach(Fields::userId);
        int timeout = req.timeoutSeconds() == null ? 30 : req.timeoutSeconds();
        if (timeout < 1 || timeout > 300) {
            throw ApiException.badRequest("invalid-field", "timeoutSeconds must be 1 to 300");
        }
        if (req.groupId() != null && (req.groupId().isEmpty() || req.groupId().length() > 64)) {
            throw ApiException.badRequest("invalid-field", "groupId must be 1 to 64 characters");
        }
        String callId = calls.invite(app, caller, callees,
                CallService.callType(req.type() == null ? "video" : req.type()), req.groupId(), timeout * 1000L);
        return Response.status(201).entity(view(calls.load(callId))).build();
    }

    @GET
    @Path("/{callId}")
    @Operation(summary = "A call and each participant's state")
    public CallView get(@PathParam("callId") String callId) {
        Scopes.require(identity, "calls:read", registry);
        return view(find(callId));
    }

    @DELETE
    @Path("/{callId}")
    @Operation(summary = "End a call")
    public CallView end(@PathParam("callId") String callId) {
        Scopes.require(identity, "calls:write", registry);
        find(callId);
        return view(calls.terminate(callId, "ended-by-api"));
    }

    private Call find(String callId) {
        if (callId == null || !callId.matches("[0-9a-f-]{36}")) {
            throw ApiException.badRequest("invalid-field", "callId is not a call id");
        }
        Call c = calls.load(callId);
        if (c == null) {
            throw new ApiException(404, "unknown-call", "no such call");
        }
        return c;
    }

    static CallView view(Call c) {
        List<ParticipantView> ps = new ArrayList<>();
        for (Participant p : c.participants()) {
            ps.add(new ParticipantView(p.userId(), p.state().wire(), p.invitedAt(),
                    p.answeredAt() == 0 ? null : p.answeredAt()));
        }
        return new CallView(c.callId(), c.sdkAppId(), c.caller(), c.groupId(), c.type().wire(), c.state().wire(),
                c.endReason(), c.createdAt(), c.startedAt() == 0 ? null : c.startedAt(),
                c.endedAt() == 0 ? null : c.endedAt(), c.duration(), ps);
    }
}
