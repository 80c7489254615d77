package org.opencalling.usersigservice.tickets;

/** {@code expireAt} is in epoch seconds. */
public record IssueResponse(long sdkAppId, String userId, String userSig, long expireAt) {
}
