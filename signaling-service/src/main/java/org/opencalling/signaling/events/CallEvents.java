package org.opencalling.signaling.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.signaling.calls.Call;
import org.opencalling.signaling.calls.CallEventEncoder;
import org.opencalling.signaling.calls.Effect;

/**
 * Call events for {@code trtc.call-events}: each stored change's events, as JSON, go into the
 * outbox in the same Redis step as the change ({@code call-cas.lua}); {@link CallEventRelay}
 * takes them from there to Kafka. Nothing when Kafka is not configured.
 */
@Singleton
public class CallEvents implements CallEventEncoder {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> bootstrapServers;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    boolean enabled() {
        return bootstrapServers.isPresent() && !bootstrapServers.get().isBlank();
    }

    /** Outbox records: {@code callId}, a space, the event's JSON. */
    @Override
    public List<String> encode(Call c, List<Effect> effects) {
        if (!enabled()) {
            return List.of();
        }
        long now = clock.millis();
        List<String> out = new ArrayList<>();
        for (Effect fx : effects) {
            if (fx instanceof Effect.Event e) {
                boolean ended = e.type().equals("ended");
                CallEvent event = new CallEvent(CallEvent.SCHEMA, c.callId() + ":" + e.seq(), e.seq(), e.type(), c.callId(),
                        c.sdkAppId(), c.caller(), c.type().wire(), c.groupId(), e.userId(), ended ? c.endedAt() : now,
                        ended ? c.endReason() : null, ended ? c.duration() : null,
                        ended ? c.participants().stream().map(p -> new CallEvent.Member(p.userId(), p.state().wire())).toList()
                                : null);
                try {
                    out.add(c.callId() + " " + json.writeValueAsString(event));
                } catch (JsonProcessingException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }
        return out;
    }
}
