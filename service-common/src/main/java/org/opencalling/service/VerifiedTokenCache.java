package org.opencalling.service;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backend callers (a signaling pod, a CRM) send the same token with every request until it
 * expires; verifying its RS256 signature and parsing its JSON each time was most of a login's
 * CPU. A token that verified is remembered, by its exact text and the configuration that verified
 * it, until its own expiry but at most 5 minutes (so a signing key withdrawn from the JWKS
 * stops being honoured within that time). Bounded: when full, it
 * starts over. A service with its own factory (usersig-service) takes precedence with a higher
 * priority.
 */
@Singleton
@Alternative
@Priority(1)
public class VerifiedTokenCache extends JWTCallerPrincipalFactory {
    static final int MAX_ENTRIES = 10_000;
    /** A verification is reused at most this long, so a key withdrawn from the JWKS stops working soon. */
    static final long MAX_REUSE_MILLIS = 5 * 60_000;

    private final DefaultJWTCallerPrincipalFactory delegate = new DefaultJWTCallerPrincipalFactory();
    private final ConcurrentHashMap<String, Entry> verified = new ConcurrentHashMap<>();

    /** Remembered under the configuration that verified it (a test or a reload may change it). */
    private record Entry(JWTCallerPrincipal principal, JWTAuthContextInfo info, long reuseUntilMillis) {
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo info) throws ParseException {
        long now = System.currentTimeMillis();
        Entry known = verified.get(token);
        if (known != null) {
            if (known.info() == info && now < known.reuseUntilMillis()) {
                return known.principal();
            }
            verified.remove(token); // verify again: refused if expired, re-remembered if not
        }
        JWTCallerPrincipal fresh = delegate.parse(token, info);
        long until = Math.min(fresh.getExpirationTime() * 1000, now + MAX_REUSE_MILLIS);
        if (until > now) { // not already past exp (accepted only within the allowed clock skew)
            if (verified.size() >= MAX_ENTRIES) {
                verified.clear();
            }
            verified.put(token, new Entry(fresh, info, until));
        }
        return fresh;
    }
}
