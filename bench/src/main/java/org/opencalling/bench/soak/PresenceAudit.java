package org.opencalling.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.opencalling.testsupport.WsClient;

/**
 * Presence against the live sockets: every few seconds, the idle users whose socket is open (and
 * was confirmed a few seconds ago) must be online in presence-service with that very session. A
 * disagreement is a breach only if it outlasts the expiry window (session TTL 30 s + a sweep).
 */
final class PresenceAudit {
    static final long WINDOW_MS = 45_000;
    private final SoakCluster cluster;
    private final Incidents incidents;
    private final Map<String, Long> disagreeingSince = new HashMap<>();
    final AtomicInteger checks = new AtomicInteger();
    final AtomicInteger breaches = new AtomicInteger();
    final List<String> examples = new ArrayList<>();

    PresenceAudit(SoakCluster cluster, Incidents incidents) {
        this.cluster = cluster;
        this.incidents = incidents;
    }

    /** One pass over these users. */
    void check(List<VirtualUser> users) {
        long now = System.currentTimeMillis();
        List<VirtualUser> settled = users.stream().filter(u -> now - u.since > 3000).toList();
        for (int from = 0; from < settled.size(); from += 500) {
            List<VirtualUser> batch = settled.subList(from, Math.min(settled.size(), from + 500));
            Map<String, JsonNode> seen = query(batch.stream().map(u -> u.id).toList());
            if (seen == null) {
                return; // presence unreachable now: the readiness record says so
            }
            for (VirtualUser u : batch) {
                JsonNode p = seen.get(u.id);
                boolean agrees = p != null && p.path("online").asBoolean() && u.sessionId.equals(p.path("sessionId").asText());
                checks.incrementAndGet();
                String key = u.id + "/" + u.sessionId;
                if (agrees || !u.open()) {
                    disagreeingSince.remove(key);
                    continue;
                }
                long since = disagreeingSince.computeIfAbsent(key, k -> now);
                if (now - since > WINDOW_MS) {
                    breaches.incrementAndGet();
                    disagreeingSince.remove(key);
                    incidents.trouble("presence.disagrees", u.id);
                    if (examples.size() < 10) {
                        examples.add(u.id + " (session " + u.sessionId + ") open for " + (now - u.since) + " ms, presence: " + p);
                    }
                }
            }
        }
    }

    /** Users expected offline: true when presence says every one is. */
    List<String> stillOnline(List<VirtualUser> users) {
        Map<String, JsonNode> seen = query(users.stream().map(u -> u.id).toList());
        if (seen == null) {
            return List.of("(presence unreachable)");
        }
        return seen.values().stream().filter(p -> p.path("online").asBoolean()).map(p -> p.path("userId").asText()).toList();
    }

    /** Users expected online with their session: those presence disagrees about. */
    List<String> notOnline(List<VirtualUser> users) {
        Map<String, JsonNode> seen = query(users.stream().map(u -> u.id).toList());
        if (seen == null) {
            return List.of("(presence unreachable)");
        }
        return users.stream().filter(u -> {
            JsonNode p = seen.get(u.id);
            return p == null || !p.path("online").asBoolean() || !u.sessionId.equals(p.path("sessionId").asText());
        }).map(u -> u.id).toList();
    }

    private Map<String, JsonNode> query(List<String> ids) {
        Map<String, JsonNode> out = new HashMap<>();
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + 500));
            JsonNode users = null;
            for (int k = 0; k < SoakCluster.REPLICAS && users == null; k++) {
                try {
                    HttpResponse<String> r = cluster.api("POST", cluster.http("presence", k) + "/v1/presence/query",
                            WsClient.JSON.writeValueAsString(Map.of("sdkAppId", cluster.app(), "userIds", batch)));
                    if (r.statusCode() == 200) {
                        users = WsClient.JSON.readTree(r.body()).path("users");
                    }
                } catch (Exception e) {
                    // that instance is down: ask the other
                }
            }
            if (users == null) {
                return null;
            }
            for (JsonNode u : users) {
                out.put(u.path("userId").asText(), u);
            }
        }
        return out;
    }
}
