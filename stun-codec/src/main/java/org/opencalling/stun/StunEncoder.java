package org.opencalling.stun;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a STUN message: attributes in order (zero padding), then, optionally,
 * MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, each computed as RFC 8489 says.
 */
public final class StunEncoder {
    private final int type;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes = new ArrayList<>();
    private byte[] integrityKey;
    private boolean sha1;
    private boolean sha256;
    private boolean fingerprint;

    private StunEncoder(int type, byte[] transactionId) {
        if (transactionId.length != 12) {
            throw new IllegalArgumentException("a transaction id is 12 bytes");
        }
        this.type = type;
        this.transactionId = transactionId.clone();
    }

    public static StunEncoder message(int method, int cls, byte[] transactionId) {
        return new StunEncoder(StunTypes.type(method, cls), transactionId);
    }

    /** A response (or error) to a request: same method, same transaction id. */
    public static StunEncoder answer(StunMessage request, int cls) {
        return new StunEncoder(StunTypes.type(request.method(), cls), request.transactionId());
    }

    public StunEncoder add(StunAttribute a) {
        if (a.length() > 0xFFFF) {
            throw new IllegalArgumentException("an attribute value is at most 65,535 bytes");
        }
        attributes.add(a);
        return this;
    }

    public StunEncoder add(int type, byte[] value) {
        return add(StunAttribute.of(type, value));
    }

    /** Appends MESSAGE-INTEGRITY (HMAC-SHA1) with this key. */
    public StunEncoder integrity(byte[] key) {
        this.integrityKey = key.clone();
        this.sha1 = true;
        return this;
    }

    /** Appends MESSAGE-INTEGRITY-SHA256 with this key (after MESSAGE-INTEGRITY if both). */
    public StunEncoder integritySha256(byte[] key) {
        this.integrityKey = key.clone();
        this.sha256 = true;
        return this;
    }

    public StunEncoder fingerprint() {
        this.fingerprint = true;
        return this;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        writeShort(out, type);
        writeShort(out, 0); // length, set below
        writeInt(out, StunTypes.MAGIC_COOKIE);
        out.writeBytes(transactionId);
        for (StunAttribute a : attributes) {
            writeAttribute(out, a.type(), a.value());
        }
        byte[] msg = out.toByteArray();
        if (sha1) {
            msg = appendMac(msg, StunTypes.MESSAGE_INTEGRITY, "HmacSHA1", 20);
        }
        if (sha256) {
            msg = appendMac(msg, StunTypes.MESSAGE_INTEGRITY_SHA256, "HmacSHA256", 32);
        }
        if (fingerprint) {
            long crc = StunIntegrity.fingerprint(msg, msg.length, msg.length + 8);
            msg = append(msg, StunTypes.FINGERPRINT, new byte[] {(byte) (crc >>> 24), (byte) (crc >>> 16),
                (byte) (crc >>> 8), (byte) crc});
        }
        setLength(msg);
        return msg;
    }

    private byte[] appendMac(byte[] msg, int attribute, String algorithm, int size) {
        byte[] mac = StunIntegrity.hmac(algorithm, integrityKey, msg, msg.length, msg.length + 4 + size);
        return append(msg, attribute, mac);
    }

    private static byte[] append(byte[] msg, int type, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(msg.length + 4 + value.length + 3);
        out.writeBytes(msg);
        writeAttribute(out, type, value);
        byte[] result = out.toByteArray();
        setLength(result);
        return result;
    }

    private static void setLength(byte[] msg) {
        int length = msg.length - StunTypes.HEADER_LENGTH;
        msg[2] = (byte) (length >>> 8);
        msg[3] = (byte) length;
    }

    private static void writeAttribute(ByteArrayOutputStream out, int type, byte[] value) {
        writeShort(out, type);
        writeShort(out, value.length);
        out.writeBytes(value);
        for (int i = value.length; (i & 3) != 0; i++) {
            out.write(0);
        }
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        writeShort(out, v >>> 16);
        writeShort(out, v);
    }
}
