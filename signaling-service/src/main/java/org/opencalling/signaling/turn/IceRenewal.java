package org.opencalling.signaling.turn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opencalling.service.Periodic;
import org.opencalling.signaling.apps.SignalingConfig;
import org.opencalling.signaling.presence.LocalSessions;

/**
 * TURN credentials are valid a bounded time ({@code TURN_CREDENTIAL_TTL}); a session that lives
 * longer gets fresh ones, as an {@code ice-servers} frame, once half of that time has passed
 * (a browser uses them for its next ICE restart or call).
 */
@Singleton
public class IceRenewal {
    @Inject
    SignalingConfig config;

    @Inject
    LocalSessions sessions;

    @Inject
    ObjectMapper json;

    /** Session id → when its current credentials were minted (epoch seconds). */
    private final Map<String, Long> issued = new ConcurrentHashMap<>();
    private Periodic timer;

    void start(@Observes StartupEvent e) {
        long every = Math.max(1, Math.min(30, config.turnTtlSeconds() / 4));
        timer = Periodic.start("ice-renewal", Duration.ofSeconds(every), this::renew);
    }

    /** Credentials were given to this session at login. */
    public void issued(String sessionId, long atSeconds) {
        issued.put(sessionId, atSeconds);
    }

    void renew() {
        long now = System.currentTimeMillis() / 1000;
        long half = Math.max(1, config.turnTtlSeconds() / 2);
        Set<String> live = new HashSet<>();
        for (LocalSessions.Local l : sessions.all()) {
            live.add(l.sessionId());
            Long at = issued.get(l.sessionId());
            if (at == null || now - at >= half) {
                ObjectNode f = json.createObjectNode();
                f.put("type", "ice-servers");
                f.set("iceServers", json.valueToTree(config.iceServers(l.sdkAppId(), l.userId(), now)));
                f.put("iceTtl", config.turnTtlSeconds());
                if (sessions.send(l.sessionId(), f.toString())) {
                    issued.put(l.sessionId(), now);
                }
            }
        }
        // A detached session keeps its entry: resumed, it is renewed by its next login-ok anyway.
        issued.keySet().removeIf(sid -> !live.contains(sid) && !sessions.holds(sid));
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer != null) {
            timer.close();
        }
    }
}
