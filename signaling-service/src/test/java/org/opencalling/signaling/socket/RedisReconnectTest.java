package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.WsClient;

/**
 * Redis drops this pod's subscriber connections: it subscribes again by itself; an invitation
 * sent in the gap still reaches the callee, and frames after it arrive as usual.
 */
@QuarkusTest
class RedisReconnectTest {
    @TestHTTPResource("/v1/signaling")
    URI uri;

    @Inject
    RedisDataSource redis;

    WsClient user(String name) throws Exception {
        return SignalingSocketTest.loggedIn(uri, name);
    }

    @Test
    void framesStillArriveAfterTheSubscriptionIsDropped() throws Exception {
        try (WsClient ada = user("ada8"); WsClient bram = user("bram8")) {
            long killed = redis.execute("CLIENT", "KILL", "TYPE", "pubsub").toLong();
            assertTrue(killed >= 1, "the pod's subscriber connections were dropped: " + killed);
            ada.sendOnly("{\"type\":\"invite\",\"callees\":[\"bram8\"]}"); // right in the gap
            String callId = ada.expect("invite-ok").get("callId").asText();
            assertEquals(callId, bram.expect("invited").get("callId").asText());
            bram.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            assertEquals("bram8", ada.expect("accepted").get("userId").asText());
            io.restassured.RestAssured.get("/q/health/ready").then().statusCode(200);
        }
    }
}
