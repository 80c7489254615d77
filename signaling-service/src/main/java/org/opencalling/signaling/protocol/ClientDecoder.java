package org.opencalling.signaling.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.opencalling.signaling.calls.CallType;
import org.opencalling.usersig.SdkAppIds;
import org.opencalling.usersig.UserIds;

/**
 * Browser frames to {@link ClientMessage}s, decoded and validated in one place: a bad frame is
 * an error value naming the problem (as {@code StunDecoder} does for packets), never an
 * exception. The socket's limits (64 KiB a frame) come first; Jackson's own bound the nesting.
 */
public final class ClientDecoder {
    public static final int MAX_CALLEES = 16;
    public static final int MAX_GROUP_ID = 64;
    public static final int MAX_TIMEOUT_SECONDS = 300;
    private static final Set<String> ANSWERS = Set.of("accept", "reject", "busy", "cancel", "hangup");
    private static final Set<String> TYPES = Set.of("ping", "login", "logout", "invite", "sfu-join", "sfu-answer",
            "sdp", "ice", "accept", "reject", "busy", "cancel", "hangup", "switch-type", "invite-more", "media");

    /**
     * A decoded frame, or why not: {@code code} is the error code the client gets. {@code type}
     * is the frame's type when it had a known one (the socket answers not-logged-in before
     * anything else about a session's frame).
     */
    public record Result(ClientMessage message, String type, String id, String code, String error) {
        public boolean ok() {
            return message != null;
        }

        /** A frame of a known type that only a logged-in session may send (all but ping and login). */
        public boolean needsSession() {
            return type != null && !type.equals("ping") && !type.equals("login");
        }

        static Result of(ClientMessage m, String type) {
            return new Result(m, type, m.id(), null, null);
        }
    }

    /** Thrown inside this class only and always caught: a refusal unwinding the field checks. */
    private static final class Refused extends RuntimeException {
        final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final ObjectMapper json;

    public ClientDecoder(ObjectMapper json) {
        this.json = json;
    }

    public Result decode(String text) {
        JsonNode msg;
        try {
            msg = json.readTree(text);
        } catch (Exception e) {
            return new Result(null, null, null, "malformed-json", "the frame is not JSON");
        }
        if (msg == null || !msg.isObject()) {
            return new Result(null, null, null, "malformed-message", "a message is a JSON object with a \"type\"");
        }
        String id = msg.hasNonNull("id") ? msg.get("id").asText() : null;
        String type = msg.path("type").asText("");
        if (type.isEmpty()) {
            return new Result(null, null, id, "missing-field", "type is required");
        }
        if (!TYPES.contains(type)) {
            return new Result(null, null, id, "unknown-type", "unknown message type '" + abbreviate(type) + "'");
        }
        try {
            return Result.of(message(type, id, msg), type);
        } catch (Refused r) {
            return new Result(null, type, id, r.code, r.getMessage());
        }
    }

    private static ClientMessage message(String type, String id, JsonNode msg) {
        if (ANSWERS.contains(type)) {
            return new ClientMessage.Answer(id, type, callId(type, msg));
        }
        return switch (type) {
            case "ping" -> new ClientMessage.Ping(id);
            case "login" -> login(id, msg);
            case "logout" -> new ClientMessage.Logout(id);
            case "invite" -> invite(id, msg);
            case "sfu-join", "sfu-answer" -> sfu(type, id, msg);
            case "sdp", "ice" -> relay(type, id, msg);
            case "switch-type" -> new ClientMessage.SwitchType(id, callId(type, msg),
                    callType(msg.path("callType").asText()));
            case "invite-more" -> new ClientMessage.InviteMore(id, callId(type, msg),
                    userIds(msg.get("users"), "users must list 1 to " + MAX_CALLEES + " userIds", "users must be userIds"),
                    groupId(msg));
            case "media" -> new ClientMessage.Media(id, callId(type, msg), mediaState(msg));
            default -> throw new IllegalStateException(type); // TYPES and this switch disagree
        };
    }

    private static ClientMessage.Login login(String id, JsonNode msg) {
        JsonNode app = msg.get("sdkAppId");
        JsonNode user = msg.get("userId");
        JsonNode sig = msg.get("userSig");
        if (app == null || user == null || sig == null) {
            throw new Refused("missing-field", "login needs sdkAppId, userId and userSig");
        }
        if (!app.isIntegralNumber() || !SdkAppIds.isValid(app.asLong())) {
            throw new Refused("invalid-field", "sdkAppId must be a positive number");
        }
        if (!user.isTextual() || !UserIds.isValid(user.asText())) {
            throw new Refused("invalid-user-id", "userId must be " + UserIds.RULE);
        }
        if (!sig.isTextual()) {
            throw new Refused("invalid-field", "userSig must be a string");
        }
        String resume = msg.hasNonNull("resume") ? msg.get("resume").asText() : null;
        return new ClientMessage.Login(id, app.asLong(), user.asText(), sig.asText(), resume);
    }

    private static ClientMessage.Invite invite(String id, JsonNode msg) {
        List<String> callees = userIds(msg.get("callees"), "callees must be a list of 1 to " + MAX_CALLEES + " userIds",
                "callees must be userIds: " + UserIds.RULE);
        long timeoutSeconds = msg.path("timeoutSeconds").asLong(30);
        if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw new Refused("invalid-field", "timeoutSeconds must be 1 to " + MAX_TIMEOUT_SECONDS);
        }
        String groupId = msg.hasNonNull("groupId") ? msg.get("groupId").asText() : null;
        if (groupId != null && (groupId.isEmpty() || groupId.length() > MAX_GROUP_ID)) {
            throw new Refused("invalid-field", "groupId must be 1 to " + MAX_GROUP_ID + " characters");
        }
        return new ClientMessage.Invite(id, List.copyOf(new LinkedHashSet<>(callees)),
                callType(msg.path("callType").asText("video")), groupId, (int) timeoutSeconds);
    }

    private static ClientMessage.Sfu sfu(String type, String id, JsonNode msg) {
        String callId = callId(type, msg);
        String sdp = msg.path("sdp").isTextual() ? msg.get("sdp").asText() : null;
        boolean answer = type.equals("sfu-answer");
        if (answer && sdp == null) {
            throw new Refused("missing-field", "sfu-answer needs sdp");
        }
        List<String> codecs = new ArrayList<>();
        JsonNode named = msg.get("videoCodecs");
        if (named != null && !named.isNull()) {
            if (!named.isArray() || named.size() > 8) {
                throw new Refused("invalid-field", "videoCodecs must be a list of at most 8 codec names");
            }
            for (JsonNode c : named) {
                if (!c.isTextual() || !c.asText().matches("[A-Za-z0-9]{1,16}")) {
                    throw new Refused("invalid-field", "videoCodecs must be codec names such as VP8 or H264");
                }
                codecs.add(c.asText());
            }
        }
        String transport = msg.path("transport").isTextual() ? msg.get("transport").asText() : null;
        if (transport != null && !transport.matches("[A-Za-z0-9_-]{1,40}")) {
            throw new Refused("invalid-field", "transport must be 1 to 40 letters, digits, _ or -");
        }
        return new ClientMessage.Sfu(id, answer, callId, sdp, List.copyOf(codecs), transport);
    }

    private static ClientMessage.Relay relay(String type, String id, JsonNode msg) {
        String to = msg.path("to").asText(null);
        JsonNode payload = msg.get(type.equals("sdp") ? "description" : "candidate");
        if (to == null || payload == null || !msg.hasNonNull("callId")) {
            throw new Refused("missing-field", type + " needs callId, to and "
                    + (type.equals("sdp") ? "description" : "candidate"));
        }
        return new ClientMessage.Relay(id, type, msg.get("callId").asText(), to, payload);
    }

    private static String callId(String type, JsonNode msg) {
        if (!msg.hasNonNull("callId")) {
            throw new Refused("missing-field", type + " needs callId");
        }
        return msg.get("callId").asText();
    }

    private static CallType callType(String wire) {
        CallType t = CallType.fromWire(wire);
        if (t == null) {
            throw new Refused("invalid-field", "callType must be audio or video");
        }
        return t;
    }

    private static List<String> userIds(JsonNode users, String listRule, String idRule) {
        if (users == null || !users.isArray() || users.isEmpty() || users.size() > MAX_CALLEES) {
            throw new Refused("invalid-field", listRule);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode u : users) {
            if (!u.isTextual() || !UserIds.isValid(u.asText())) {
                throw new Refused("invalid-user-id", idRule);
            }
            out.add(u.asText());
        }
        return out;
    }

    private static String groupId(JsonNode msg) {
        JsonNode g = msg.get("groupId");
        if (g == null || g.isNull()) {
            return null;
        }
        if (!g.isTextual() || g.asText().isEmpty() || g.asText().length() > MAX_GROUP_ID) {
            throw new Refused("invalid-field", "groupId must be 1 to " + MAX_GROUP_ID + " characters");
        }
        return g.asText();
    }

    private static String mediaState(JsonNode msg) {
        if (msg.has("video") && msg.get("video").isBoolean()) {
            return msg.get("video").asBoolean() ? "video-on" : "video-off";
        }
        if (msg.has("audio") && msg.get("audio").isBoolean()) {
            return msg.get("audio").asBoolean() ? "audio-on" : "audio-off";
        }
        throw new Refused("invalid-field", "media needs video or audio as true/false");
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
