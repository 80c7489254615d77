package org.opencalling.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheTest {
    static final KeyPair KEYS = keys();
    static final KeyPair OTHER = keys();

    static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    final JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) KEYS.getPublic(), "iss");
    final VerifiedTokenCache cache = new VerifiedTokenCache();

    @Test
    void aVerifiedTokenIsRememberedUntilItExpires() throws Exception {
        String token = Jwt.issuer("iss").subject("pod").groups(Set.of("presence:write")).expiresIn(300)
                .sign(KEYS.getPrivate());
        var first = cache.parse(token, info);
        assertSame(first, cache.parse(token, info), "second use served from the cache");
        assertEquals(Set.of("presence:write"), first.getGroups());
    }

    @Test
    void aVerificationIsNotReusedUnderAnotherConfiguration() throws Exception {
        String token = Jwt.issuer("iss").subject("pod").expiresIn(300).sign(KEYS.getPrivate());
        cache.parse(token, info);
        JWTAuthContextInfo otherKey = new JWTAuthContextInfo((RSAPublicKey) OTHER.getPublic(), "iss");
        assertThrows(ParseException.class, () -> cache.parse(token, otherKey), "verified again under the other key");
    }

    @Test
    void aTokenPastItsExpiryWithinTheSkewIsNotRemembered() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String token = Jwt.issuer("iss").subject("pod").issuedAt(now - 100).expiresAt(now - 5).sign(KEYS.getPrivate());
        JWTAuthContextInfo lenient = new JWTAuthContextInfo((RSAPublicKey) KEYS.getPublic(), "iss");
        lenient.setClockSkew(60);
        var first = cache.parse(token, lenient);
        org.junit.jupiter.api.Assertions.assertNotSame(first, cache.parse(token, lenient), "verified each time");
    }

    @Test
    void whatFailsVerificationIsNeverRemembered() {
        String forged = Jwt.issuer("iss").subject("pod").expiresIn(300).sign(OTHER.getPrivate());
        assertThrows(ParseException.class, () -> cache.parse(forged, info));
        assertThrows(ParseException.class, () -> cache.parse(forged, info));
        long past = System.currentTimeMillis() / 1000 - 3600;
        String expired = Jwt.issuer("iss").subject("pod").issuedAt(past - 60).expiresAt(past).sign(KEYS.getPrivate());
        assertThrows(ParseException.class, () -> cache.parse(expired, info));
        String wrongIssuer = Jwt.issuer("other").subject("pod").expiresIn(300).sign(KEYS.getPrivate());
        assertThrows(ParseException.class, () -> cache.parse(wrongIssuer, info));
    }
}
