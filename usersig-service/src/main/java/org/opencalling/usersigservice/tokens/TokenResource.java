package org.opencalling.usersigservice.tokens;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.opencalling.service.ApiException;

/**
 * OAuth2 client-credentials grant (RFC 6749 section 4.4). Clients authenticate with HTTP Basic
 * (preferred) or {@code client_id}/{@code client_secret} form fields; {@code scope} may narrow
 * the client's scopes, never widen them.
 */
@Path("/v1/token")
public class TokenResource {
    private static final Map<String, String> BASIC_CHALLENGE = Map.of("WWW-Authenticate", "Basic realm=\"usersig\"");

    @Inject
    TokenIssuer issuer;

    @Inject
    MeterRegistry registry;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Get a backend access token (OAuth2 client credentials, HTTP Basic)")
    public Response token(@HeaderParam("Authorization") String authorization,
                          @FormParam("grant_type") String grantType,
                          @FormParam("scope") String scope,
                          @FormParam("client_id") String formClientId,
                          @FormParam("client_secret") String formClientSecret) {
        String[] credentials = credentials(authorization, formClientId, formClientSecret);
        BackendClients.Client authenticated = issuer.authenticate(credentials[0], credentials[1]);
        if (authenticated == null && credentials.length == 4) {
            // RFC 6749 wants Basic credentials form-encoded first; most clients (curl -u) do not.
            authenticated = issuer.authenticate(credentials[2], credentials[3]);
        }
        BackendClients.Client client = authenticated;
        if (client == null) {
            fail("invalid-client");
            throw new ApiException(401, "invalid_client", "unknown client or wrong secret", BASIC_CHALLENGE);
        }
        if (grantType == null || grantType.isBlank()) {
            fail("invalid-request");
            throw ApiException.badRequest("invalid_request", "grant_type is required");
        }
        if (!"client_credentials".equals(grantType)) {
            fail("unsupported-grant-type");
            throw ApiException.badRequest("unsupported_grant_type", "only grant_type=client_credentials is supported");
        }
        Set<String> granted = client.scopes();
        if (scope != null && !scope.isBlank()) {
            granted = new LinkedHashSet<>(Arrays.asList(scope.trim().split("\\s+")));
            if (!client.scopes().containsAll(granted)) {
                fail("invalid-scope");
                throw ApiException.badRequest("invalid_scope", "the client may not request scope(s) "
                        + granted.stream().filter(s -> !client.scopes().contains(s)).sorted().toList());
            }
        }
        String token = issuer.issue(client, granted);
        registry.counter("tokens.issued", "client", client.id()).increment();
        return Response.ok(new TokenResponse(token, "Bearer", issuer.ttlSeconds(),
                        String.join(" ", new java.util.TreeSet<>(granted))))
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .build();
    }

    private String[] credentials(String authorization, String formId, String formSecret) {
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(java.util.Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                fail("invalid-client");
                throw new ApiException(401, "invalid_client", "malformed Basic credentials", BASIC_CHALLENGE);
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                fail("invalid-client");
                throw new ApiException(401, "invalid_client", "malformed Basic credentials", BASIC_CHALLENGE);
            }
            String id = decoded.substring(0, colon);
            String secret = decoded.substring(colon + 1);
            // As sent, then (RFC 6749 section 2.3.1) form-urlencoding undone.
            return new String[] {id, secret, formDecode(id), formDecode(secret)};
        }
        if (formId != null && formSecret != null) {
            return new String[] {formId, formSecret};
        }
        fail("missing-client-credentials");
        throw new ApiException(401, "invalid_client", "client authentication is required (HTTP Basic)", BASIC_CHALLENGE);
    }

    private static String formDecode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private void fail(String reason) {
        registry.counter("auth.failures", "reason", reason).increment();
    }
}
