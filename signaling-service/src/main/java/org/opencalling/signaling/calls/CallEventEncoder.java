package org.opencalling.signaling.calls;

import java.util.List;

/**
 * Turns the call events among a change's effects into the records stored with the change, in
 * the event outbox ({@link #OUTBOX}), from which one pod at a time relays them to Kafka. None
 * when call events are off.
 */
public interface CallEventEncoder {
    /** The Redis list the call-events outbox is. */
    String OUTBOX = "trtc:call-events:outbox";

    List<String> encode(Call c, List<Effect> effects);
}
