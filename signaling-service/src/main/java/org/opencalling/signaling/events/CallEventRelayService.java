package org.opencalling.signaling.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.signaling.presence.Pod;

/** Runs this pod's {@link CallEventRelay} while call events are on (KAFKA_BOOTSTRAP_SERVERS set). */
@Singleton
public class CallEventRelayService {
    @Inject
    CallEvents events;

    @Inject
    RedisOutbox outbox;

    @Inject
    Pod pod;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "signaling.events.topic", defaultValue = "trtc.call-events")
    String topic;

    @ConfigProperty(name = "signaling.events.transactional-id", defaultValue = "signaling-call-events")
    String transactionalId;

    /** Records kept in the outbox while Kafka is away, at most (the oldest go beyond). */
    @ConfigProperty(name = "signaling.events.buffer", defaultValue = "1000000")
    long capacity;

    private CallEventRelay relay;

    void start(@Observes StartupEvent e) {
        if (!events.enabled()) {
            org.jboss.logging.Logger.getLogger(CallEventRelayService.class).info("KAFKA_BOOTSTRAP_SERVERS is empty: call events are off");
            return;
        }
        relay = new CallEventRelay(new CallEventRelay.Settings(events.bootstrapServers.get(), topic, pod.name(),
                transactionalId, 500, 5000, capacity), outbox, registry).start();
    }

    void stop(@Observes ShutdownEvent e) {
        if (relay != null) {
            relay.close();
        }
    }
}
