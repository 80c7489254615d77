package org.opencalling.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
    @Test
    void restApiFormAsCoturnComputesIt() {
        // Known answer, computed independently with OpenSSL:
        // printf '%s' '1700000600:alice' | openssl dgst -sha1 -hmac 's3cret' -binary | base64
        TurnCredentials.Credential c = new TurnCredentials("s3cret").mint("alice", 600, 1_700_000_000L);
        assertEquals("1700000600:alice", c.username());
        assertEquals(1_700_000_600L, c.expiresAt());
        assertEquals("bUIJIVaC05oyFgKsQvKAparqg1Q=", c.password());
    }

    @Test
    void anEmptySecretIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TurnCredentials(""));
    }

    @Test
    void theRelayRecomputesThePasswordAndRefusesExpiredOrMalformedUsernames() {
        TurnCredentials t = new TurnCredentials("s3cret");
        TurnCredentials.Credential c = t.mint("alice", 600, 1_700_000_000L);
        assertEquals(c.password(), t.passwordIfValid(c.username(), 1_700_000_599L));
        org.junit.jupiter.api.Assertions.assertNull(t.passwordIfValid(c.username(), 1_700_000_600L), "expired");
        for (String bad : List.of("alice", ":alice", "17e9:alice", "-1:alice", "1234567890123:alice", "")) {
            org.junit.jupiter.api.Assertions.assertNull(t.passwordIfValid(bad, 0), bad);
        }
        // coturn's form without a user part ("expiry" alone) is accepted too.
        assertEquals(t.password("1700000600"), t.passwordIfValid("1700000600", 1_700_000_000L));
    }
}
