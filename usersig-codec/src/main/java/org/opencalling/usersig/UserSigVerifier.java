package org.opencalling.usersig;

/**
 * Verifies UserSigs locally against the configured applications: no network hop. The checks run
 * in a fixed order (malformed, unknown-app, wrong-app, wrong-user, bad-signature, expired) so
 * the reason given never reveals more than the ticket's own, unsigned, content.
 */
public final class UserSigVerifier {
    private final Applications apps;

    public UserSigVerifier(Applications apps) {
        this.apps = apps;
    }

    public Verification verify(long sdkAppId, String userId, String userSig, long nowSeconds) {
        AppKey key = apps.find(sdkAppId);
        DecodedUserSig d = UserSigCodec.decode(userSig);
        if (d == null) {
            return Verification.of(UserSigResult.MALFORMED);
        }
        if (key == null) {
            return Verification.of(UserSigResult.UNKNOWN_APP);
        }
        return new Verification(UserSigCodec.check(key, d, userId, nowSeconds), d.expireAt());
    }
}
