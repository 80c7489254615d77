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
 * CPU. A token that verified is remembered, by its exact text, until its own expiry: nothing a
 * later check could learn differs (our tokens have no revocation). Bounded: when full, it
 * starts over. A service with its own factory (usersig-service) takes precedence with a higher
 * priority.
 */
@Singleton
@Alternative
@Priority(1)
public class VerifiedTokenCache extends JWTCallerPrincipalFactory {
    static final int MAX_ENTRIES = 10_000;

    private final DefaultJWTCallerPrincipalFactory delegate = new DefaultJWTCallerPrincipalFactory();
    private final ConcurrentHashMap<String, JWTCallerPrincipal> verified = new ConcurrentHashMap<>();

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo info) throws ParseException {
        JWTCallerPrincipal known = verified.get(token);
        long now = System.currentTimeMillis() / 1000;
        if (known != null) {
            if (known.getExpirationTime() > now) {
                return known;
            }
            verified.remove(token); // expired: verify again, which refuses it
        }
        JWTCallerPrincipal fresh = delegate.parse(token, info);
        if (verified.size() >= MAX_ENTRIES) {
            verified.clear();
        }
        verified.put(token, fresh);
        return fresh;
    }
}
