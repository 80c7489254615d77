package org.opencalling.usersigservice.tokens;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.Key;
import java.util.List;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * This service verifies backend tokens with the keys it holds, not through its own JWKS URL:
 * the other services use {@code JWKS_URL}, but a service fetching from itself over HTTP would
 * depend on its own port and start-up order.
 */
@Singleton
@Alternative
@Priority(10)
public class LocalKeysPrincipalFactory extends JWTCallerPrincipalFactory {
    @Inject
    SigningKeys keys;

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo info) throws ParseException {
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setAllowedClockSkewInSeconds(info.getClockSkew())
                .setExpectedIssuer(true, info.getIssuedBy())
                .setSkipDefaultAudienceValidation()
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                .setVerificationKeyResolver((jws, nesting) -> resolve(jws.getKeyIdHeaderValue()))
                .build();
        try {
            var context = consumer.process(token);
            return new DefaultJWTCallerPrincipal(token, "JWT", context.getJwtClaims());
        } catch (InvalidJwtException e) {
            throw new ParseException("invalid backend token: " + e.getMessage(), e);
        }
    }

    private Key resolve(String kid) throws UnresolvableKeyException {
        List<SigningKeys.PublishedKey> published = keys.published();
        for (SigningKeys.PublishedKey k : published) {
            if (k.kid().equals(kid)) {
                return k.key();
            }
        }
        throw new UnresolvableKeyException("unknown key id " + kid);
    }
}
