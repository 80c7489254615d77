package org.opencalling.stun;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One attribute: its type and value, and where it starts in the message it was read from
 * ({@code offset} of its header; -1 when built), which integrity checks need.
 */
public record StunAttribute(int type, byte[] value, int offset) {
    public StunAttribute {
        value = value.clone();
    }

    public static StunAttribute of(int type, byte[] value) {
        return new StunAttribute(type, value, -1);
    }

    public static StunAttribute text(int type, String value) {
        return of(type, value.getBytes(StandardCharsets.UTF_8));
    }

    public static StunAttribute u32(int type, long value) {
        return of(type, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    public String asText() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The first four bytes as an unsigned 32-bit number, or -1 when shorter. */
    public long asU32() {
        if (value.length < 4) {
            return -1;
        }
        return ((value[0] & 0xFFL) << 24) | ((value[1] & 0xFFL) << 16) | ((value[2] & 0xFFL) << 8) | (value[3] & 0xFFL);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("0x%04X(%d bytes)", type, value.length);
    }
}
