package org.opencalling.signaling.socket;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Test-only application and TURN secret (never defaults of the service). */
public class SignalingTestResource implements QuarkusTestResourceLifecycleManager {
    public static final long APP = 1400000001L;
    public static final String SECRET = "signaling-test-secret";
    public static final String TURN_SECRET = "turn-test-secret";

    @Override
    public Map<String, String> start() {
        return Map.of("trtc.apps", APP + ":" + SECRET, "turn.secret", TURN_SECRET,
                "relay.public-host", "relay.test", "signaling.max-messages-per-second", "20");
    }

    @Override
    public void stop() {
    }
}
