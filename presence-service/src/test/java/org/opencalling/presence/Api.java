package org.opencalling.presence;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;

/** The service's API as a signaling pod and a backend call it. */
final class Api {
    static final long APP = 1400000001L;

    private Api() {
    }

    static ValidatableResponse register(String user, String pod, String sessionId) {
        return given().auth().oauth2(PresenceTestResource.writer()).contentType(ContentType.JSON)
                .body(sessionId == null ? Map.of("sdkAppId", APP, "userId", user, "pod", pod)
                        : Map.of("sdkAppId", APP, "userId", user, "pod", pod, "sessionId", sessionId))
                .post("/v1/sessions").then();
    }

    static ValidatableResponse end(String user, String sessionId) {
        return given().auth().oauth2(PresenceTestResource.writer())
                .delete("/v1/sessions/" + APP + "/" + user + "/" + sessionId).then();
    }

    static ValidatableResponse refresh(String pod, List<Map<String, Object>> sessions) {
        return given().auth().oauth2(PresenceTestResource.writer()).contentType(ContentType.JSON)
                .body(Map.of("pod", pod, "sessions", sessions)).post("/v1/sessions/refresh").then();
    }

    static Map<String, Object> ref(String user, String sessionId) {
        return Map.of("sdkAppId", APP, "userId", user, "sessionId", sessionId);
    }

    static ValidatableResponse presence(String user) {
        return given().auth().oauth2(PresenceTestResource.reader()).get("/v1/presence/" + APP + "/" + user).then();
    }

    static boolean online(String user) {
        return Boolean.TRUE.equals(presence(user).statusCode(200).extract().path("online"));
    }
}
