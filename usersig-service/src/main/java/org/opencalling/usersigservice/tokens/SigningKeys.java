package org.opencalling.usersigservice.tokens;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.opencalling.service.ConfigFiles;

/**
 * The RS256 keys for backend tokens. The signing key comes from {@code JWT_SIGNING_KEY_FILE}
 * (a PKCS#8 PEM, e.g. a Kubernetes secret); {@code JWT_PREVIOUS_KEY_FILE} (public or private
 * PEM) is published beside it so tokens signed before a rotation keep verifying. Only the local
 * run may fall back to a generated key ({@code JWT_ALLOW_GENERATED_KEY=true}), with a warning.
 */
@Startup
@Singleton
public class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    /** A public key as published in the JWKS, with its RFC 7638 thumbprint as {@code kid}. */
    public record PublishedKey(String kid, RSAPublicKey key) {
    }

    @ConfigProperty(name = "jwt.signing-key.file")
    Optional<String> signingKeyFile;

    @ConfigProperty(name = "jwt.previous-key.file")
    Optional<String> previousKeyFile;

    @ConfigProperty(name = "jwt.allow-generated-key", defaultValue = "false")
    boolean allowGenerated;

    private PrivateKey signingKey;
    private String signingKid;
    private List<PublishedKey> published;

    @PostConstruct
    void load() {
        RSAPublicKey signingPublic;
        Optional<String> pem = ConfigFiles.read("JWT_SIGNING_KEY_FILE", signingKeyFile);
        if (pem.isPresent()) {
            RSAPrivateCrtKey key = readPrivate(pem.get(), "JWT_SIGNING_KEY_FILE");
            signingKey = key;
            signingPublic = publicOf(key);
        } else if (allowGenerated) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                var pair = g.generateKeyPair();
                signingKey = pair.getPrivate();
                signingPublic = (RSAPublicKey) pair.getPublic();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            LOG.warn("JWT_SIGNING_KEY_FILE is not set: signing backend tokens with a key generated at start-up. "
                    + "Tokens break at every restart and differ between pods. For the local run only.");
        } else {
            throw new IllegalStateException("JWT_SIGNING_KEY_FILE is not set: backend tokens need an RSA signing "
                    + "key (PKCS#8 PEM, e.g. `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`). "
                    + "Only a local run may set JWT_ALLOW_GENERATED_KEY=true instead.");
        }
        signingKid = thumbprint(signingPublic);
        List<PublishedKey> keys = new ArrayList<>();
        keys.add(new PublishedKey(signingKid, signingPublic));
        ConfigFiles.read("JWT_PREVIOUS_KEY_FILE", previousKeyFile).ifPresent(text -> {
            RSAPublicKey previous = readPublicOrPrivate(text, "JWT_PREVIOUS_KEY_FILE");
            String kid = thumbprint(previous);
            if (!kid.equals(signingKid)) {
                keys.add(new PublishedKey(kid, previous));
            }
        });
        published = List.copyOf(keys);
        LOG.infof("Backend tokens signed with key %s; JWKS publishes %d key(s)", signingKid, published.size());
    }

    public PrivateKey signingKey() {
        return signingKey;
    }

    public String signingKid() {
        return signingKid;
    }

    public List<PublishedKey> published() {
        return published;
    }

    /** The JWK Set document served at {@code /.well-known/jwks.json}. */
    public Map<String, Object> jwks() {
        List<Map<String, Object>> keys = new ArrayList<>();
        for (PublishedKey k : published) {
            Map<String, Object> jwk = new LinkedHashMap<>();
            jwk.put("kty", "RSA");
            jwk.put("kid", k.kid());
            jwk.put("use", "sig");
            jwk.put("alg", "RS256");
            jwk.put("n", b64url(k.key().getModulus()));
            jwk.put("e", b64url(k.key().getPublicExponent()));
            keys.add(jwk);
        }
        return Map.of("keys", keys);
    }

    static String thumbprint(RSAPublicKey key) {
        // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
        String json = "{\"e\":\"" + b64url(key.getPublicExponent()) + "\",\"kty\":\"RSA\",\"n\":\""
                + b64url(key.getModulus()) + "\"}";
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64url(BigInteger v) {
        byte[] bytes = v.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length); // unsigned big-endian
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static RSAPrivateCrtKey readPrivate(String pem, String variable) {
        byte[] der = pemBody(pem, "PRIVATE KEY", variable);
        try {
            if (KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)) instanceof RSAPrivateCrtKey k) {
                if (k.getModulus().bitLength() < 2048) {
                    throw new IllegalStateException(variable + ": RSA key is " + k.getModulus().bitLength()
                            + " bits; at least 2048 are required");
                }
                return k;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(variable + ": not an RSA private key in PKCS#8 PEM: " + e.getMessage());
        }
        throw new IllegalStateException(variable + ": not an RSA private key with CRT parameters");
    }

    private static RSAPublicKey readPublicOrPrivate(String pem, String variable) {
        if (pem.contains("-----BEGIN PUBLIC KEY-----")) {
            try {
                return (RSAPublicKey) KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(pemBody(pem, "PUBLIC KEY", variable)));
            } catch (GeneralSecurityException | ClassCastException e) {
                throw new IllegalStateException(variable + ": not an RSA public key in PEM: " + e.getMessage());
            }
        }
        return publicOf(readPrivate(pem, variable));
    }

    private static RSAPublicKey publicOf(RSAPrivateCrtKey k) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pemBody(String pem, String type, String variable) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int a = pem.indexOf(begin);
        int b = pem.indexOf(end);
        if (a < 0 || b < a) {
            throw new IllegalStateException(variable + ": expected a PEM block '" + begin + "'"
                    + (pem.contains("BEGIN RSA PRIVATE KEY")
                        ? " (PKCS#1 found: convert with `openssl pkcs8 -topk8 -nocrypt`)" : ""));
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(a + begin.length(), b));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(variable + ": PEM body is not base64");
        }
    }
}
