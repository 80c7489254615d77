package org.opencalling.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
    static final long APP = 1_400_000_000L;

    @Test
    void restApiFormAsCoturnComputesItWithTheApplicationInTheUsername() {
        // Known answer, computed independently with OpenSSL:
        // printf '%s' '1700000600:1400000000:alice' | openssl dgst -sha1 -hmac 's3cret' -binary | base64
        TurnCredentials.Credential c = new TurnCredentials("s3cret").mint(APP, "alice", 600, 1_700_000_000L);
        assertEquals("1700000600:1400000000:alice", c.username());
        assertEquals(1_700_000_600L, c.expiresAt());
        assertEquals("Vm+bWDKpdTVYZwxRs2CWL5XzxbA=", c.password());
    }

    @Test
    void anEmptySecretIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TurnCredentials(""));
    }

    @Test
    void theRelayRecomputesThePasswordAndRefusesExpiredOrMalformedUsernames() {
        TurnCredentials t = new TurnCredentials("s3cret");
        TurnCredentials.Credential c = t.mint(APP, "alice", 600, 1_700_000_000L);
        assertEquals(c.password(), t.passwordIfValid(c.username(), 1_700_000_599L));
        assertNull(t.passwordIfValid(c.username(), 1_700_000_600L), "expired");
        for (String bad : List.of("alice", ":alice", "17e9:alice", "-1:alice", "1234567890123:alice", "")) {
            assertNull(t.passwordIfValid(bad, 0), bad);
        }
        // coturn's forms: "expiry" alone and "expiry:user" (no application) are accepted too.
        assertEquals(t.password("1700000600"), t.passwordIfValid("1700000600", 1_700_000_000L));
        assertEquals(t.password("1700000600:alice"), t.passwordIfValid("1700000600:alice", 1_700_000_000L));
    }

    @Test
    void usernamesNameTheirApplicationSoTheSameUserIdInTwoAppsAreTwoHolders() {
        TurnUsername a = TurnUsername.parse("1700000600:1400000000:alice");
        TurnUsername b = TurnUsername.parse("1700000600:1400000001:alice");
        assertEquals(new TurnUsername(1_700_000_600L, APP, "alice"), a);
        assertEquals("1400000000:alice", a.holder());
        assertEquals("1400000001:alice", b.holder());
        assertEquals("1700000600:1400000000:alice", a.text());
        // Without an application (coturn's tools, an older signaling): the rest is the user.
        assertEquals(new TurnUsername(1_700_000_600L, 0, "alice"), TurnUsername.parse("1700000600:alice"));
        assertEquals("alice", TurnUsername.parse("1700000600:alice").holder());
        assertEquals(new TurnUsername(1_700_000_600L, 0, ""), TurnUsername.parse("1700000600"));
        assertEquals(new TurnUsername(1, 0, "0:bob"), TurnUsername.parse("1:0:bob"), "application 0 is none");
        assertEquals(new TurnUsername(1, 0, "x:1:bob"), TurnUsername.parse("1:x:1:bob"));
        for (String bad : List.of("", "alice", ":1:alice", "1x:1:alice", "1234567890123:1:a")) {
            assertNull(TurnUsername.parse(bad), bad);
        }
        assertNull(TurnUsername.parse(null));
        assertThrows(IllegalArgumentException.class, () -> TurnUsername.of(1, 0, "alice"));
    }
}
