package org.opencalling.usersigservice.tokens;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

@Path("/.well-known/jwks.json")
public class JwksResource {
    @Inject
    SigningKeys keys;

    @GET
    @Produces({"application/jwk-set+json", "application/json"})
    @Operation(summary = "Public keys of backend tokens: the current signing key and the previous one")
    public Response jwks() {
        return Response.ok(keys.jwks()).header("Cache-Control", "public, max-age=300").build();
    }
}
