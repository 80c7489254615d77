package org.opencalling.relay.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.opencalling.relay.allocation.Allocation;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.service.RelayService;
import org.opencalling.service.ApiException;
import org.opencalling.service.Fields;
import org.opencalling.service.Scopes;
import org.opencalling.stun.TurnUsername;

/**
 * The admin API: list this relay's allocations (scope {@code relay:read}) and end them, one or
 * all of a user's (scope {@code relay:write}). Each relay pod answers for its own allocations.
 * A user is an application's userID ({@code ?app=&user=}): the TURN username carries both.
 */
@Path("/v1/allocations")
@Produces(MediaType.APPLICATION_JSON)
public class AllocationsResource {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AllocationsResource.class);

    @Inject
    RelayService relay;

    @Inject
    SecurityIdentity identity;

    @Inject
    MeterRegistry registry;

    /** One allocation as the admin API shows it; times are epoch milliseconds. */
    public record AllocationView(String id, Long app, String user, String username, String transport, String client,
                                String relayedAddress, long createdAt, long expiresAt, int permissions, int channels,
                                long packetsToPeer, long bytesToPeer, long packetsToClient, long bytesToClient,
                                long droppedOverCap) {
    }

    public record AllocationList(int count, List<AllocationView> allocations) {
    }

    public record Ended(int ended) {
    }

    @GET
    @Operation(summary = "This relay's allocations, oldest first (optionally one user's, of one application or of any)")
    public AllocationList list(@QueryParam("user") String user, @QueryParam("app") String app) {
        Scopes.require(identity, "relay:read", registry);
        String only = user == null ? null : Fields.userId(user);
        Long onlyApp = app == null ? null : Fields.sdkAppId(app);
        // Read beside the relay's thread, not on it: a long list must not delay media.
        List<AllocationView> views = new ArrayList<>();
        for (Allocation a : relay.allocations().list()) {
            TurnUsername u = TurnUsername.parse(a.username());
            if ((only == null || only.equals(u.user())) && (onlyApp == null || onlyApp == u.sdkAppId())) {
                views.add(view(a, u));
            }
        }
        views.sort(Comparator.comparingLong(AllocationView::createdAt).thenComparing(AllocationView::id));
        return new AllocationList(views.size(), views);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One allocation")
    public AllocationView get(@PathParam("id") String id) {
        Scopes.require(identity, "relay:read", registry);
        Allocation a = relay.allocations().byId(id);
        if (a == null) {
            throw notFound(id);
        }
        return view(a, TurnUsername.parse(a.username()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "End one allocation now (a TCP client's connection is closed too)")
    public Response end(@PathParam("id") String id) {
        Scopes.require(identity, "relay:write", registry);
        Allocation a = relay.allocations().byId(id);
        if (a == null || await(relay.server().end(List.of(a))) == 0) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    @DELETE
    @Operation(summary = "End every allocation of one user (an application's userID) now")
    public Ended endUser(@QueryParam("user") String user, @QueryParam("app") String app) {
        Scopes.require(identity, "relay:write", registry);
        if (user == null) {
            throw ApiException.badRequest("missing-field", "user is required (ending everything is not offered)");
        }
        if (app == null) {
            throw ApiException.badRequest("missing-field",
                    "app is required with user: the same userID in two applications is two users");
        }
        String who = TurnUsername.of(1, Fields.sdkAppId(app), Fields.userId(user)).holder();
        List<Allocation> theirs = relay.allocations().list().stream()
                .filter(a -> who.equals(Allocations.quotaKey(a.username()))).toList();
        return new Ended(theirs.isEmpty() ? 0 : await(relay.server().end(theirs)));
    }

    private AllocationView view(Allocation a, TurnUsername u) {
        Allocation.Traffic t = a.traffic();
        return new AllocationView(a.id(), u.sdkAppId() > 0 ? u.sdkAppId() : null, u.user(), a.username(),
                a.tuple().transport().name().toLowerCase(java.util.Locale.ROOT),
                a.tuple().client().getAddress().getHostAddress() + ":" + a.tuple().client().getPort(),
                relay.publicHost() + ":" + a.relayPort(), a.createdAt(), a.expiresAt(), a.permissionCount(),
                a.channelCount(), t.packetsToPeer(), t.bytesToPeer(), t.packetsToClient(), t.bytesToClient(),
                t.droppedOverCap());
    }

    private static ApiException notFound(String id) {
        return new ApiException(404, "not-found", "no allocation " + id + " on this relay");
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("the relay did not end allocations in time: %s", e.toString());
            throw new ApiException(503, "unavailable", "the relay did not answer in time; list again to see the state");
        }
    }
}
