package org.opencalling.usersigservice;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Demo mode (the local run only): anyone may get a UserSig. Off by default, see UserSigResourceTest. */
@QuarkusTest
@TestProfile(DemoModeTest.Demo.class)
class DemoModeTest {
    public static class Demo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("usersig.demo-mode", "true");
        }
    }

    @Test
    void anyoneGetsAUserSig() {
        String sig = given().contentType(ContentType.JSON)
                .body("{\"sdkAppId\":" + UsersigTestResource.APP + ",\"userId\":\"guest\"}")
                .post("/v1/usersig").then().statusCode(200).body("userId", equalTo("guest"))
                .extract().path("userSig");
        given().contentType(ContentType.JSON)
                .body(Map.of("sdkAppId", UsersigTestResource.APP, "userId", "guest", "userSig", sig))
                .post("/v1/usersig/verify").then().statusCode(200).body("valid", equalTo(true));
        given().get("/q/metrics").then().body(containsString("mode=\"demo\""));
    }

    @Test
    void inputIsStillChecked() {
        given().contentType(ContentType.JSON).body("{\"sdkAppId\":" + UsersigTestResource.APP + ",\"userId\":\"a b\"}")
                .post("/v1/usersig").then().statusCode(400).body("error", equalTo("invalid-user-id"));
    }
}
