package org.opencalling.signaling.calls;

import java.util.List;

/**
 * What a transition asks the outside world to do; the state machine itself does no I/O.
 * Signaling turns {@link Notify} into socket messages (through Redis to whichever pod holds the
 * user), {@link Event} into Kafka call events.
 */
public sealed interface Effect {
    /** Tell these users that {@code what} happened ({@code about} = the user it concerns). */
    record Notify(List<String> to, String what, String about, List<String> users) implements Effect {
    }

    /**
     * A call event for Kafka (invited, accepted, rejected, busy, cancelled, timeout, joined, left,
     * ended); {@code seq} numbers the call's events from 0, in the order they were stored.
     */
    record Event(String type, String userId, int seq) implements Effect {
    }
}
