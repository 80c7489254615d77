package org.opencalling.presence;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PresenceApiTest {

    static void assertJsonError(ValidatableResponse r, int status, String code) {
        r.statusCode(status).contentType(ContentType.JSON).body("error", equalTo(code))
                .body("message", notNullValue()).body(not(containsString("Exception")));
    }

    @Test
    void queriesNeedTheReadScope() {
        assertJsonError(given().get("/v1/presence/" + Api.APP + "/gina").then(), 401, "unauthorized");
        assertJsonError(given().auth().oauth2("garbage").get("/v1/presence/" + Api.APP + "/gina").then(), 401,
                "invalid-token");
        assertJsonError(given().auth().oauth2(PresenceTestResource.writer())
                .get("/v1/presence/" + Api.APP + "/gina").then(), 403, "forbidden");
        given().auth().oauth2(PresenceTestResource.reader()).get("/v1/presence/" + Api.APP + "/gina").then()
                .statusCode(200).body("online", equalTo(false)).body("userId", equalTo("gina"));
    }

    @Test
    void sessionsNeedTheWriteScope() {
        assertJsonError(given().contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", Api.APP, "userId", "x", "pod", "p")).post("/v1/sessions").then(), 401,
                "unauthorized");
        assertJsonError(given().auth().oauth2(PresenceTestResource.reader()).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", Api.APP, "userId", "x", "pod", "p")).post("/v1/sessions").then(), 403,
                "forbidden");
        assertJsonError(given().auth().oauth2(PresenceTestResource.reader()).contentType(ContentType.JSON)
                .body(Map.of("pod", "p", "sessions", List.of())).post("/v1/sessions/refresh").then(), 403,
                "forbidden");
        assertJsonError(given().auth().oauth2(PresenceTestResource.reader())
                .delete("/v1/sessions/" + Api.APP + "/x/s").then(), 403, "forbidden");
    }

    @Test
    void queryManyAtOnce() {
        Api.register("hana", "pod-q", "h1").statusCode(201);
        Api.register("ivan", "pod-q", "i1").statusCode(201);
        given().auth().oauth2(PresenceTestResource.reader()).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", Api.APP, "userIds", List.of("hana", "nobody", "ivan", "hana")))
                .post("/v1/presence/query").then().statusCode(200)
                .body("users", hasSize(3))
                .body("users[0].userId", equalTo("hana")).body("users[0].online", equalTo(true))
                .body("users[0].sessionId", equalTo("h1")).body("users[0].since", notNullValue())
                .body("users[1].online", equalTo(false))
                .body("users[2].sessionId", equalTo("i1"));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add("u" + i);
        }
        given().auth().oauth2(PresenceTestResource.reader()).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", Api.APP, "userIds", many)).post("/v1/presence/query").then()
                .statusCode(200).body("users", hasSize(500));
        many.add("u500");
        assertJsonError(given().auth().oauth2(PresenceTestResource.reader()).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", Api.APP, "userIds", many)).post("/v1/presence/query").then(), 400, "too-many");
    }

    @Test
    void malformedInputIs400NeverA500() {
        String w = PresenceTestResource.writer();
        String r = PresenceTestResource.reader();
        assertJsonError(post(w, "/v1/sessions", "{\"sdkAppId\":"), 400, "malformed-json");
        assertJsonError(post(w, "/v1/sessions", "[]"), 400, "invalid-field");
        assertJsonError(post(w, "/v1/sessions", "{}"), 400, "missing-field");
        assertJsonError(post(w, "/v1/sessions", "{\"sdkAppId\":\"1\",\"userId\":\"a\",\"pod\":\"p\"}"), 400,
                "invalid-field");
        assertJsonError(post(w, "/v1/sessions", "{\"sdkAppId\":1,\"userId\":\"a b\",\"pod\":\"p\"}"), 400,
                "invalid-user-id");
        assertJsonError(post(w, "/v1/sessions", "{\"sdkAppId\":1,\"userId\":\"a\",\"pod\":\"p:q\"}"), 400,
                "invalid-field");
        assertJsonError(post(w, "/v1/sessions", "{\"sdkAppId\":1,\"userId\":\"a\",\"pod\":\"p\",\"sessionId\":\"a:b\"}"),
                400, "invalid-field");
        assertJsonError(post(w, "/v1/sessions/refresh", "{\"pod\":\"p\"}"), 400, "missing-field");
        assertJsonError(post(w, "/v1/sessions/refresh", "{\"pod\":\"p\",\"sessions\":[null]}"), 400, "invalid-field");
        assertJsonError(post(w, "/v1/sessions/refresh",
                "{\"pod\":\"p\",\"sessions\":[{\"sdkAppId\":1,\"userId\":\"a\"}]}"), 400, "invalid-field");
        assertJsonError(post(w, "/v1/sessions/refresh", "{\"pod\":\"p\",\"sessions\":{}}"), 400, "invalid-field");
        assertJsonError(post(r, "/v1/presence/query", "{\"sdkAppId\":1,\"userIds\":[\"ok\",\"not ok\"]}"), 400,
                "invalid-user-id");
        assertJsonError(post(r, "/v1/presence/query", "{\"sdkAppId\":1}"), 400, "missing-field");
        assertJsonError(given().auth().oauth2(r).get("/v1/presence/abc/x").then(), 400, "invalid-field");
        assertJsonError(given().auth().oauth2(r).get("/v1/presence/1/a%20b").then(), 400, "invalid-user-id");
        assertJsonError(given().auth().oauth2(w).delete("/v1/sessions/1/a/b:c").then(), 400, "invalid-field");
        assertJsonError(post(w, "/v1/sessions", "{\"sdkAppId\":1,\"userId\":\"" + "a".repeat(20_000) + "\"}"), 413,
                "body-too-large");
    }

    @Test
    void http2ClientsWork() throws Exception {
        // The JDK client speaks HTTP/2 (h2c) and sends a DELETE without any length: found when
        // signaling-service ended sessions this way and got 500s.
        Api.register("olaf", "pod-h2", "o1").statusCode(201);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port
                                + "/v1/sessions/" + Api.APP + "/olaf/o1"))
                        .header("Authorization", "Bearer " + PresenceTestResource.writer()).DELETE().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode(), r.body());
        org.junit.jupiter.api.Assertions.assertTrue(r.body().contains("\"ended\":true"), r.body());
    }

    @Test
    void aBulkRefreshMayBeLarge() {
        // The refresh path takes a pod's whole list: well over the 16 KiB of other requests.
        List<Map<String, Object>> sessions = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            sessions.add(Api.ref("bulk" + i, "s" + i));
        }
        Api.refresh("pod-bulk", sessions).statusCode(200).body("refreshed", equalTo(2000))
                .body("restored", hasSize(2000)).body("lost", hasSize(0));
        Api.refresh("pod-bulk", sessions).statusCode(200).body("restored", hasSize(0));
    }

    @Test
    void healthOpenApiMetrics() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("Redis"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/sessions/refresh"))
                .body(containsString("/v1/presence/query"));
        Api.register("metrics-user", "pod-m", "m1").statusCode(201);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("presence_logins_total"))
                .body(containsString("presence_sessions_online"))
                .body(containsString("presence_events_buffered"));
    }

    static ValidatableResponse post(String token, String path, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post(path).then();
    }
}
