package org.opencalling.usersigservice.errors;

/** The one error shape every endpoint answers with: {@code {"error": "<code>", "message": "..."}}. */
public record ApiError(String error, String message) {
}
