package org.opencalling.presence;

import org.opencalling.presence.sessions.SessionKeys;
import org.opencalling.service.ApiException;

/** Presence's own request fields (the shared ones are in {@link org.opencalling.service.Fields}). */
public final class Inputs {
    private Inputs() {
    }

    public static String pod(String pod) {
        if (pod == null) {
            throw ApiException.badRequest("missing-field", "pod is required");
        }
        if (!SessionKeys.validPod(pod)) {
            throw ApiException.badRequest("invalid-field", "pod must be 1-128 letters, digits, '.', '_' or '-'");
        }
        return pod;
    }
}
