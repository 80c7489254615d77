package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void defaults() {
        assertEquals(new Options(0, false).withRelayHost("auto"), Options.parse(new String[0]));
    }

    @Test
    void theRelayHostReachesTheRelayAndSignalingAndDecidesWhatTheRelayMayReach() {
        java.util.List<org.opencalling.testsupport.ServiceSpec> lan = new LocalCluster(java.nio.file.Path.of("/repo"),
                Options.parse(new String[] {"--relay-host", "10.1.2.3"})).plan();
        assertEquals("10.1.2.3", lan.get(2).env().get("RELAY_PUBLIC_HOST"));
        assertEquals("10.1.2.3", lan.get(2).env().get("RELAY_BIND_ADDRESS"));
        assertEquals("10.1.2.3", lan.get(3).env().get("RELAY_PUBLIC_HOST"), "signaling hands out the same address");
        String peers = lan.get(2).env().get("RELAY_ALLOWED_PEER_CIDRS");
        assertTrue(peers.startsWith("10.1.2.3/32,") && !peers.contains("127.0.0.0/8"),
                "a relay on the network never relays into this machine's loopback: " + peers);
        java.util.List<org.opencalling.testsupport.ServiceSpec> local = new LocalCluster(java.nio.file.Path.of("/repo"),
                Options.parse(new String[] {"--relay-host", "127.0.0.1"})).plan();
        assertEquals("127.0.0.1", local.get(2).env().get("RELAY_BIND_ADDRESS"));
        assertTrue(local.get(2).env().get("RELAY_ALLOWED_PEER_CIDRS").startsWith("127.0.0.0/8,"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--relay-host", "relay.example"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--relay-host"}));
    }

    @Test
    void autoIsThisMachinesOwnAddressNeverLoopback() {
        RelayHost auto = RelayHost.of("auto");
        String route = RelayHost.defaultRouteAddress();
        if (route != null) {
            assertEquals(route, auto.address());
            assertTrue(!auto.loopback(), auto.toString());
            assertTrue(java.util.Collections.list(assertDoesNotThrow(() -> java.net.NetworkInterface.getNetworkInterfaces()))
                    .stream().anyMatch(i -> java.util.Collections.list(i.getInetAddresses()).stream()
                            .anyMatch(a -> a.getHostAddress().equals(route))), "an address of this machine: " + route);
        } else {
            assertEquals("127.0.0.1", auto.address(), "no route: loopback, and the reason is said");
        }
    }

    @Test
    void portOffsetMovesEveryPort() {
        LocalCluster c = new LocalCluster(java.nio.file.Path.of("/repo"), Options.parse(new String[] {"--port-offset", "1000"}));
        assertEquals(9090, c.plan().get(0).port());
        assertTrue(c.plan().get(0).jar().endsWith("usersig-service/target/quarkus-app/quarkus-run.jar"));
        assertEquals("true", c.plan().get(0).env().get("USERSIG_DEMO_MODE"));
        assertEquals(9092, c.plan().get(1).port());
        assertEquals("redis://127.0.0.1:7379", c.plan().get(1).env().get("REDIS_URL"));
        assertEquals("http://localhost:9090/.well-known/jwks.json", c.plan().get(1).env().get("JWKS_URL"));
        assertEquals(9093, c.plan().get(2).port());
        assertEquals("media-relay", c.plan().get(2).name());
        assertEquals("9000,9080,9800,1843,1443,17285", c.plan().get(2).env().get("RELAY_UDP_PORTS"));
        assertEquals("9687", c.plan().get(2).env().get("RELAY_TCP_PORTS"));
        assertEquals(9091, c.plan().get(3).port());
        assertEquals("http://localhost:9092", c.plan().get(3).env().get("PRESENCE_URL"));
        assertEquals("http://localhost:9080,http://127.0.0.1:9080", c.plan().get(3).env().get("ALLOWED_ORIGINS"));
        // Signaling hands out the relay's own ports, and both share the TURN secret.
        assertEquals(c.plan().get(2).env().get("RELAY_UDP_PORTS"), c.plan().get(3).env().get("RELAY_UDP_PORTS"));
        assertEquals(c.plan().get(2).env().get("RELAY_TCP_PORTS"), c.plan().get(3).env().get("RELAY_TCP_PORTS"));
        assertEquals(c.plan().get(2).env().get("TURN_SECRET"), c.plan().get(3).env().get("TURN_SECRET"));
    }

    @Test
    void replicasRunSeveralPresenceRelayAndSignalingInstancesThatTheWebClientSpreadsBrowsersOver() {
        LocalCluster c = new LocalCluster(java.nio.file.Path.of("/repo"), Options.parse(new String[] {"--replicas", "2"}));
        var plan = c.plan();
        assertEquals(java.util.List.of("usersig-service", "presence-service-1", "presence-service-2", "media-relay-1",
                "media-relay-2", "signaling-service-1", "signaling-service-2", "web-client"),
                plan.stream().map(org.opencalling.testsupport.ServiceSpec::name).toList());
        assertEquals(8092, plan.get(1).port());
        assertEquals(8192, plan.get(2).port());
        assertEquals(8093, plan.get(3).port());
        assertEquals(8193, plan.get(4).port());
        assertEquals("relay-local-1", plan.get(3).env().get("SFU_NODE_NAME"));
        assertEquals("relay-local-2", plan.get(4).env().get("SFU_NODE_NAME"));
        assertEquals("8100,8180,8900,16385", plan.get(4).env().get("RELAY_UDP_PORTS"), "no privileged ports twice");
        assertEquals("8787", plan.get(4).env().get("RELAY_TCP_PORTS"));
        assertEquals(8091, plan.get(5).port());
        assertEquals(8191, plan.get(6).port());
        assertEquals("signaling-local-1", plan.get(5).env().get("POD_NAME"));
        assertEquals("signaling-local-2", plan.get(6).env().get("POD_NAME"));
        assertEquals("http://localhost:8192,http://localhost:8092", plan.get(6).env().get("PRESENCE_URL"));
        // Each signaling instance hands out its own relay instance as TURN server.
        assertEquals(plan.get(4).env().get("RELAY_UDP_PORTS"), plan.get(6).env().get("RELAY_UDP_PORTS"));
        assertEquals(plan.get(3).env().get("RELAY_UDP_PORTS"), plan.get(5).env().get("RELAY_UDP_PORTS"));
        assertEquals("http://localhost:8091,http://localhost:8191", plan.get(7).env().get("SIGNALING_URL"));
        assertEquals(plan.get(5).env().get("REDIS_URL"), plan.get(6).env().get("REDIS_URL"), "one Redis for all");
        assertEquals(plan.get(5).env().get("REDIS_URL"), plan.get(4).env().get("REDIS_URL"), "the relays' SFU rooms too");
        assertEquals(new Options(0, 2, false).withRelayHost("auto"), Options.parse(new String[] {"--replicas", "2"}));
    }

    @Test
    void kafkaReachesPresenceAndSignalingOnlyWhenGiven() {
        LocalCluster off = new LocalCluster(java.nio.file.Path.of("/repo"), Options.parse(new String[0]));
        LocalCluster on = new LocalCluster(java.nio.file.Path.of("/repo"),
                Options.parse(new String[] {"--kafka", "localhost:9092", "--replicas", "2"}));
        java.util.function.Function<LocalCluster, java.util.List<String>> kafka = c -> c.plan().stream()
                .filter(s -> s.name().startsWith("signaling") || s.name().startsWith("presence"))
                .map(s -> s.env().get("KAFKA_BOOTSTRAP_SERVERS")).toList();
        assertEquals(java.util.List.of("", ""), kafka.apply(off));
        assertEquals(java.util.List.of("localhost:9092", "localhost:9092", "localhost:9092", "localhost:9092"), kafka.apply(on));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--kafka", "not a server"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--kafka"}));
    }

    @Test
    void sfuModeReachesEverySignalingInstance() {
        LocalCluster c = new LocalCluster(java.nio.file.Path.of("/repo"), Options.parse(new String[] {"--sfu", "all", "--replicas", "2"}));
        assertEquals(java.util.List.of("all", "all"), c.plan().stream().filter(s -> s.name().startsWith("signaling"))
                .map(s -> s.env().get("SIGNALING_SFU")).toList());
        assertEquals("group", new LocalCluster(java.nio.file.Path.of("/repo"), Options.parse(new String[0])).plan()
                .stream().filter(s -> s.name().startsWith("signaling")).findFirst().orElseThrow().env().get("SIGNALING_SFU"));
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--replicas", "0"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--replicas", "6"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--port-offset"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--port-offset", "x"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--port-offset", "-1"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--replicas"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--replicas", "x"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--sfu"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--sfu", "mesh"}));
        assertTrue(Options.parse(new String[] {"--help"}).help());
    }

    @Test
    void allowedOriginsJoinTheWebClientsOwn() {
        Options o = Options.parse(new String[] {"--allowed-origin", "http://localhost:5173/", "--allowed-origin", "https://app.test:8443"});
        assertEquals(java.util.List.of("http://localhost:5173", "https://app.test:8443"), o.allowedOrigins());
        LocalCluster c = new LocalCluster(java.nio.file.Path.of("/repo"), o);
        assertEquals("http://localhost:8080,http://127.0.0.1:8080,http://localhost:5173,https://app.test:8443",
                c.plan().get(3).env().get("ALLOWED_ORIGINS"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--allowed-origin"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--allowed-origin", "localhost:5173"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--allowed-origin", "http://a.test/app"}));
        assertEquals(java.util.List.of("http://[::1]:3000"), new Options(0, false).allowing("http://[::1]:3000").allowedOrigins());
    }
}
