package org.opencalling.signaling.calls;

public enum CallState {
    RINGING, ACTIVE, ENDED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
