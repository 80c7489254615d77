package org.opencalling.signaling.socket;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.WsClient;

/** The REST invite API: a backend rings users; the call's state through its whole life. */
@QuarkusTest
class CallsApiTest {
    @TestHTTPResource("/v1/signaling")
    URI uri;

    static String token(String scope) throws Exception {
        return token(SignalingTestResource.usersigUrl, scope);
    }

    /** A backend token with these scopes (space-separated) from the usersig-service at that address. */
    static String token(String usersigUrl, String scope) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String body = http.send(java.net.http.HttpRequest.newBuilder(URI.create(usersigUrl + "/v1/token"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(SignalingTestResource.CLIENT.getBytes()))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope="
                                + scope.replace(" ", "+"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return WsClient.JSON.readTree(body).get("access_token").asText();
    }

    @Test
    void aBackendRingsAUserAndFollowsTheCall() throws Exception {
        String writer = token("calls:write calls:read");
        try (WsClient nina = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
            nina.sendOnly(SignalingSocketTest.login("nina1", SignalingSocketTest.userSig("nina1", 600)));
            nina.expect("login-ok");
            String callId = given().auth().oauth2(writer).contentType(ContentType.JSON)
                    .body(Map.of("sdkAppId", SignalingTestResource.APP, "caller", "crm-agent", "callees", List.of("nina1"),
                            "type", "audio", "timeoutSeconds", 60))
                    .post("/v1/calls").then().statusCode(201)
                    .body("state", equalTo("ringing")).body("type", equalTo("audio"))
                    .body("participants", hasSize(2)).body("participants[1].state", equalTo("ringing"))
                    .extract().path("callId");
            assertEquals("crm-agent", nina.expect("invited").get("caller").asText());
            nina.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            nina.expect("accept-ok");
            given().auth().oauth2(writer).get("/v1/calls/" + callId).then().statusCode(200)
                    .body("state", equalTo("active")).body("startedAt", notNullValue())
                    .body("participants[1].state", equalTo("accepted"));
            given().auth().oauth2(writer).delete("/v1/calls/" + callId).then().statusCode(200)
                    .body("state", equalTo("ended")).body("endReason", equalTo("ended-by-api"));
            assertEquals("ended-by-api", nina.expect("ended").get("reason").asText());
            given().auth().oauth2(writer).get("/v1/calls/" + callId).then().statusCode(200)
                    .body("participants[1].state", equalTo("left"));
        }
    }

    @Test
    void theApiIsDescribedInOpenApi() {
        String doc = given().get("/q/openapi").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(doc.contains("/v1/calls") && doc.contains("/v1/calls/{callId}"), doc);
    }

    @Test
    void scopesAndValidation() throws Exception {
        String reader = token("calls:read");
        String writer = token("calls:write calls:read");
        Map<String, Object> ok = Map.of("sdkAppId", SignalingTestResource.APP, "caller", "a1", "callees", List.of("b1"));
        given().contentType(ContentType.JSON).body(ok).post("/v1/calls").then().statusCode(401)
                .body("error", equalTo("unauthorized"));
        given().auth().oauth2(reader).contentType(ContentType.JSON).body(ok).post("/v1/calls").then().statusCode(403);
        given().auth().oauth2(token("presence:read")).get("/v1/calls/00000000-0000-0000-0000-000000000000")
                .then().statusCode(403);
        given().auth().oauth2(reader).get("/v1/calls/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .body("error", equalTo("unknown-call"));
        given().auth().oauth2(reader).get("/v1/calls/not-an-id").then().statusCode(400);
        given().auth().oauth2(writer).contentType(ContentType.JSON).body("{\"sdkAppId\":").post("/v1/calls")
                .then().statusCode(400).body("error", equalTo("malformed-json"));
        given().auth().oauth2(writer).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", SignalingTestResource.APP, "caller", "a1", "callees", List.of()))
                .post("/v1/calls").then().statusCode(400).body("error", equalTo("invalid-field"));
        given().auth().oauth2(writer).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", SignalingTestResource.APP, "caller", "a1", "callees", List.of("a1")))
                .post("/v1/calls").then().statusCode(409).body("error", equalTo("self-call"));
        given().auth().oauth2(writer).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", SignalingTestResource.APP, "caller", "a1", "callees", List.of("b1"), "type", "hologram"))
                .post("/v1/calls").then().statusCode(400).body("error", equalTo("invalid-field"));
        given().auth().oauth2(writer).contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", SignalingTestResource.APP, "caller", "a b", "callees", List.of("b1")))
                .post("/v1/calls").then().statusCode(400).body("error", equalTo("invalid-user-id"));
    }
}
