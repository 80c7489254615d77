package org.opencalling.presence;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redis goes away and comes back empty: not ready meanwhile, then ready again by itself. */
@QuarkusTest
class RedisOutageTest {

    static boolean awaitReadiness(int status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (given().get("/q/health/ready").statusCode() == status) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void notReadyWhileRedisIsDownAndNoRefreshedSessionLost() throws Exception {
        Api.register("pia", "pod-o", "p1").statusCode(201);
        Api.register("quinn", "pod-o", "q1").statusCode(201);
        PresenceTestResource.redis.stop(); // comes back empty: no persistence
        try {
            assertTrue(awaitReadiness(503, Duration.ofSeconds(20)), "readiness should go DOWN");
            Api.register("rosa", "pod-o", "r1").statusCode(503).body("error", equalTo("redis-unavailable"));
        } finally {
            PresenceTestResource.redis.start();
        }
        assertTrue(awaitReadiness(200, Duration.ofSeconds(30)), "readiness should come back UP");
        // The pod's next refresh restores what Redis lost.
        Api.refresh("pod-o", List.of(Api.ref("pia", "p1"), Api.ref("quinn", "q1"))).statusCode(200)
                .body("restored", hasSize(2)).body("lost", hasSize(0));
        assertTrue(Api.online("pia"));
        assertTrue(Api.online("quinn"));
        Api.presence("pia").body("sessionId", equalTo("p1"));
        // And the service works normally again.
        Api.register("rosa", "pod-o", "r1").statusCode(201);
    }
}
