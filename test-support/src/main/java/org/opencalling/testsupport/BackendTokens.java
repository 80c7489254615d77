package org.opencalling.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Backend tokens from a running usersig-service, as a backend gets them (OAuth2 client credentials). */
public final class BackendTokens {
    private BackendTokens() {
    }

    /**
     * The token response ({@code access_token}, {@code expires_in}, {@code scope}) for this
     * client at {@code usersigUrl} (e.g. {@code http://localhost:8090}); anything but 200 throws.
     */
    public static JsonNode fetch(HttpClient http, String usersigUrl, String clientId, String secret)
            throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(usersigUrl + "/v1/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token: " + r.statusCode() + " " + r.body());
        }
        return WsClient.JSON.readTree(r.body());
    }
}
