package org.opencalling.service;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The one error shape every endpoint answers with: {@code {"error": "<code>", "message": "..."}}. */
// Sent inside a Response, so the REST layer cannot see the type at build time: register it
// for JSON serialisation in native images.
@RegisterForReflection
public record ApiError(String error, String message) {
}
