package org.opencalling.usersigservice;

import static io.restassured.RestAssured.given;

/** Gets backend tokens from the running service, as a backend would. */
public final class Tokens {
    private Tokens() {
    }

    public static String get(String client, String secret) {
        return given().auth().preemptive().basic(client, secret)
                .formParam("grant_type", "client_credentials")
                .post("/v1/token")
                .then().statusCode(200)
                .extract().path("access_token");
    }

    public static String issuer() {
        return get("issuer", "issuer-secret");
    }

    public static String crm() {
        return get("crm", "crm-secret");
    }
}
