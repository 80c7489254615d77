package org.opencalling.signaling.calls;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.opencalling.signaling.presence.LocalSessions;
import org.opencalling.signaling.presence.Pod;
import org.opencalling.signaling.presence.RefreshLoop;
import org.opencalling.signaling.routing.Delivery;
import org.opencalling.signaling.routing.PodChannels;

/**
 * While this pod's frame channel was not subscribed, invitations for its users found no
 * listener and were held as for offline users; once subscribed again they are delivered to the
 * users here who are still rung. (Other frames of that gap are lost, as on any dropped socket.)
 * Presence is refreshed first, at once rather than at the next round: a Redis that came back
 * empty has lost this pod's sessions, and until they are back its users look offline to callers.
 */
@Singleton
public class HeldInvitationsAfterReconnect {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(HeldInvitationsAfterReconnect.class);
    @Inject
    PodChannels channels;

    @Inject
    LocalSessions sessions;

    @Inject
    CallService calls;

    @Inject
    Pod pod;

    @Inject
    RefreshLoop presence;

    void start(@Observes StartupEvent e) {
        channels.afterResubscribe(Delivery.CHANNEL_PREFIX + pod.name(), this::deliver);
    }

    void deliver() {
        presence.refresh();
        for (LocalSessions.Local l : sessions.all()) {
            try {
                calls.deliverHeldInvitations(l.sdkAppId(), l.userId());
            } catch (RuntimeException e) {
                LOG.debugf("held invitations of %s not delivered yet: %s", l.userId(), e.toString());
            }
        }
    }
}
