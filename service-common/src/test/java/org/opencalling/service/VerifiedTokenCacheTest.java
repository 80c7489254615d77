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
