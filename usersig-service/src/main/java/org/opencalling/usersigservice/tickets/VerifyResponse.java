package org.opencalling.usersigservice.tickets;

/**
 * {@code reason} is {@code null} when valid; {@code expireAt} (epoch seconds) is {@code null}
 * when the ticket could not be read.
 */
public record VerifyResponse(boolean valid, String reason, Long expireAt) {
}
