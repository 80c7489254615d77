package org.opencalling.bench.soak;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every invitation the soak placed (its callId came back), what its users were scripted to do
 * with it, and whether they could: the other half of the audit, against Kafka's call events.
 */
final class Ledger {
    /**
     * One invitation. {@code scripted}: the callee's answer the script aimed at (accepted,
     * rejected, busy, cancelled, timeout); {@code disrupted}: why the script could not finish
     * (a socket closed, a frame that never came), null when it finished as scripted.
     */
    record Invitation(String callId, String callee, String scripted, long startedAt, String disrupted) {
    }

    private final Map<String, Invitation> invitations = new ConcurrentHashMap<>();

    /**
     * {@code sentAt}: when the invitation was sent, not when its callId came back. Redis may have
     * stored it and died before the answer reached the caller, so whether a wipe could have taken
     * it is judged from the sending.
     */
    void placed(String callId, String callee, String scripted, long sentAt) {
        invitations.put(callId, new Invitation(callId, callee, scripted, sentAt, null));
    }

    void disrupted(String callId, String why) {
        invitations.computeIfPresent(callId, (k, i) -> new Invitation(i.callId(), i.callee(), i.scripted(), i.startedAt(), why));
    }

    Map<String, Invitation> all() {
        return Map.copyOf(invitations);
    }
}
