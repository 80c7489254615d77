package org.opencalling.signaling.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.service.ConfigFiles;

/**
 * signaling-service's own backend token (scope presence:write), from usersig-service's
 * client-credentials endpoint with {@code SIGNALING_CLIENT} ({@code clientId:clientSecret}),
 * kept until a minute before it expires.
 */
@Singleton
public class ServiceToken {
    @ConfigProperty(name = "usersig.url")
    String usersigUrl;

    @Inject
    ObjectMapper json;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String token;
    private long refreshAtMillis;

    public synchronized String get() {
        long now = System.currentTimeMillis();
        if (token != null && now < refreshAtMillis) {
            return token;
        }
        String client = ConfigFiles.secret("signaling.client", "SIGNALING_CLIENT").orElseThrow(() ->
                new IllegalStateException("SIGNALING_CLIENT (clientId:clientSecret; or SIGNALING_CLIENT_FILE) is not set"));
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(usersigUrl + "/v1/token"))
                            .timeout(Duration.ofSeconds(3))
                            .header("Authorization", "Basic " + Base64.getEncoder()
                                    .encodeToString(client.getBytes(StandardCharsets.UTF_8)))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("usersig-service refused signaling's token: " + r.statusCode());
            }
            JsonNode body = json.readTree(r.body());
            token = body.get("access_token").asText();
            refreshAtMillis = now + Math.max(10, body.get("expires_in").asLong() - 60) * 1000;
            return token;
        } catch (java.io.IOException e) {
            throw new PresenceClient.Unavailable("usersig-service unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PresenceClient.Unavailable("interrupted");
        }
    }
}
