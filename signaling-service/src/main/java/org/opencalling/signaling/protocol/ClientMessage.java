package org.opencalling.signaling.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.opencalling.signaling.calls.CallType;

/**
 * A browser's frame on the signaling socket, decoded and validated ({@link ClientDecoder}): each
 * type with its fields, typed. {@code id} is the client's request id, echoed in the answer (or
 * null).
 */
public sealed interface ClientMessage {
    String id();

    record Ping(String id) implements ClientMessage {
    }

    /** {@code resume}: the session to resume after a dropped socket, or null for a new one. */
    record Login(String id, long sdkAppId, String userId, String userSig, String resume) implements ClientMessage {
    }

    record Logout(String id) implements ClientMessage {
    }

    /** {@code callees}: 1 to 16 userIds, without repeats, in the order given. */
    record Invite(String id, List<String> callees, CallType callType, String groupId, int timeoutSeconds)
            implements ClientMessage {
    }

    /** {@code answer}: sfu-answer (with its sdp) rather than sfu-join. */
    record Sfu(String id, boolean answer, String callId, String sdp, List<String> videoCodecs, String transport)
            implements ClientMessage {
    }

    /** sdp or ice for one member of the call: {@code payload} goes to them as it came. */
    record Relay(String id, String type, String callId, String to, JsonNode payload) implements ClientMessage {
    }

    /** accept, reject, busy, cancel or hangup. */
    record Answer(String id, String type, String callId) implements ClientMessage {
    }

    record SwitchType(String id, String callId, CallType callType) implements ClientMessage {
    }

    /** {@code groupId}: for a 1v1 call becoming a group call, or null. */
    record InviteMore(String id, String callId, List<String> users, String groupId) implements ClientMessage {
    }

    /** {@code state}: video-on, video-off, audio-on or audio-off. */
    record Media(String id, String callId, String state) implements ClientMessage {
    }
}
