package org.opencalling.relay.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.net.TestTurnClient;
import org.opencalling.stun.TurnCredentials;

/** The admin API with real backend tokens from usersig-service and real allocations over UDP and TCP. */
@QuarkusTest
@TestProfile(RelayServiceTest.Ports.class)
class AdminApiTest {
    @Inject
    RelayService relay;

    static final long APP = 1_400_000_000L;
    static final long OTHER_APP = 1_400_000_001L;

    TurnCredentials.Credential credential(long app, String user) {
        return new TurnCredentials("service-test-secret").mint(app, user, 600, System.currentTimeMillis() / 1000);
    }

    TurnCredentials.Credential credential(String user) {
        return credential(APP, user);
    }

    @Test
    void operatorsListAndEndAllocations() throws Exception {
        String admin = UsersigForTests.token(UsersigForTests.ADMIN, "relay:read relay:write");
        String reader = UsersigForTests.token(UsersigForTests.READER, "relay:read");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        InetSocketAddress udp = new InetSocketAddress(loopback, relay.udpPorts().get(0));
        InetSocketAddress tcp = new InetSocketAddress(loopback, relay.tcpPorts().get(0));
        try (TestTurnClient aliceUdp = TestTurnClient.udp(udp, credential("admin-alice"), "opencalling");
             TestTurnClient aliceTcp = TestTurnClient.tcp(tcp, credential("admin-alice"), "opencalling");
             TestTurnClient bob = TestTurnClient.udp(udp, credential("admin-bob"), "opencalling");
             TestTurnClient otherAlice = TestTurnClient.udp(udp, credential(OTHER_APP, "admin-alice"), "opencalling")) {
            InetSocketAddress aliceRelayed = aliceUdp.allocate();
            aliceTcp.allocate();
            InetSocketAddress bobRelayed = bob.allocate();
            otherAlice.allocate(); // the same userID in another application: another user

            given().get("/v1/allocations").then().statusCode(401).body("error", equalTo("unauthorized"));
            given().auth().oauth2("not.a.token").get("/v1/allocations").then().statusCode(401);
            given().auth().oauth2(reader).delete("/v1/allocations?user=admin-bob&app=" + APP).then().statusCode(403)
                    .body("error", equalTo("forbidden"));

            given().auth().oauth2(reader).get("/v1/allocations?user=admin-alice").then().statusCode(200)
                    .body("count", equalTo(3)); // without app: that userID in every application
            given().auth().oauth2(reader).get("/v1/allocations?user=admin-alice&app=" + OTHER_APP).then().statusCode(200)
                    .body("count", equalTo(1)).body("allocations[0].app", equalTo((int) OTHER_APP));
            given().auth().oauth2(reader).get("/v1/allocations?user=admin-alice&app=x").then().statusCode(400)
                    .body("error", equalTo("invalid-field"));
            List<Map<String, Object>> alices = given().auth().oauth2(reader).get("/v1/allocations?user=admin-alice&app=" + APP)
                    .then().statusCode(200).body("count", equalTo(2)).body("allocations", hasSize(2))
                    .extract().jsonPath().getList("allocations");
            Map<String, Object> first = alices.get(0);
            assertEquals("admin-alice", first.get("user"));
            assertEquals(APP, ((Number) first.get("app")).longValue());
            assertEquals("udp", first.get("transport"), "oldest first");
            assertEquals("127.0.0.1:" + aliceRelayed.getPort(), first.get("relayedAddress"));
            assertTrue(((Number) first.get("expiresAt")).longValue() > System.currentTimeMillis());
            String tcpId = (String) alices.get(1).get("id");
            assertTrue(tcpId.matches("[0-9a-f]{16}"), "ids are 64 random bits, unique across relays: " + tcpId);
            assertEquals("tcp", alices.get(1).get("transport"));
            given().auth().oauth2(reader).get("/v1/allocations/" + tcpId).then().statusCode(200)
                    .body("user", equalTo("admin-alice")).body("packetsToPeer", equalTo(0));

            long endedBefore = relay.allocations().ended(Allocations.End.ADMIN);
            given().auth().oauth2(admin).delete("/v1/allocations/" + tcpId).then().statusCode(204);
            assertTrue(aliceTcp.closedByRelay(), "a TCP allocation's connection closes with it");
            given().auth().oauth2(admin).delete("/v1/allocations/" + tcpId).then().statusCode(404)
                    .body("error", equalTo("not-found"));
            given().auth().oauth2(reader).get("/v1/allocations/" + tcpId).then().statusCode(404);
            given().auth().oauth2(admin).delete("/v1/allocations").then().statusCode(400);
            given().auth().oauth2(admin).delete("/v1/allocations?user=admin-bob").then().statusCode(400)
                    .body("error", equalTo("missing-field")); // a userID alone names a user in every application
            given().auth().oauth2(admin).delete("/v1/allocations?user=admin-bob&app=" + OTHER_APP).then().statusCode(200)
                    .body("ended", equalTo(0));
            given().auth().oauth2(admin).delete("/v1/allocations?user=admin-bob&app=" + APP).then().statusCode(200)
                    .body("ended", equalTo(1));
            given().auth().oauth2(reader).get("/v1/allocations?user=admin-bob").then().statusCode(200)
                    .body("count", equalTo(0));
            try (java.net.DatagramSocket rebind = new java.net.DatagramSocket(bobRelayed)) {
                assertEquals(bobRelayed.getPort(), rebind.getLocalPort(), "bob's relayed port was released");
            }
            given().auth().oauth2(reader).get("/v1/allocations?user=admin-alice").then().statusCode(200)
                    .body("count", equalTo(2));
            assertEquals(endedBefore + 2, relay.allocations().ended(Allocations.End.ADMIN));
            given().auth().oauth2(admin).delete("/v1/allocations?user=admin-alice&app=" + APP).then().statusCode(200)
                    .body("ended", equalTo(1));
            given().auth().oauth2(reader).get("/v1/allocations?user=admin-alice&app=" + OTHER_APP).then().statusCode(200)
                    .body("count", equalTo(1));
        }
    }
}
