package org.opencalling.signaling.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest): username {@code expiry:userId}
 * (expiry in epoch seconds), password {@code base64(HMAC-SHA1(secret, username))}. The relay
 * recomputes the password from the same {@code TURN_SECRET} and refuses expired usernames.
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

    public Credential mint(String userId, long ttlSeconds, long nowSeconds) {
        long expiry = nowSeconds + ttlSeconds;
        String username = expiry + ":" + userId;
        return new Credential(username, password(username), expiry);
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
