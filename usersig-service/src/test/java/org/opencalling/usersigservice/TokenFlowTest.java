package org.opencalling.usersigservice;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import java.net.URL;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The token flow end to end, checked by a verifier that knows nothing but the JWKS URL. */
@QuarkusTest
class TokenFlowTest {
    static final String ISSUER = "opencalling-usersig";

    @TestHTTPResource("/.well-known/jwks.json")
    URL jwksUrl;

    @Inject
    MutableClock clock;

    @AfterEach
    void resetClock() {
        clock.set(Duration.ZERO);
    }

    /** What another service does: smallrye-jwt with only the JWKS URL and the issuer. */
    JsonWebToken verifyElsewhere(String token) throws ParseException {
        JWTAuthContextInfo info = new JWTAuthContextInfo(jwksUrl.toString(), ISSUER);
        return new DefaultJWTParser(info).parse(token);
    }

    @Test
    void aTokenFromTheServiceVerifiesThroughTheJwks() throws Exception {
        var r = given().auth().preemptive().basic("issuer", "issuer-secret")
                .formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(900))
                .body("scope", equalTo("calls:read usersig:issue"))
                .extract();
        JsonWebToken jwt = verifyElsewhere(r.path("access_token"));
        assertEquals("issuer", jwt.getSubject());
        assertEquals(Set.of("usersig:issue", "calls:read"), jwt.getGroups());
        assertEquals("calls:read usersig:issue", jwt.getClaim("scope"));
        assertEquals(900, jwt.getExpirationTime() - jwt.getIssuedAtTime());
        String kid = given().get("/.well-known/jwks.json").then().extract().path("keys[0].kid");
        String header = new String(java.util.Base64.getUrlDecoder().decode(jwt.getRawToken().split("\\.")[0]));
        assertTrue(header.contains("\"kid\":\"" + kid + "\""), header);
        assertTrue(header.contains("\"alg\":\"RS256\""), header);
    }

    @Test
    void clientsFromTheFileAndFormCredentialsWork() throws Exception {
        String token = given().contentType(ContentType.URLENC)
                .formParam("grant_type", "client_credentials")
                .formParam("client_id", "ops").formParam("client_secret", "ops-secret")
                .post("/v1/token").then().statusCode(200).extract().path("access_token");
        assertEquals(Set.of("presence:read"), verifyElsewhere(token).getGroups());
    }

    @Test
    void theJwksHoldsTheCurrentAndThePreviousKey() {
        given().get("/.well-known/jwks.json").then().statusCode(200)
                .body("keys", hasSize(2))
                .body("keys[0].alg", equalTo("RS256"))
                .body("keys[1].kty", equalTo("RSA"));
    }

    @Test
    void aTokenSignedWithThePreviousKeyStillVerifies() throws Exception {
        String previousKid = given().get("/.well-known/jwks.json").then().extract().path("keys[1].kid");
        String token = sign(UsersigTestResource.previous, previousKid, Duration.ofMinutes(5));
        assertEquals(Set.of("usersig:issue"), verifyElsewhere(token).getGroups());
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"sdkAppId\":" + UsersigTestResource.APP + ",\"userId\":\"rotated\"}")
                .post("/v1/usersig").then().statusCode(200);
    }

    @Test
    void aTokenSignedByAnUnknownKeyIsRefused() {
        KeyPair rogue = TestKeys.generate();
        for (String kid : List.of("rogue", currentKid())) {
            String token = sign(rogue, kid, Duration.ofMinutes(5));
            assertThrows(ParseException.class, () -> verifyElsewhere(token), kid);
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body("{\"sdkAppId\":" + UsersigTestResource.APP + ",\"userId\":\"x\"}")
                    .post("/v1/usersig").then().statusCode(401).body("error", equalTo("invalid-token"));
        }
    }

    @Test
    void expiryIsHonoured() {
        clock.set(Duration.ofHours(-2)); // the token is issued "two hours ago", valid 15 minutes
        String token = Tokens.issuer();
        clock.set(Duration.ZERO);
        assertThrows(ParseException.class, () -> verifyElsewhere(token));
        // The same verifier accepts it once told to tolerate three hours of skew: time was the only fault.
        JWTAuthContextInfo lenient = new JWTAuthContextInfo(jwksUrl.toString(), ISSUER);
        lenient.setClockSkew(3 * 3600);
        assertDoesNotThrow(() -> new DefaultJWTParser(lenient).parse(token));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"sdkAppId\":" + UsersigTestResource.APP + ",\"userId\":\"x\"}")
                .post("/v1/usersig").then().statusCode(401).body("error", equalTo("invalid-token"));
    }

    @Test
    void clientAuthenticationAndGrantErrors() {
        given().auth().preemptive().basic("issuer", "wrong").formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(401).body("error", equalTo("invalid_client"))
                .header("WWW-Authenticate", "Basic realm=\"usersig\"");
        given().auth().preemptive().basic("nobody", "x").formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().header("Authorization", "Basic ***").formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().auth().preemptive().basic("issuer", "issuer-secret").formParam("grant_type", "password")
                .post("/v1/token").then().statusCode(400).body("error", equalTo("unsupported_grant_type"));
        given().auth().preemptive().basic("issuer", "issuer-secret").formParam("scope", "calls:read")
                .post("/v1/token").then().statusCode(400).body("error", equalTo("invalid_request"));
        given().auth().preemptive().basic("crm", "crm-secret").formParam("grant_type", "client_credentials")
                .formParam("scope", "calls:write usersig:issue")
                .post("/v1/token").then().statusCode(400).body("error", equalTo("invalid_scope"));
        given().auth().preemptive().basic("crm", "crm-secret").contentType(ContentType.JSON).body("{}")
                .post("/v1/token").then().statusCode(415);
    }

    @Test
    void secretsAreTakenLiterallyAndBasicMayBeFormEncoded() {
        // Configured as odd:a+b%20c${x}: no expression expansion, no decoding of what curl -u sends.
        given().auth().preemptive().basic("odd", "a+b%20c${x}").formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(200).body("scope", equalTo("calls:read"));
        // RFC 6749 section 2.3.1 form: the secret form-urlencoded inside Basic.
        given().auth().preemptive().basic("odd", "a%2Bb%2520c%24%7Bx%7D").formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(200);
        given().auth().preemptive().basic("odd", "a b%20c${x}").formParam("grant_type", "client_credentials")
                .post("/v1/token").then().statusCode(401);
    }

    /** Tokens built by hand with jose4j, to try what a library's builder would not produce. */
    static String handMade(java.security.Key key, String alg, String kid, String issuer, boolean withExp) {
        try {
            org.jose4j.jwt.JwtClaims claims = new org.jose4j.jwt.JwtClaims();
            claims.setIssuer(issuer);
            claims.setSubject("issuer");
            claims.setIssuedAtToNow();
            if (withExp) {
                claims.setExpirationTimeMinutesInTheFuture(5);
            }
            claims.setStringListClaim("groups", List.of("usersig:issue"));
            org.jose4j.jws.JsonWebSignature jws = new org.jose4j.jws.JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setAlgorithmHeaderValue(alg);
            jws.setKeyIdHeaderValue(kid);
            jws.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
            jws.setDoKeyValidation(false);
            if (key != null) {
                jws.setKey(key);
            }
            return jws.getCompactSerialization();
        } catch (org.jose4j.lang.JoseException e) {
            throw new AssertionError(e);
        }
    }

    void refusedEverywhere(String what, String token) {
        assertThrows(ParseException.class, () -> verifyElsewhere(token), what);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"sdkAppId\":" + UsersigTestResource.APP + ",\"userId\":\"x\"}")
                .post("/v1/usersig").then().statusCode(401).body("error", equalTo("invalid-token"));
    }

    @Test
    void forgedAndIncompleteTokensAreRefusedByBothVerifiers() throws Exception {
        String kid = given().get("/.well-known/jwks.json").then().extract().path("keys[1].kid");
        java.security.PrivateKey trusted = UsersigTestResource.previous.getPrivate();
        String rs256 = org.jose4j.jws.AlgorithmIdentifiers.RSA_USING_SHA256;
        // Control: the hand-made token with everything right passes both.
        String good = handMade(trusted, rs256, kid, ISSUER, true);
        assertEquals(Set.of("usersig:issue"), verifyElsewhere(good).getGroups());
        given().auth().oauth2(good).contentType(ContentType.JSON)
                .body("{\"sdkAppId\":" + UsersigTestResource.APP + ",\"userId\":\"x\"}")
                .post("/v1/usersig").then().statusCode(200);

        refusedEverywhere("wrong issuer", handMade(trusted, rs256, kid, "someone-else", true));
        refusedEverywhere("no expiry", handMade(trusted, rs256, kid, ISSUER, false));
        refusedEverywhere("alg none", handMade(null, org.jose4j.jws.AlgorithmIdentifiers.NONE, kid, ISSUER, true));
        // HS256 keyed with the published RSA public key: the classic algorithm confusion.
        java.security.Key publicAsHmac = new org.jose4j.keys.HmacKey(UsersigTestResource.previous.getPublic().getEncoded());
        refusedEverywhere("HS256 with the public key",
                handMade(publicAsHmac, org.jose4j.jws.AlgorithmIdentifiers.HMAC_SHA256, kid, ISSUER, true));
        String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        refusedEverywhere("tampered signature", tampered);
    }

    String currentKid() {
        return given().get("/.well-known/jwks.json").then().extract().path("keys[0].kid");
    }

    static String sign(KeyPair key, String kid, Duration ttl) {
        long now = System.currentTimeMillis() / 1000;
        return Jwt.issuer(ISSUER).subject("issuer").issuedAt(now).expiresAt(now + ttl.toSeconds())
                .groups(Set.of("usersig:issue")).claim("scope", "usersig:issue")
                .jws().keyId(kid).sign(key.getPrivate());
    }
}
