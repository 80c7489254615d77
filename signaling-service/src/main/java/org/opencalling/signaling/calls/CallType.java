package org.opencalling.signaling.calls;

/** The seed's call types: {@code TRTCCalling.CALL_TYPE.AUDIO_CALL} = 1, {@code VIDEO_CALL} = 2. */
public enum CallType {
    AUDIO(1), VIDEO(2);

    private final int code;

    CallType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The type a client named ({@code audio} or {@code video}), or null for anything else. */
    public static CallType fromWire(String wire) {
        return "audio".equals(wire) ? AUDIO : "video".equals(wire) ? VIDEO : null;
    }
}
