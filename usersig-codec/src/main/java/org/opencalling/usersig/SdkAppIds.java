package org.opencalling.usersig;

/** SDKAppIDs are positive decimal numbers (Tencent's are ten digits, e.g. 1400000000). */
public final class SdkAppIds {
    public static final int MAX_DIGITS = 15;
    private static final long MAX = 999_999_999_999_999L;

    private SdkAppIds() {
    }

    public static boolean isValid(long sdkAppId) {
        return sdkAppId > 0 && sdkAppId <= MAX;
    }
}
