package org.opencalling.presence.queries;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.opencalling.presence.sessions.SessionStore;
import org.opencalling.service.ApiException;
import org.opencalling.service.Fields;
import org.opencalling.service.Scopes;

/** Who is online (scope {@code presence:read}). {@code since} is epoch milliseconds. */
@Path("/v1/presence")
@Produces(MediaType.APPLICATION_JSON)
public class PresenceResource {
    public static final String READ_SCOPE = "presence:read";
    public static final int MAX_QUERY = 500;

    @Inject
    SessionStore store;

    @Inject
    SecurityIdentity identity;

    @Inject
    MeterRegistry registry;

    public record UserPresence(String userId, boolean online, Long since, String sessionId) {
    }

    public record QueryRequest(Long sdkAppId, List<String> userIds) {
    }

    public record QueryResponse(long sdkAppId, List<UserPresence> users) {
    }

    @GET
    @Path("/{sdkAppId}/{userId}")
    @Operation(summary = "Whether one user is online")
    public UserPresence one(@PathParam("sdkAppId") String sdkAppId, @PathParam("userId") String userId) {
        Scopes.require(identity, READ_SCOPE, registry);
        long app = Fields.sdkAppId(sdkAppId);
        String user = Fields.userId(userId);
        return presence(user, store.lookup(app, List.of(user)).get(0));
    }

    @POST
    @Path("/query")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Whether each of up to 500 users is online, in one call")
    public QueryResponse query(QueryRequest req) {
        Scopes.require(identity, READ_SCOPE, registry);
        if (req == null) {
            throw ApiException.badRequest("missing-body", "a JSON body is required");
        }
        long app = Fields.sdkAppId(req.sdkAppId());
        if (req.userIds() == null) {
            throw ApiException.badRequest("missing-field", "userIds is required");
        }
        if (req.userIds().size() > MAX_QUERY) {
            throw ApiException.badRequest("too-many", "at most " + MAX_QUERY + " userIds per query");
        }
        List<String> users = new ArrayList<>(new LinkedHashSet<>(req.userIds()));
        users.forEach(Fields::userId);
        List<SessionStore.Live> live = users.isEmpty() ? List.of() : store.lookup(app, users);
        List<UserPresence> out = new ArrayList<>(users.size());
        for (int i = 0; i < users.size(); i++) {
            out.add(presence(users.get(i), live.get(i)));
        }
        return new QueryResponse(app, out);
    }

    private static UserPresence presence(String user, SessionStore.Live live) {
        return live == null ? new UserPresence(user, false, null, null)
                : new UserPresence(user, true, live.since(), live.sessionId());
    }
}
