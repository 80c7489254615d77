package org.opencalling.signaling.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.events.EventLog;
import org.opencalling.signaling.calls.Call;
import org.opencalling.signaling.calls.Effect;

/**
 * Call events on {@code trtc.call-events} through the shared {@link EventLog}: never slows a
 * call, buffered through a Kafka outage, every event acknowledged
 * ({@code signaling_call_events_sent_total}) or counted in
 * {@code signaling_call_events_dropped_total{reason}}.
 */
@Singleton
public class CallEvents {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> bootstrapServers;

    @ConfigProperty(name = "signaling.events.topic", defaultValue = "trtc.call-events")
    String topic;

    @ConfigProperty(name = "signaling.events.buffer", defaultValue = "10000")
    int capacity;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    private EventLog log;

    void start(@Observes StartupEvent e) {
        log = EventLog.startIfConfigured(bootstrapServers, topic, capacity, "signaling-service", "signaling.call.events",
                registry, "call events");
    }

    /** The event a transition of {@code c} produced, at {@code now}. Never blocks. */
    public void publish(Call c, Effect.Event e, long now) {
        if (log == null) {
            return;
        }
        boolean ended = e.type().equals("ended");
        CallEvent event = new CallEvent(CallEvent.SCHEMA, c.callId() + ":" + e.seq(), e.seq(), e.type(), c.callId(), c.sdkAppId(), c.caller(),
                c.type().wire(), c.groupId(), e.userId(), ended ? c.endedAt() : now,
                ended ? c.endReason() : null, ended ? c.duration() : null,
                ended ? c.participants().stream().map(p -> new CallEvent.Member(p.userId(), p.state().wire())).toList()
                        : null);
        try {
            log.publish(c.callId(), json.writeValueAsString(event));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (log != null) {
            log.close();
        }
    }
}
