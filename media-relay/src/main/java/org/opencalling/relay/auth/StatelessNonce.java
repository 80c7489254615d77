package org.opencalling.relay.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Nonces that need no memory (RFC 8489 §9.2): {@code expiry || HMAC(key, expiry || client)}
 * in base64url. The server checks one by recomputing it, so a flood of unauthenticated Allocates
 * costs no state, and a restart only makes outstanding nonces stale (the client retries with
 * the new one it is given with 438). The key is random per process unless configured.
 */
public final class StatelessNonce {
    /** The outcome of checking a nonce. */
    public enum Check { VALID, STALE, INVALID }

    private static final int MAC_BYTES = 12;
    private final SecretKeySpec key;
    private final long lifetimeMillis;

    public StatelessNonce(byte[] key, long lifetimeMillis) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.lifetimeMillis = lifetimeMillis;
    }

    public static StatelessNonce withRandomKey(long lifetimeMillis) {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new StatelessNonce(k, lifetimeMillis);
    }

    /** A fresh nonce for this client (its transport address as text), valid {@code lifetimeMillis}. */
    public String issue(String client, long nowMillis) {
        long expiry = nowMillis + lifetimeMillis;
        ByteBuffer b = ByteBuffer.allocate(8 + MAC_BYTES);
        b.putLong(expiry);
        b.put(mac(expiry, client));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    public Check check(String nonce, String client, long nowMillis) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return Check.INVALID;
        }
        if (raw.length != 8 + MAC_BYTES) {
            return Check.INVALID;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        long expiry = b.getLong();
        byte[] given = new byte[MAC_BYTES];
        b.get(given);
        if (!MessageDigest.isEqual(given, mac(expiry, client))) {
            return Check.INVALID;
        }
        return expiry <= nowMillis ? Check.STALE : Check.VALID;
    }

    private byte[] mac(long expiry, String client) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(ByteBuffer.allocate(8).putLong(expiry).array());
            byte[] full = m.doFinal(client.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[MAC_BYTES];
            System.arraycopy(full, 0, out, 0, MAC_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
