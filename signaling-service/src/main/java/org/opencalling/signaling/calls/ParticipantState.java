package org.opencalling.signaling.calls;

/** A participant's state, as the REST API shows it ({@link #wire()}). */
public enum ParticipantState {
    RINGING, ACCEPTED, REJECTED, BUSY, TIMEOUT, CANCELLED, LEFT;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** In the call's media: the caller from the start, a callee once accepted. */
    public boolean inCall() {
        return this == ACCEPTED;
    }
}
