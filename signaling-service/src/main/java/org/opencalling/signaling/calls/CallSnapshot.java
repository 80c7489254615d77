package org.opencalling.signaling.calls;

import java.util.List;
import java.util.Map;

/**
 * A call's whole state as data, for storing it (in Redis, as JSON) so that any signaling pod can
 * carry on a call another pod started. {@code ringUntil}: callee → deadline (ms); {@code sfu}: whether
 * its media goes through the SFU (null in records stored before it was kept); {@code events}: how many
 * call events it has emitted (null in older records).
 */
@io.quarkus.runtime.annotations.RegisterForReflection // stored as JSON (native images need it)
public record CallSnapshot(String callId, long sdkAppId, String caller, String groupId, CallType type,
                           CallState state, long createdAt, long startedAt, long endedAt, String endReason,
                           List<Participant> participants, Map<String, Long> ringUntil,
                           Boolean sfu, Integer events) {
}
