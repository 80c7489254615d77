package org.opencalling.service;

import org.opencalling.usersig.SdkAppIds;
import org.opencalling.usersig.UserIds;

/** Checks of the fields every API shares, each failing with a 400 that names the field. */
public final class Fields {
    private Fields() {
    }

    public static long sdkAppId(Long sdkAppId) {
        if (sdkAppId == null) {
            throw ApiException.badRequest("missing-field", "sdkAppId is required");
        }
        if (!SdkAppIds.isValid(sdkAppId)) {
            throw ApiException.badRequest("invalid-field", "sdkAppId must be a positive number of at most "
                    + SdkAppIds.MAX_DIGITS + " digits");
        }
        return sdkAppId;
    }

    /** From a path segment. */
    public static long sdkAppId(String sdkAppId) {
        try {
            return sdkAppId(Long.parseLong(sdkAppId));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid-field", "sdkAppId must be a number");
        }
    }

    public static String userId(String userId) {
        if (userId == null) {
            throw ApiException.badRequest("missing-field", "userId is required");
        }
        if (!UserIds.isValid(userId)) {
            throw ApiException.badRequest("invalid-user-id", "userId must be " + UserIds.RULE);
        }
        return userId;
    }
}
