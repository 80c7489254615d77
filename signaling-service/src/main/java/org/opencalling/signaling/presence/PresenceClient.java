package org.opencalling.signaling.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** presence-service's session API, as this pod uses it (docs/protocol.md). */
@Singleton
public class PresenceClient {
    /** presence-service (or usersig-service, for the token) could not be used. */
    public static final class Unavailable extends RuntimeException {
        /** A real answer (4xx): asking another instance would not change it. */
        final boolean answered;

        public Unavailable(String message) {
            this(message, true);
        }

        Unavailable(String message, boolean answered) {
            super(message, null, false, false);
            this.answered = answered;
        }
    }

    @io.quarkus.runtime.annotations.RegisterForReflection // sent as JSON
    public record SessionRef(long sdkAppId, String userId, String sessionId) {
    }

    /** One URL (a Service), or several instances, comma-separated: tried in turn from the last that answered. */
    @ConfigProperty(name = "presence.url")
    List<String> presenceUrls;

    private volatile int current;

    @Inject
    ServiceToken token;

    @Inject
    ObjectMapper json;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Registers the session; returns the id of the session it displaced, or null. */
    public String register(long app, String user, String sessionId, String pod) {
        JsonNode r = call("POST", "/v1/sessions",
                Map.of("sdkAppId", app, "userId", user, "pod", pod, "sessionId", sessionId), 201);
        JsonNode displaced = r.get("displaced");
        return displaced == null || displaced.isNull() ? null : displaced.get("sessionId").asText();
    }

    public void end(long app, String user, String sessionId) {
        call("DELETE", "/v1/sessions/" + app + "/" + user + "/" + sessionId, null, 200);
    }

    /** Refreshes all of this pod's sessions; returns those presence says are no longer live. */
    public List<String> refresh(String pod, List<SessionRef> sessions) {
        JsonNode r = call("POST", "/v1/sessions/refresh", Map.of("pod", pod, "sessions", sessions), 200);
        List<String> lost = new ArrayList<>();
        r.get("lost").forEach(s -> lost.add(s.get("sessionId").asText()));
        return lost;
    }

    /**
     * The request to the instance that answered last, else to the next ones in turn: a presence
     * instance that is down (unreachable, or answering 5xx) costs one attempt, not the login.
     * Every request here may be repeated safely (registering a session id again displaces
     * nothing; refresh and end are idempotent).
     */
    private JsonNode call(String method, String path, Object body, int expect) {
        Unavailable last = null;
        int start = current;
        for (int i = 0; i < presenceUrls.size(); i++) {
            int k = (start + i) % presenceUrls.size();
            try {
                JsonNode r = call(presenceUrls.get(k).trim(), method, path, body, expect);
                current = k;
                return r;
            } catch (Unavailable e) {
                if (e.answered) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private JsonNode call(String base, String method, String path, Object body, int expect) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(3))
                    .header("Authorization", "Bearer " + token.get());
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expect) {
                throw new Unavailable("presence-service answered " + r.statusCode() + ": " + r.body(), r.statusCode() < 500);
            }
            return json.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new Unavailable("presence-service unreachable: " + e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", true);
        }
    }
}
