package org.opencalling.presence.sessions;

import java.util.regex.Pattern;

/**
 * Redis names, in one place (they are a contract: docs/protocol.md). A user's live session is
 * the hash {@code trtc:pr:s:{app}:{user}}; every live session is a member
 * {@code {app}:{user}:{sessionId}} of the zset {@code trtc:pr:exp} scored by its deadline; kicks
 * are published on {@code trtc:presence:kick:{pod}}.
 */
public final class SessionKeys {
    public static final String SESSION_PREFIX = "trtc:pr:s:";
    public static final String EXPIRY = "trtc:pr:exp";
    /** {@code trtc:pr:t:{app}:{user}:{sessionId}}: a session that ended, for 2 x ttl. */
    public static final String TOMBSTONE_PREFIX = "trtc:pr:t:";
    public static final String KICK_CHANNEL_PREFIX = "trtc:presence:kick:";

    private static final Pattern POD = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private SessionKeys() {
    }

    public static String session(long app, String user) {
        return SESSION_PREFIX + app + ":" + user;
    }

    /** Member prefix of a user's sessions in the expiry zset. */
    public static String memberPrefix(long app, String user) {
        return app + ":" + user + ":";
    }

    public static String member(long app, String user, String sessionId) {
        return memberPrefix(app, user) + sessionId;
    }

    public static String kickChannel(String pod) {
        return KICK_CHANNEL_PREFIX + pod;
    }

    public static boolean validPod(String pod) {
        return pod != null && POD.matcher(pod).matches();
    }

    public static boolean validSessionId(String id) {
        return id != null && SESSION_ID.matcher(id).matches();
    }

    /** (app, user, sessionId) of a zset member; userIDs and session ids contain no ':'. */
    public record Member(long app, String user, String sessionId) {
    }

    public static Member parseMember(String member) {
        int a = member.indexOf(':');
        int b = a < 0 ? -1 : member.indexOf(':', a + 1);
        if (b < 0) {
            return null;
        }
        try {
            return new Member(Long.parseLong(member.substring(0, a)), member.substring(a + 1, b), member.substring(b + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
