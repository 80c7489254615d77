package org.opencalling.presence;

import org.opencalling.presence.sessions.SessionKeys;
import org.opencalling.service.ApiException;
import org.opencalling.usersig.SdkAppIds;
import org.opencalling.usersig.UserIds;

/** Checks of request fields, each failing with a 400 that names the field. */
public final class Inputs {
    private Inputs() {
    }

    public static long app(Long sdkAppId) {
        if (sdkAppId == null) {
            throw ApiException.badRequest("missing-field", "sdkAppId is required");
        }
        if (!SdkAppIds.isValid(sdkAppId)) {
            throw ApiException.badRequest("invalid-field", "sdkAppId must be a positive number of at most "
                    + SdkAppIds.MAX_DIGITS + " digits");
        }
        return sdkAppId;
    }

    public static long app(String sdkAppId) {
        try {
            return app(Long.parseLong(sdkAppId));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid-field", "sdkAppId must be a number");
        }
    }

    public static String user(String userId) {
        if (userId == null) {
            throw ApiException.badRequest("missing-field", "userId is required");
        }
        if (!UserIds.isValid(userId)) {
            throw ApiException.badRequest("invalid-user-id", "userId must be " + UserIds.RULE);
        }
        return userId;
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
