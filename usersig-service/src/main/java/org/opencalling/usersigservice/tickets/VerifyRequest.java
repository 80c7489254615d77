package org.opencalling.usersigservice.tickets;

public record VerifyRequest(Long sdkAppId, String userId, String userSig) {
}
