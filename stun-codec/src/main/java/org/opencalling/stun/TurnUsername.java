package org.opencalling.stun;

/**
 * A TURN REST username (draft-uberti-behave-turn-rest): {@code expiry:rest}, expiry in epoch
 * seconds. Signaling mints {@code expiry:sdkAppId:userId}, so the relay can tell users of
 * different applications apart (quotas, the admin API); any other {@code expiry:anything} (as
 * coturn's tools or an older signaling mint it) is read with no application.
 *
 * @param expiry   epoch seconds after which the username is refused
 * @param sdkAppId the application, or 0 when the username names none
 * @param user     the userID (ours), else whatever followed the expiry ("" for none)
 */
public record TurnUsername(long expiry, long sdkAppId, String user) {
    /** Longest expiry text accepted (epoch seconds fit in 11 digits until the year 5138). */
    private static final int MAX_EXPIRY_DIGITS = 12;
    private static final int MAX_APP_DIGITS = 18;

    public static TurnUsername of(long expiry, long sdkAppId, String user) {
        if (sdkAppId <= 0) {
            throw new IllegalArgumentException("sdkAppId must be positive: " + sdkAppId);
        }
        return new TurnUsername(expiry, sdkAppId, user);
    }

    /** The username as it goes on the wire. */
    public String text() {
        return sdkAppId > 0 ? expiry + ":" + sdkAppId + ":" + user : user.isEmpty() ? Long.toString(expiry) : expiry + ":" + user;
    }

    /** Who a quota counts against: the same user of the same application, whatever the expiry. */
    public String holder() {
        return sdkAppId > 0 ? sdkAppId + ":" + user : user;
    }

    /** The username read, or null when it is not a TURN REST username (no numeric expiry first). */
    public static TurnUsername parse(String username) {
        if (username == null) {
            return null;
        }
        int colon = username.indexOf(':');
        String expiry = colon < 0 ? username : username.substring(0, colon);
        if (!digits(expiry, MAX_EXPIRY_DIGITS)) {
            return null;
        }
        String rest = colon < 0 ? "" : username.substring(colon + 1);
        int second = rest.indexOf(':');
        if (second > 0 && digits(rest.substring(0, second), MAX_APP_DIGITS)) {
            long app = Long.parseLong(rest.substring(0, second));
            if (app > 0) {
                return new TurnUsername(Long.parseLong(expiry), app, rest.substring(second + 1));
            }
        }
        return new TurnUsername(Long.parseLong(expiry), 0, rest);
    }

    private static boolean digits(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
