package org.opencalling.stun;

import java.nio.charset.StandardCharsets;

/** ERROR-CODE values (RFC 8489 §14.8): class, number, reason phrase. */
public record ErrorCode(int code, String reason) {
    public static final int TRY_ALTERNATE = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHENTICATED = 401;
    public static final int FORBIDDEN = 403;
    public static final int MOBILITY_FORBIDDEN = 405;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int ALLOCATION_MISMATCH = 437;
    public static final int STALE_NONCE = 438;
    public static final int ADDRESS_FAMILY_NOT_SUPPORTED = 440;
    public static final int WRONG_CREDENTIALS = 441;
    public static final int UNSUPPORTED_TRANSPORT = 442;
    public static final int PEER_ADDRESS_FAMILY_MISMATCH = 443;
    public static final int ALLOCATION_QUOTA_REACHED = 486;
    public static final int SERVER_ERROR = 500;
    public static final int INSUFFICIENT_CAPACITY = 508;

    public byte[] encode() {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, 763); // at most 128 characters, 763 bytes (RFC 8489 §14.8)
        byte[] out = new byte[4 + len];
        out[2] = (byte) (code / 100);
        out[3] = (byte) (code % 100);
        System.arraycopy(text, 0, out, 4, len);
        return out;
    }

    /** The error code in a value, or null when malformed. */
    public static ErrorCode decode(byte[] value) {
        if (value.length < 4) {
            return null;
        }
        int cls = value[2] & 0x07;
        int number = value[3] & 0xFF;
        if (cls < 3 || cls > 6 || number > 99) {
            return null;
        }
        return new ErrorCode(cls * 100 + number, new String(value, 4, value.length - 4, StandardCharsets.UTF_8));
    }
}
