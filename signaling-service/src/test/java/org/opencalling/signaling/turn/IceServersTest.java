package org.opencalling.signaling.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencalling.stun.TurnCredentials;

class IceServersTest {
    @Test
    void iceServersOnEveryPort() {
        var cred = new TurnCredentials("x").mint(1_400_000_000L, "bob", 60, 0);
        var servers = IceServers.of("relay.example.org", List.of(8000, 443), List.of(8687), cred);
        assertEquals(List.of("turn:relay.example.org:8000?transport=udp", "turn:relay.example.org:443?transport=udp",
                "turn:relay.example.org:8687?transport=tcp"), servers.get(0).urls());
        assertEquals("turn:[::1]:8000?transport=udp",
                IceServers.of("::1", List.of(8000), List.of(), cred).get(0).urls().get(0));
    }

    @Test
    void aLoginHandsOutTheChosenPortsOrTheDefault() {
        List<Integer> relay = List.of(8000, 8080, 8800, 843, 443, 16285);
        assertEquals(List.of(8000), IceServers.handedOut("ICE_UDP_PORTS", java.util.Optional.empty(), "RELAY_UDP_PORTS", relay, List.of(8000)));
        assertEquals(List.of(8000), IceServers.handedOut("ICE_UDP_PORTS", java.util.Optional.of(" "), "RELAY_UDP_PORTS", relay, List.of(8000)));
        assertEquals(List.of(443, 8000), IceServers.handedOut("ICE_UDP_PORTS", java.util.Optional.of("443,8000"), "RELAY_UDP_PORTS", relay, List.of(8000)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IceServers.handedOut("ICE_UDP_PORTS", java.util.Optional.of("8000,3478"), "RELAY_UDP_PORTS", relay, List.of(8000)));
        assertEquals("ICE_UDP_PORTS: 3478 is not one of the relay's ports (RELAY_UDP_PORTS=8000,8080,8800,843,443,16285)", e.getMessage());
    }

    @Test
    void portLists() {
        assertEquals(List.of(8000, 8080, 8800, 843, 443, 16285), IceServers.ports("RELAY_UDP_PORTS", "8000,8080, 8800,843,443,16285"));
        assertThrows(IllegalArgumentException.class, () -> IceServers.ports("RELAY_UDP_PORTS", "80x"));
        assertThrows(IllegalArgumentException.class, () -> IceServers.ports("RELAY_UDP_PORTS", "70000"));
    }
}
