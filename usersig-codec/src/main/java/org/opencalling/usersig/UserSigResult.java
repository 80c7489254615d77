package org.opencalling.usersig;

/** Outcome of verifying a UserSig; {@link #code()} is the wire name used by every API. */
public enum UserSigResult {
    VALID("valid"),
    EXPIRED("expired"),
    BAD_SIGNATURE("bad-signature"),
    WRONG_USER("wrong-user"),
    WRONG_APP("wrong-app"),
    MALFORMED("malformed"),
    UNKNOWN_APP("unknown-app");

    private final String code;

    UserSigResult(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
