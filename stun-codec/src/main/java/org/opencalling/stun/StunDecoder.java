package org.opencalling.stun;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads STUN messages with explicit limits. Never throws on input: a malformed packet is a
 * {@link Result} with the reason, so a flood of garbage costs a few comparisons each.
 */
public final class StunDecoder {
    /** A result: the message, or why there is none. */
    public record Result(StunMessage message, String error) {
        public boolean ok() {
            return message != null;
        }

        static Result bad(String why) {
            return new Result(null, why);
        }
    }

    private final int maxLength;
    private final int maxAttributes;

    /** Defaults: 65,535 + 20 bytes (the largest a length field allows), 64 attributes. */
    public StunDecoder() {
        this(0xFFFF + StunTypes.HEADER_LENGTH, 64);
    }

    public StunDecoder(int maxLength, int maxAttributes) {
        this.maxLength = maxLength;
        this.maxAttributes = maxAttributes;
    }

    /** Whether these bytes can be a STUN message at all (RFC 7983: first byte 0–3, the cookie). */
    public static boolean looksLikeStun(byte[] b, int off, int len) {
        return len >= StunTypes.HEADER_LENGTH && (b[off] & 0xC0) == 0 && readInt(b, off + 4) == StunTypes.MAGIC_COOKIE;
    }

    public Result decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    public Result decode(byte[] b, int off, int len) {
        if (b == null || off < 0 || len < 0 || off + len > b.length) {
            return Result.bad("no buffer");
        }
        if (len < StunTypes.HEADER_LENGTH) {
            return Result.bad("shorter than a STUN header");
        }
        if (len > maxLength) {
            return Result.bad("longer than " + maxLength + " bytes");
        }
        if ((b[off] & 0xC0) != 0) {
            return Result.bad("the first two bits are not zero");
        }
        if (readInt(b, off + 4) != StunTypes.MAGIC_COOKIE) {
            return Result.bad("no magic cookie");
        }
        int type = readShort(b, off);
        int length = readShort(b, off + 2);
        if ((length & 3) != 0) {
            return Result.bad("length not a multiple of 4");
        }
        if (StunTypes.HEADER_LENGTH + length != len) {
            return Result.bad("length field says " + length + ", " + (len - StunTypes.HEADER_LENGTH) + " bytes follow");
        }
        byte[] tid = Arrays.copyOfRange(b, off + 8, off + 20);
        List<StunAttribute> attributes = new ArrayList<>();
        int p = off + StunTypes.HEADER_LENGTH;
        int end = off + len;
        boolean afterIntegrity = false;
        boolean afterFingerprint = false;
        while (p < end) {
            if (end - p < 4) {
                return Result.bad("truncated attribute header");
            }
            if (afterFingerprint) {
                return Result.bad("an attribute after FINGERPRINT");
            }
            int at = readShort(b, p);
            int al = readShort(b, p + 2);
            int padded = (al + 3) & ~3;
            if (padded > end - p - 4) {
                return Result.bad(String.format("attribute 0x%04X longer than the message", at));
            }
            if (attributes.size() == maxAttributes) {
                return Result.bad("more than " + maxAttributes + " attributes");
            }
            // After MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count (RFC 8489 §14.5).
            if (!afterIntegrity || at == StunTypes.FINGERPRINT || at == StunTypes.MESSAGE_INTEGRITY_SHA256) {
                attributes.add(new StunAttribute(at, Arrays.copyOfRange(b, p + 4, p + 4 + al), p - off));
            }
            if (at == StunTypes.MESSAGE_INTEGRITY || at == StunTypes.MESSAGE_INTEGRITY_SHA256) {
                afterIntegrity = true;
            }
            if (at == StunTypes.FINGERPRINT) {
                afterFingerprint = true;
            }
            p += 4 + padded;
        }
        return new Result(new StunMessage(type, tid, attributes, Arrays.copyOfRange(b, off, off + len)), null);
    }

    static int readShort(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static int readInt(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }
}
