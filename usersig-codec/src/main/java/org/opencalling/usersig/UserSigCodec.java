package org.opencalling.usersig;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Encodes and decodes UserSigs in Tencent's TLS-sig API v2 format: a JSON document with the
 * HMAC-SHA256 in {@code TLS.sig}, zlib-deflated, then base64 in Tencent's URL-safe variant.
 * Decoding never throws for bad input: it returns {@code null}.
 */
public final class UserSigCodec {
    /** Longest ticket accepted, in characters; Tencent's own are about 150-400. */
    public static final int MAX_USERSIG_CHARS = 4096;
    /** Largest inflated document accepted: bounds the work a crafted deflate stream can cause. */
    public static final int MAX_DOCUMENT_BYTES = 4096;
    /** Largest userbuf, in bytes, a ticket may carry. */
    public static final int MAX_USERBUF_BYTES = 1024;
    /** Longest identifier the codec writes (the service's userID rule is far stricter). */
    public static final int MAX_IDENTIFIER_CHARS = 256;

    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[MAX_DOCUMENT_BYTES + 1]);

    private UserSigCodec() {
    }

    /**
     * Issues a UserSig.
     *
     * @param expireSeconds validity from {@code nowSeconds}
     * @param userBuf       optional opaque bytes signed into the ticket (e.g. a privilege map)
     */
    public static String issue(AppKey key, String identifier, long expireSeconds, long nowSeconds, byte[] userBuf) {
        if (!isSignableIdentifier(identifier)) {
            throw new IllegalArgumentException("identifier must be 1 to " + MAX_IDENTIFIER_CHARS
                    + " characters without control characters");
        }
        if (expireSeconds <= 0 || nowSeconds < 0 || nowSeconds > Long.MAX_VALUE - expireSeconds) {
            throw new IllegalArgumentException("time and expireSeconds must be non-negative, positive, and not overflow");
        }
        if (userBuf != null && userBuf.length > MAX_USERBUF_BYTES) {
            throw new IllegalArgumentException("userbuf is longer than " + MAX_USERBUF_BYTES + " bytes");
        }
        String b64UserBuf = userBuf == null ? null : Base64.getEncoder().encodeToString(userBuf);
        String sig = key.sign(identifier, nowSeconds, expireSeconds, b64UserBuf);

        StringBuilder json = new StringBuilder(160 + identifier.length()
                + (b64UserBuf == null ? 0 : b64UserBuf.length() + 16));
        json.append("{\"TLS.ver\":\"2.0\",\"TLS.identifier\":");
        appendJsonString(json, identifier);
        json.append(",\"TLS.sdkappid\":").append(key.sdkAppId())
                .append(",\"TLS.expire\":").append(expireSeconds)
                .append(",\"TLS.time\":").append(nowSeconds);
        if (b64UserBuf != null) {
            json.append(",\"TLS.userbuf\":\"").append(b64UserBuf).append('"');
        }
        json.append(",\"TLS.sig\":\"").append(sig).append("\"}");

        byte[] plain = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] z = SmallDeflate.zlib(plain);
        String ticket = SigBase64.encode(z, z.length);
        // Never hand out a ticket our own decoder would call malformed.
        if (plain.length > MAX_DOCUMENT_BYTES || ticket.length() > MAX_USERSIG_CHARS) {
            throw new IllegalArgumentException("identifier and userbuf make the ticket too large");
        }
        return ticket;
    }

    /** Decodes a UserSig's fields without checking its signature; {@code null} if malformed. */
    public static DecodedUserSig decode(String userSig) {
        if (userSig == null || userSig.isEmpty() || userSig.length() > MAX_USERSIG_CHARS) {
            return null;
        }
        byte[] compressed = SigBase64.decode(userSig);
        if (compressed == null) {
            return null;
        }
        String json = inflate(compressed);
        if (json == null) {
            return null;
        }
        Map<String, Object> doc = FlatJson.parseObject(json);
        if (doc == null || !"2.0".equals(doc.get("TLS.ver"))) {
            return null;
        }
        String identifier = text(doc.get("TLS.identifier"));
        long sdkAppId = number(doc.get("TLS.sdkappid"));
        long time = number(doc.get("TLS.time"));
        long expire = number(doc.get("TLS.expire"));
        String sig = text(doc.get("TLS.sig"));
        Object userBuf = doc.get("TLS.userbuf");
        if (!isSignableIdentifier(identifier) || sdkAppId <= 0 || time < 0 || expire < 0
                || sig == null || (userBuf != null && !(userBuf instanceof String u && isBase64Text(u)))
                || time > Long.MAX_VALUE - expire) {
            return null;
        }
        return new DecodedUserSig(identifier, sdkAppId, time, expire, (String) userBuf, sig);
    }

    private static String inflate(byte[] compressed) {
        Inflater inflater = INFLATER.get();
        inflater.reset();
        inflater.setInput(compressed);
        byte[] buf = BUFFER.get();
        try {
            int n = inflater.inflate(buf);
            // Not finished within the bound: too large, truncated, or needs a dictionary.
            if (!inflater.finished() || n > MAX_DOCUMENT_BYTES || inflater.getRemaining() != 0) {
                return null;
            }
            return new String(buf, 0, n, StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            return null;
        }
    }

    /** Verifies against a known key; the caller has matched the app already. */
    static UserSigResult check(AppKey key, DecodedUserSig d, String userId, long nowSeconds) {
        if (d.sdkAppId() != key.sdkAppId()) {
            return UserSigResult.WRONG_APP;
        }
        if (!d.identifier().equals(userId)) {
            return UserSigResult.WRONG_USER;
        }
        String expected = key.sign(d.identifier(), d.time(), d.expire(), d.userBuf());
        if (!java.security.MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.ISO_8859_1), d.sig().getBytes(StandardCharsets.ISO_8859_1))) {
            return UserSigResult.BAD_SIGNATURE;
        }
        // Checked last, so an expired answer is only ever given for a genuine ticket.
        if (nowSeconds > d.expireAt()) {
            return UserSigResult.EXPIRED;
        }
        return UserSigResult.VALID;
    }

    /**
     * The signed content is newline-separated {@code key:value} lines, so a value holding a line
     * break could shift text between fields and keep the signature valid for other fields
     * (e.g. a longer validity). Identifiers with control characters, and userbufs that are not
     * plain base64, are therefore refused on both sides.
     */
    static boolean isSignableIdentifier(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_IDENTIFIER_CHARS) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBase64Text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String text(Object o) {
        return o instanceof String s ? s : null;
    }

    private static long number(Object o) {
        return o instanceof Long l ? l : -1;
    }

    private static void appendJsonString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
