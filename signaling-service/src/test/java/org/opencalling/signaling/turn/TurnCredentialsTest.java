package org.opencalling.signaling.turn;

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
    void iceServersOnEveryPort() {
        var cred = new TurnCredentials("x").mint("bob", 60, 0);
        var servers = IceServers.of("relay.example.org", List.of(8000, 443), List.of(8687), cred);
        assertEquals(List.of("turn:relay.example.org:8000?transport=udp", "turn:relay.example.org:443?transport=udp",
                "turn:relay.example.org:8687?transport=tcp"), servers.get(0).urls());
        assertEquals("turn:[::1]:8000?transport=udp",
                IceServers.of("::1", List.of(8000), List.of(), cred).get(0).urls().get(0));
    }

    @Test
    void portLists() {
        assertEquals(List.of(8000, 8080, 8800, 843, 443, 16285), IceServers.ports("RELAY_UDP_PORTS", "8000,8080, 8800,843,443,16285"));
        assertThrows(IllegalArgumentException.class, () -> IceServers.ports("RELAY_UDP_PORTS", "80x"));
        assertThrows(IllegalArgumentException.class, () -> IceServers.ports("RELAY_UDP_PORTS", "70000"));
        assertThrows(IllegalArgumentException.class, () -> new TurnCredentials(""));
    }
}
