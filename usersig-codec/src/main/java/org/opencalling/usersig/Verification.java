package org.opencalling.usersig;

/**
 * What a verification found. {@code expireAt} (epoch seconds) is known whenever the ticket
 * decoded, even if it is not valid; it is {@code -1} for malformed tickets and unknown apps.
 */
public record Verification(UserSigResult result, long expireAt) {

    public boolean valid() {
        return result == UserSigResult.VALID;
    }

    static Verification of(UserSigResult result) {
        return new Verification(result, -1);
    }
}
