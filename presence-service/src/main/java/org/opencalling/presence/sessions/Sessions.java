package org.opencalling.presence.sessions;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.opencalling.presence.events.PresenceEvent;
import org.opencalling.presence.events.PresenceEvents;

/** Session lifecycle: the store's atomic steps, plus the events and metrics they cause. */
@Singleton
public class Sessions {
    @Inject
    SessionStore store;

    @Inject
    PresenceEvents events;

    @Inject
    MeterRegistry registry;

    @Inject
    Clock clock;

    public SessionStore.Registration register(long app, String user, String pod, String sessionId) {
        String sid = sessionId != null ? sessionId : UUID.randomUUID().toString();
        long now = clock.millis();
        SessionStore.Registration r = store.register(app, user, sid, pod, now);
        registry.counter("presence.logins").increment();
        if (r.displaced() != null) {
            registry.counter("presence.kicks").increment();
            events.publish(PresenceEvent.kicked(app, user, r.displaced().sessionId(), r.displaced().pod(), now,
                    sid, pod));
        }
        if (r.displaced() != null || r.since() == now) {
            events.publish(PresenceEvent.online(app, user, sid, pod, now));
        }
        return r;
    }

    public SessionStore.Live end(long app, String user, String sessionId) {
        SessionStore.Live ended = store.end(app, user, sessionId);
        if (ended != null) {
            registry.counter("presence.logouts").increment();
            events.publish(PresenceEvent.offline(app, user, sessionId, ended.pod(), clock.millis(), "logout"));
        }
        return ended;
    }

    public SessionStore.RefreshResult refresh(String pod, List<SessionRef> sessions) {
        SessionStore.RefreshResult r = store.refresh(pod, sessions, clock.millis());
        registry.counter("presence.refreshes").increment();
        registry.counter("presence.sessions.restored").increment(r.restored().size());
        return r;
    }

    /** Ends sessions past their deadline; returns how many. */
    public int expireDue(int limit) {
        long now = clock.millis();
        List<SessionStore.Expired> expired = store.expire(now, limit);
        for (SessionStore.Expired e : expired) {
            events.publish(PresenceEvent.offline(e.app(), e.user(), e.sessionId(), e.pod(), now, "expired"));
        }
        registry.counter("presence.expiries").increment(expired.size());
        return expired.size();
    }
}
