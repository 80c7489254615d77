package org.opencalling.presence.sessions;

/** A session as a pod names it: which user, which session. */
public record SessionRef(Long sdkAppId, String userId, String sessionId) {
}
