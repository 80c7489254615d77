package org.opencalling.signaling.calls;

/** One user in a call. Times are epoch milliseconds; {@code answeredAt} is 0 until answered. */
@io.quarkus.runtime.annotations.RegisterForReflection // inside CallSnapshot
public record Participant(String userId, ParticipantState state, long invitedAt, long answeredAt) {

    Participant with(ParticipantState next, long at) {
        return new Participant(userId, next, invitedAt, at);
    }
}
