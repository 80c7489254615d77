package org.opencalling.usersigservice.tickets;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.Base64;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.opencalling.usersig.AppKey;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigCodec;
import org.opencalling.usersig.UserSigVerifier;
import org.opencalling.usersig.Verification;
import org.opencalling.service.ApiException;
import org.opencalling.service.Fields;
import org.opencalling.service.Scopes;

@Path("/v1/usersig")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class UserSigResource {
    public static final String ISSUE_SCOPE = "usersig:issue";

    @Inject
    Applications apps;

    @Inject
    UserSigVerifier verifier;

    @Inject
    SecurityIdentity identity;

    @Inject
    MeterRegistry registry;

    @Inject
    Clock clock;

    @ConfigProperty(name = "usersig.demo-mode", defaultValue = "false")
    boolean demoMode;

    @ConfigProperty(name = "usersig.default-expire-seconds", defaultValue = "86400")
    long defaultExpireSeconds;

    @ConfigProperty(name = "usersig.max-expire-seconds", defaultValue = "15552000")
    long maxExpireSeconds;

    @POST
    @Operation(summary = "Issue a UserSig", description = "Needs a backend token with scope usersig:issue, "
            + "except in demo mode (USERSIG_DEMO_MODE=true, local runs only).")
    public IssueResponse issue(IssueRequest req) {
        if (!demoMode) {
            Scopes.require(identity, ISSUE_SCOPE, registry);
        }
        if (req == null) {
            throw ApiException.badRequest("missing-body", "a JSON body is required");
        }
        long appId = Fields.sdkAppId(req.sdkAppId());
        String userId = Fields.userId(req.userId());
        long expire = req.expireSeconds() == null ? defaultExpireSeconds : req.expireSeconds();
        if (expire < 1 || expire > maxExpireSeconds) {
            throw ApiException.badRequest("invalid-expire", "expireSeconds must be between 1 and " + maxExpireSeconds);
        }
        byte[] userBuf = null;
        if (req.userBuf() != null) {
            try {
                userBuf = Base64.getDecoder().decode(req.userBuf());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid-field", "userBuf must be standard base64");
            }
            if (userBuf.length > UserSigCodec.MAX_USERBUF_BYTES) {
                throw ApiException.badRequest("invalid-field",
                        "userBuf must be at most " + UserSigCodec.MAX_USERBUF_BYTES + " bytes");
            }
        }
        AppKey key = apps.find(appId);
        if (key == null) {
            throw new ApiException(404, "unknown-app", "SDKAppID " + appId + " is not configured");
        }
        long now = clock.millis() / 1000;
        String sig = UserSigCodec.issue(key, userId, expire, now, userBuf);
        registry.counter("usersig.issued", "app", Long.toString(appId), "mode", demoMode ? "demo" : "token").increment();
        return new IssueResponse(appId, userId, sig, now + expire);
    }

    @POST
    @Path("/verify")
    @Operation(summary = "Verify a UserSig", description = "Reasons: expired, bad-signature, wrong-user, "
            + "wrong-app, malformed, unknown-app.")
    public VerifyResponse verify(VerifyRequest req) {
        if (req == null) {
            throw ApiException.badRequest("missing-body", "a JSON body is required");
        }
        long appId = Fields.sdkAppId(req.sdkAppId());
        String userId = Fields.userId(req.userId());
        if (req.userSig() == null) {
            throw ApiException.badRequest("missing-field", "userSig is required");
        }
        Verification v = verifier.verify(appId, userId, req.userSig(), clock.millis() / 1000);
        registry.counter("usersig.verifications", "result", v.result().code()).increment();
        return new VerifyResponse(v.valid(), v.valid() ? null : v.result().code(),
                v.expireAt() < 0 ? null : v.expireAt());
    }
}
