package org.opencalling.usersig;

/**
 * The userID rule, the same as Tencent's for TRTC and IM: 1 to 32 characters, each an ASCII
 * letter, digit, underscore or hyphen. Enforced wherever a userID enters the system.
 */
public final class UserIds {
    public static final int MAX_LENGTH = 32;
    public static final String RULE =
            "1 to 32 characters, each an ASCII letter, digit, underscore (_) or hyphen (-)";

    private UserIds() {
    }

    public static boolean isValid(String userId) {
        if (userId == null || userId.isEmpty() || userId.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < userId.length(); i++) {
            char c = userId.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
