package org.opencalling.signaling.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * An event on {@code trtc.call-events}, keyed by callId (one call's events share a partition).
 * Each pod sends its events in the order its changes were stored; two changes of one call made
 * on different pods at nearly the same moment may reach Kafka in either order, so consumers
 * that care compare {@code at}. {@code schema} is bumped on any incompatible change; {@code at} is epoch
 * milliseconds. {@code userId} names the participant the event is about (absent for
 * {@code ended}); {@code ended} carries the reason, {@code durationMs} since the first
 * accept (0 if nobody accepted) and every participant's final state. {@code seq} numbers a call's
 * events from 0 in the order they were stored, and {@code eventId} is {@code callId:seq}: a
 * consumer drops a duplicate by its id and sees a gap (an event lost) or a reordering by its seq.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallEvent(int schema, String eventId, int seq, String type, String callId, long sdkAppId, String caller,
                        String callType, String groupId, String userId, long at, String reason, Long durationMs,
                        List<Member> participants) {
    public static final int SCHEMA = 1;

    @RegisterForReflection
    public record Member(String userId, String state) {
    }
}
