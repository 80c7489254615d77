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

    // Looked up once: finding a meter by name and tags on every login is measurable.
    private io.micrometer.core.instrument.Counter logins;
    private io.micrometer.core.instrument.Counter kicks;
    private io.micrometer.core.instrument.Counter logouts;
    private io.micrometer.core.instrument.Counter refreshes;
    private io.micrometer.core.instrument.Counter restored;
    private io.micrometer.core.instrument.Counter expiries;

    @jakarta.annotation.PostConstruct
    void meters() {
        logins = registry.counter("presence.logins");
        kicks = registry.counter("presence.kicks");
        logouts = registry.counter("presence.logouts");
        refreshes = registry.counter("presence.refreshes");
        restored = registry.counter("presence.sessions.restored");
        expiries = registry.counter("presence.expiries");
    }

    public io.smallrye.mutiny.Uni<SessionStore.Registration> register(long app, String user, String pod,
                                                                      String sessionId) {
        String sid = sessionId != null ? sessionId : UUID.randomUUID().toString();
        return store.register(app, user, sid, pod).map(r -> registered(app, user, pod, sid, r));
    }

    private SessionStore.Registration registered(long app, String user, String pod, String sid,
                                                 SessionStore.Registration r) {
        // Redis' time of the takeover for a new session, so event times agree with deadlines.
        long now = r.fresh() ? r.since() : clock.millis();
        logins.increment();
        if (r.displaced() != null) {
            kicks.increment();
            events.publish(PresenceEvent.kicked(app, user, r.displaced().sessionId(), r.displaced().pod(), now,
                    sid, pod));
        }
        if (r.fresh()) {
            events.publish(PresenceEvent.online(app, user, sid, pod, now));
        }
        return r;
    }

    public SessionStore.Live end(long app, String user, String sessionId) {
        SessionStore.Live ended = store.end(app, user, sessionId);
        if (ended != null) {
            logouts.increment();
            events.publish(PresenceEvent.offline(app, user, sessionId, ended.pod(), clock.millis(), "logout"));
        }
        return ended;
    }

    public SessionStore.RefreshResult refresh(String pod, List<SessionRef> sessions) {
        SessionStore.RefreshResult r = store.refresh(pod, sessions);
        refreshes.increment();
        restored.increment(r.restored().size());
        return r;
    }

    /** Ends sessions past their deadline; returns how many. */
    public int expireDue(int limit) {
        List<SessionStore.Expired> expired = store.expire(limit);
        long now = clock.millis(); // after the script: never earlier than the deadline it acted on
        for (SessionStore.Expired e : expired) {
            events.publish(PresenceEvent.offline(e.app(), e.user(), e.sessionId(), e.pod(), now, "expired"));
        }
        expiries.increment(expired.size());
        return expired.size();
    }
}
