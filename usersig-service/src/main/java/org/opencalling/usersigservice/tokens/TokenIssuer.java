package org.opencalling.usersigservice.tokens;

import io.quarkus.runtime.Startup;
import io.smallrye.jwt.build.Jwt;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.opencalling.service.ConfigFiles;

/** Authenticates backend clients and signs their access tokens. */
@Startup
@Singleton
public class TokenIssuer {
    private static final Logger LOG = Logger.getLogger(TokenIssuer.class);

    @ConfigProperty(name = "backend.clients.file")
    Optional<String> file;

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String issuer;

    @ConfigProperty(name = "token.ttl-seconds", defaultValue = "900")
    long ttlSeconds;

    @Inject
    SigningKeys keys;

    @Inject
    Clock clock;

    private BackendClients clients;

    @PostConstruct
    void load() {
        try {
            clients = BackendClients.parse(
                    ConfigFiles.inlineAndFile("BACKEND_CLIENTS", ConfigFiles.raw("backend.clients"),
                            "BACKEND_CLIENTS_FILE", file));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Invalid backend client configuration: " + e.getMessage());
        }
        if (ttlSeconds < 60 || ttlSeconds > 86400) {
            throw new IllegalStateException("TOKEN_TTL_SECONDS must be between 60 and 86400, is " + ttlSeconds);
        }
        if (clients.size() == 0) {
            LOG.info("No backend clients configured (BACKEND_CLIENTS): /v1/token refuses every client");
        } else {
            LOG.infof("%d backend client(s) configured", clients.size());
        }
    }

    public BackendClients.Client authenticate(String id, String secret) {
        return clients.authenticate(id, secret);
    }

    public long ttlSeconds() {
        return ttlSeconds;
    }

    /** Signs a token for {@code scopes}, which the caller has checked against the client's own. */
    public String issue(BackendClients.Client client, Set<String> scopes) {
        long now = clock.millis() / 1000;
        Set<String> sorted = new TreeSet<>(scopes);
        return Jwt.issuer(issuer)
                .subject(client.id())
                .upn(client.id())
                .issuedAt(now)
                .expiresAt(now + ttlSeconds)
                .claim("jti", UUID.randomUUID().toString())
                .claim("scope", String.join(" ", sorted))
                .groups(sorted)
                .jws().keyId(keys.signingKid()).algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.RS256)
                .sign(keys.signingKey());
    }
}
