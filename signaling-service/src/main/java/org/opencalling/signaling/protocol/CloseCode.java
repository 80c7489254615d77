package org.opencalling.signaling.protocol;

import io.quarkus.websockets.next.CloseReason;

/**
 * Every code the server closes a signaling socket with, in one place (docs/protocol.md, "Close
 * codes"). The SDK reconnects after any of them but {@link #LOGGED_OUT}, {@link #KICKED} and
 * {@link #RESUMED_ELSEWHERE}.
 */
public enum CloseCode {
    /** After {@code logout}. */
    LOGGED_OUT(1000, "logged out"),
    /** A refused origin, a flood, no login in time: the reason says which. */
    POLICY(1008, "policy violation"),
    /** A frame over max-message-size (RFC 6455). */
    FRAME_TOO_LARGE(1009, "frame too large"),
    INTERNAL(1011, "internal error"),
    /** The pod is stopping (a rolling restart): reconnect, to another pod, and resume. */
    SERVICE_RESTART(1012, "service restart: reconnect"),
    /** The same user logged in elsewhere, after the {@code kicked} frame. */
    KICKED(4001, "logged in elsewhere"),
    /** The session was resumed on another socket. */
    RESUMED_ELSEWHERE(4002, "resumed elsewhere"),
    /** Nothing (no message, no pong) came for the idle timeout; the resume grace period starts. */
    KEEP_ALIVE_TIMEOUT(4003, "no keep-alive");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    /** The close frame with its usual reason. */
    public CloseReason close() {
        return new CloseReason(code, reason);
    }

    /** The close frame with a reason of its own (what the browser's {@code CloseEvent.reason} shows). */
    public CloseReason close(String why) {
        return new CloseReason(code, why);
    }
}
