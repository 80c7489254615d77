package org.opencalling.presence.events;

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

/**
 * Presence events on {@code trtc.presence-events}, keyed by userId, through the shared
 * {@link EventLog} (never slows a login; buffered through a Kafka outage; every event either
 * acknowledged, {@code presence_events_sent_total}, or counted in
 * {@code presence_events_dropped_total{reason}}).
 */
@Singleton
public class PresenceEvents {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> bootstrapServers;

    @ConfigProperty(name = "presence.events.topic", defaultValue = "trtc.presence-events")
    String topic;

    @ConfigProperty(name = "presence.events.buffer", defaultValue = "10000")
    int capacity;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    private EventLog log;

    void start(@Observes StartupEvent e) {
        log = EventLog.startIfConfigured(bootstrapServers, topic, capacity, "presence-service", "presence.events",
                registry, "presence events");
    }

    public boolean enabled() {
        return log != null;
    }

    /** Never blocks. */
    public void publish(PresenceEvent event) {
        if (log == null) {
            return;
        }
        try {
            log.publish(event.userId(), json.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (log != null) {
            log.close();
        }
    }
}
