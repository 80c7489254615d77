package org.opencalling.relay.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;

/** The service: configured ports bound (one that cannot be is reported, not fatal), health, metrics. */
@QuarkusTest
@TestProfile(RelayServiceTest.Ports.class)
class RelayServiceTest {
    /** A UDP port held by someone else for the whole run: it cannot be bound (as 443 cannot without privilege). */
    static final DatagramSocket BUSY = busy();

    static DatagramSocket busy() {
        try {
            return new DatagramSocket(0, InetAddress.getLoopbackAddress());
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    public static class Ports implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turn.secret", "service-test-secret", "relay.bind-address", "127.0.0.1",
                    "relay.udp-ports", "0," + BUSY.getLocalPort(), "relay.tcp-ports", "0",
                    "relay.port-range", "44000-44099", "relay.allowed-peer-cidrs", "127.0.0.0/8", "relay.threads", "2");
        }

        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(UsersigForTests.class));
        }
    }

    @Inject
    RelayService relay;

    @Test
    void servesTurnOnTheBindablePortsAndSaysWhichAreNot() throws Exception {
        assertEquals(1, relay.udpPorts().size());
        assertEquals(1, relay.tcpPorts().size());
        assertTrue(relay.unbound().toString().contains("udp/" + BUSY.getLocalPort()), relay.unbound().toString());
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(5000);
            byte[] request = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, new byte[12]).encode();
            s.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), relay.udpPorts().get(0)));
            byte[] buf = new byte[512];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            StunMessage m = new StunDecoder().decode(buf, 0, p.getLength()).message();
            assertEquals(StunTypes.SUCCESS, m.messageClass());
            // An unauthenticated Allocate: challenged, and counted in the metrics.
            byte[] allocate = StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, new byte[12]).encode();
            s.send(new DatagramPacket(allocate, allocate.length, InetAddress.getLoopbackAddress(), relay.udpPorts().get(0)));
            s.receive(p);
        }
        given().get("/q/health/ready").then().statusCode(200).body(containsString("udp/" + BUSY.getLocalPort()));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String metrics = "";
        while (System.nanoTime() < deadline && !metrics.contains("relay_auth_challenges_total")) {
            metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            Thread.sleep(100); // the counters are exported every 2 s
        }
        assertTrue(metrics.contains("relay_allocations_active"), metrics);
        assertTrue(java.util.regex.Pattern.compile("(?m)^relay_auth_challenges_total [1-9]").matcher(metrics).find(),
                "the challenge was counted:\n" + metrics);
        assertTrue(metrics.contains("relay_packets_total{direction=\"to-peer\"}"), metrics);
        assertTrue(metrics.contains("relay_allocations_ended_total{reason=\"expired\"}"), metrics);
    }
}
