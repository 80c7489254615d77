package org.opencalling.signaling.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Listens on this pod's kick channel (trtc:presence:kick:{pod}) and closes displaced sockets. */
@Singleton
public class KickSubscriber {
    private static final Logger LOG = Logger.getLogger(KickSubscriber.class);

    @Inject
    LocalSessions sessions;

    @Inject
    org.opencalling.signaling.calls.CallService calls;

    @Inject
    org.opencalling.signaling.routing.PodChannels channels;

    @Inject
    Pod pod;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    void start(@Observes StartupEvent e) {
        channels.subscribe("trtc:presence:kick:" + pod.name(), this::onKick);
        LOG.infof("Signaling pod %s listens for kicks", pod.name());
    }

    void onKick(String message) {
        try {
            JsonNode m = json.readTree(message);
            if ("kicked".equals(m.path("type").asText())) {
                registry.counter("signaling.kicks").increment();
                String sid = m.path("sessionId").asText();
                long takeover = m.path("at").asLong(System.currentTimeMillis());
                Object[] owner = sessions.owner(sid);
                if (sessions.kick(sid) && owner != null) {
                    // The displaced session leaves its call (the others get USER_LEAVE); the new
                    // session keeps any call it was invited to or answered since the takeover.
                    // Off the event loop: it is Redis work.
                    io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool().execute(() -> {
                        try {
                            calls.leaveDisplaced((Long) owner[0], (String) owner[1], takeover);
                        } catch (RuntimeException e) {
                            LOG.warnf("%s, displaced, could not leave its call: %s", owner[1], e.toString());
                        }
                    });
                }
            }
        } catch (Exception ex) {
            LOG.warnf("Unreadable kick message: %s", ex.toString());
        }
    }
}
