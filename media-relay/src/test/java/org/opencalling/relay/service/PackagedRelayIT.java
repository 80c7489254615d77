package org.opencalling.relay.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;

/**
 * The packaged relay (the fast-jar here, the native executable where {@code -Dnative} builds
 * one: .github/workflows/native.yml) on a UDP port of its own: STUN answered, an Allocate
 * without credentials challenged (401 with a realm and a nonce), health and metrics served.
 */
@QuarkusIntegrationTest
@TestProfile(PackagedRelayIT.Ports.class)
class PackagedRelayIT {
    static final int UDP = freeUdpPort();

    static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    public static class Ports implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turn.secret", "packaged-test-secret", "relay.bind-address", "127.0.0.1",
                    "relay.udp-ports", Integer.toString(UDP), "relay.tcp-ports", "0",
                    "relay.port-range", "44100-44199", "relay.allowed-peer-cidrs", "127.0.0.0/8");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(UsersigForTests.class));
        }
    }

    static StunMessage exchange(DatagramSocket s, byte[] request) throws Exception {
        s.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), UDP));
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return new StunDecoder().decode(buf, 0, p.getLength()).message();
    }

    @Test
    void answersStunChallengesAnAllocateAndServesHealthAndMetrics() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(5000);
            StunMessage binding = exchange(s, StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, new byte[12]).encode());
            assertEquals(StunTypes.SUCCESS, binding.messageClass());
            StunMessage challenge = exchange(s, StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, new byte[12]).encode());
            assertEquals(StunTypes.ERROR, challenge.messageClass());
            assertTrue(challenge.has(StunTypes.REALM) && challenge.has(StunTypes.NONCE),
                    "a long-term credential challenge");
        }
        given().get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String metrics = "";
        while (System.nanoTime() < deadline
                && !java.util.regex.Pattern.compile("(?m)^relay_auth_challenges_total [1-9]").matcher(metrics).find()) {
            metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            Thread.sleep(100); // the counters are exported every 2 s
        }
        assertTrue(java.util.regex.Pattern.compile("(?m)^relay_auth_challenges_total [1-9]").matcher(metrics).find(),
                "the challenge was counted:\n" + metrics);
    }
}
