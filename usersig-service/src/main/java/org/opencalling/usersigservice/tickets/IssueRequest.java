package org.opencalling.usersigservice.tickets;

/** Body of {@code POST /v1/usersig}. {@code userBuf} (optional) is base64 bytes signed into the ticket. */
public record IssueRequest(Long sdkAppId, String userId, Long expireSeconds, String userBuf) {
}
