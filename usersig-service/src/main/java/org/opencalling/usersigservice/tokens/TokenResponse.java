package org.opencalling.usersigservice.tokens;

import com.fasterxml.jackson.annotation.JsonProperty;

/** RFC 6749 section 5.1 access token response. */
public record TokenResponse(@JsonProperty("access_token") String accessToken,
                            @JsonProperty("token_type") String tokenType,
                            @JsonProperty("expires_in") long expiresIn,
                            String scope) {
}
