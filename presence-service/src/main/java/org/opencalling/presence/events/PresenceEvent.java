package org.opencalling.presence.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An event on {@code trtc.presence-events}, keyed by userId. {@code schema} is bumped on any
 * incompatible change. {@code at} is epoch milliseconds.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PresenceEvent(int schema, String type, long sdkAppId, String userId, String sessionId, String pod,
                            long at, String reason, String bySessionId, String byPod) {
    public static final int SCHEMA = 1;

    public static PresenceEvent online(long app, String user, String sessionId, String pod, long at) {
        return new PresenceEvent(SCHEMA, "online", app, user, sessionId, pod, at, null, null, null);
    }

    /** {@code reason}: {@code logout} (ended by its pod) or {@code expired} (its pod stopped refreshing). */
    public static PresenceEvent offline(long app, String user, String sessionId, String pod, long at, String reason) {
        return new PresenceEvent(SCHEMA, "offline", app, user, sessionId, pod, at, reason, null, null);
    }

    public static PresenceEvent kicked(long app, String user, String sessionId, String pod, long at,
                                       String bySessionId, String byPod) {
        return new PresenceEvent(SCHEMA, "kicked", app, user, sessionId, pod, at, "displaced", bySessionId, byPod);
    }
}
