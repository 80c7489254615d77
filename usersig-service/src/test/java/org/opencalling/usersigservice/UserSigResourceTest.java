package org.opencalling.usersigservice;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tencentyun.TLSSigAPIv2;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayInputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import java.lang.reflect.Method;
import org.opencalling.usersig.AppKey;
import org.opencalling.usersig.DecodedUserSig;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigCodec;

@QuarkusTest
@QuarkusTestResource(UsersigTestResource.class)
class UserSigResourceTest {
    static final long APP = UsersigTestResource.APP;

    ValidatableResponse issue(String token, String body) {
        var req = given().contentType(ContentType.JSON).body(body);
        if (token != null) {
            req = req.auth().oauth2(token);
        }
        return req.post("/v1/usersig").then();
    }

    static void assertJsonError(ValidatableResponse r, int status, String code) {
        r.statusCode(status).contentType(ContentType.JSON).body("error", equalTo(code)).body("message", notNullValue())
                .body(not(containsString("Exception")));
    }

    @Test
    void issuingNeedsAToken() {
        ValidatableResponse r = issue(null, "{\"sdkAppId\":" + APP + ",\"userId\":\"alice\"}");
        assertJsonError(r, 401, "unauthorized");
        r.header("WWW-Authenticate", containsString("Bearer"));
    }

    @Test
    void aGarbageTokenIsUnauthorized() {
        assertJsonError(issue("not.a.jwt", "{\"sdkAppId\":" + APP + ",\"userId\":\"alice\"}"), 401, "invalid-token");
    }

    @Test
    void aTokenWithoutTheScopeIsForbidden() {
        assertJsonError(issue(Tokens.crm(), "{\"sdkAppId\":" + APP + ",\"userId\":\"alice\"}"), 403, "forbidden");
    }

    @Test
    void aNarrowedTokenLosesTheScope() {
        String narrowed = given().auth().preemptive().basic("issuer", "issuer-secret")
                .formParam("grant_type", "client_credentials").formParam("scope", "calls:read")
                .post("/v1/token").then().statusCode(200).body("scope", equalTo("calls:read"))
                .extract().path("access_token");
        assertJsonError(issue(narrowed, "{\"sdkAppId\":" + APP + ",\"userId\":\"alice\"}"), 403, "forbidden");
    }

    @Test
    void issuesAUserSigThatVerifiesHereAndUnderTencentsAlgorithm() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        String sig = issue(Tokens.issuer(), "{\"sdkAppId\":" + APP + ",\"userId\":\"alice\",\"expireSeconds\":600}")
                .statusCode(200)
                .body("sdkAppId", equalTo((int) APP))
                .body("userId", equalTo("alice"))
                .extract().path("userSig");
        long expireAt = ((Number) given().contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", APP, "userId", "alice", "userSig", sig))
                .post("/v1/usersig/verify").then().statusCode(200)
                .body("valid", equalTo(true)).body("reason", nullValue())
                .extract().path("expireAt")).longValue();
        assertTrue(expireAt >= before + 600 && expireAt <= before + 605, "expireAt " + expireAt);
        // Independent check: the HMAC Tencent's reference computes for the decoded fields.
        DecodedUserSig d = UserSigCodec.decode(sig);
        Method hmac = TLSSigAPIv2.class.getDeclaredMethod("hmacsha256", String.class, long.class, long.class,
                String.class);
        hmac.setAccessible(true);
        assertEquals(hmac.invoke(new TLSSigAPIv2(APP, UsersigTestResource.SECRET), "alice", d.time(), 600L, null),
                d.sig());
        assertEquals(600, d.expire());
    }

    @Test
    void theAppFromTheFileWorksToo() {
        issue(Tokens.issuer(), "{\"sdkAppId\":" + UsersigTestResource.FILE_APP + ",\"userId\":\"bob\"}").statusCode(200);
    }

    @Test
    void verifyGivesEveryReason() {
        TLSSigAPIv2 tencent = new TLSSigAPIv2(APP, UsersigTestResource.SECRET);
        String good = tencent.genUserSig("carol", 3600);
        verify(APP, "carol", good).body("valid", equalTo(true)).body("expireAt", notNullValue());
        verify(APP, "dave", good).body("valid", equalTo(false)).body("reason", equalTo("wrong-user"));
        verify(UsersigTestResource.FILE_APP, "carol", good).body("reason", equalTo("wrong-app"));
        verify(42L, "carol", good).body("reason", equalTo("unknown-app")).body("expireAt", nullValue());
        verify(APP, "carol", new TLSSigAPIv2(APP, "forged").genUserSig("carol", 3600))
                .body("reason", equalTo("bad-signature"));
        AppKey key = Applications.parse(Map.of("x", APP + ":" + UsersigTestResource.SECRET)).find(APP);
        verify(APP, "carol", UserSigCodec.issue(key, "carol", 10, 1_600_000_000L, null))
                .body("reason", equalTo("expired")).body("expireAt", equalTo(1_600_000_010));
        verify(APP, "carol", good.substring(0, 20)).body("reason", equalTo("malformed"));
        verify(APP, "carol", "%%%").body("reason", equalTo("malformed"));
    }

    ValidatableResponse verify(long app, String user, String sig) {
        return given().contentType(ContentType.JSON).body(Map.of("sdkAppId", app, "userId", user, "userSig", sig))
                .post("/v1/usersig/verify").then().statusCode(200);
    }

    @Test
    void badInputIsA4xxJsonErrorNeverA500() {
        String token = Tokens.issuer();
        assertJsonError(issue(token, "{\"sdkAppId\":"), 400, "malformed-json");
        assertJsonError(issue(token, "not json at all"), 400, "malformed-json");
        assertJsonError(issue(token, ""), 400, "missing-body");
        assertJsonError(issue(token, "{}"), 400, "missing-field");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + "}"), 400, "missing-field");
        assertJsonError(issue(token, "{\"sdkAppId\":\"abc\",\"userId\":\"a\"}"), 400, "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":42}"), 400, "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":[\"a\"]}"), 400, "invalid-field");
        assertJsonError(issue(token, "[1,2]"), 400, "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":\"" + APP + "\",\"userId\":\"a\"}"), 400, "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":\"a\",\"expireSeconds\":1.5}"), 400,
                "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":true}"), 400, "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":-1,\"userId\":\"a\"}"), 400, "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":\"no spaces\"}"), 400, "invalid-user-id");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":\"" + "x".repeat(33) + "\"}"), 400,
                "invalid-user-id");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":\"a\",\"expireSeconds\":0}"), 400,
                "invalid-expire");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":\"a\",\"expireSeconds\":99999999999}"),
                400, "invalid-expire");
        assertJsonError(issue(token, "{\"sdkAppId\":" + APP + ",\"userId\":\"a\",\"userBuf\":\"!!\"}"), 400,
                "invalid-field");
        assertJsonError(issue(token, "{\"sdkAppId\":99,\"userId\":\"a\"}"), 404, "unknown-app");
        assertJsonError(given().auth().oauth2(token).contentType(ContentType.TEXT).body("x").post("/v1/usersig").then(),
                415, "unsupported-media-type");
        assertJsonError(given().get("/v1/usersig").then(), 405, "method-not-allowed");
        assertJsonError(given().get("/v1/nothing-here").then(), 404, "not-found");
        assertJsonError(given().contentType(ContentType.JSON).body("{\"sdkAppId\":1,\"userId\":\"a\"}")
                .post("/v1/usersig/verify").then(), 400, "missing-field");
    }

    @Test
    void hugeBodiesAre413WithAJsonError() {
        String huge = "{\"sdkAppId\":" + APP + ",\"userId\":\"" + "a".repeat(200_000) + "\"}";
        assertJsonError(issue(Tokens.issuer(), huge), 413, "body-too-large");
        // Without a declared length (chunked): read up to the limit, then the same answer.
        assertJsonError(given().auth().oauth2(Tokens.issuer()).contentType(ContentType.JSON)
                .body(new ByteArrayInputStream(huge.getBytes())).post("/v1/usersig").then(), 413, "body-too-large");
        // A small chunked body is served normally.
        given().auth().oauth2(Tokens.issuer()).contentType(ContentType.JSON)
                .body(new ByteArrayInputStream(("{\"sdkAppId\":" + APP + ",\"userId\":\"chunky\"}").getBytes()))
                .post("/v1/usersig").then().statusCode(200).body("userId", equalTo("chunky"));
    }

    @Test
    void healthOpenApiAndMetrics() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("usersig"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/v1/usersig")).body(containsString("/v1/token"))
                .body(containsString("/.well-known/jwks.json"));
        issue(Tokens.issuer(), "{\"sdkAppId\":" + APP + ",\"userId\":\"metrics\"}").statusCode(200);
        issue(null, "{}").statusCode(401);
        issue("garbage", "{}").statusCode(401);
        verify(APP, "x", "%%%");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("usersig_issued_total{app=\"" + APP + "\",mode=\"token\"}"))
                .body(containsString("usersig_verifications_total{result=\"malformed\"}"))
                .body(containsString("tokens_issued_total{client=\"issuer\"}"))
                .body(containsString("auth_failures_total{reason=\"missing-token\"}"))
                .body(containsString("auth_failures_total{reason=\"invalid-token\"}"))
                .body(containsString("api_errors_total{error=\"unauthorized\",status=\"401\"}"));
    }
}
