package org.opencalling.stun;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest): username
 * {@code expiry:sdkAppId:userId} ({@link TurnUsername}), password
 * {@code base64(HMAC-SHA1(secret, username))}. The relay recomputes the password from the same
 * {@code TURN_SECRET} and refuses expired usernames ({@link #passwordIfValid}). Shared by
 * signaling-service (mints) and media-relay (checks).
 */
public final class TurnCredentials {
    public record Credential(String username, String password, long expiresAt) {
    }

    private final SecretKeySpec key;

    public TurnCredentials(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("TURN_SECRET is empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1");
    }

    public Credential mint(long sdkAppId, String userId, long ttlSeconds, long nowSeconds) {
        long expiry = nowSeconds + ttlSeconds;
        String username = TurnUsername.of(expiry, sdkAppId, userId).text();
        return new Credential(username, password(username), expiry);
    }

    /**
     * The relay's side: the password for this username if it is a TURN REST username
     * ({@code expiry:anything}, expiry in epoch seconds) not expired at {@code nowSeconds};
     * null otherwise (malformed or expired: answered 401).
     */
    public String passwordIfValid(String username, long nowSeconds) {
        TurnUsername u = TurnUsername.parse(username);
        return u == null || u.expiry() <= nowSeconds ? null : password(username);
    }

    public String password(String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(key);
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
