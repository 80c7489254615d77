package org.opencalling.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pod that stops refreshing loses its sessions within the bound (ttl 2 s + sweep 200 ms in
 * tests); a pod that keeps refreshing keeps its own.
 */
@QuarkusTest
class ExpiryTest {

    @Test
    void aSilentPodsSessionsExpireTheOtherPodsStay() throws Exception {
        Api.register("liam", "pod-silent", "l1").statusCode(201);
        Api.register("mia", "pod-silent", "m1").statusCode(201);
        Api.register("noah", "pod-alive", "n1").statusCode(201);
        Api.register("olga", "pod-alive", "o1").statusCode(201);
        List<Map<String, Object>> alive = List.of(Api.ref("noah", "n1"), Api.ref("olga", "o1"));
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicReference<Throwable> refreshFailure = new java.util.concurrent.atomic.AtomicReference<>();
        refresher.scheduleAtFixedRate(() -> {
            try {
                Api.refresh("pod-alive", alive).statusCode(200);
            } catch (Throwable t) {
                refreshFailure.compareAndSet(null, t); // surfaced below instead of silently ending the schedule
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        try {
            List<JsonNode> liam = EventsTest.eventsOf("liam", 2);
            List<JsonNode> mia = EventsTest.eventsOf("mia", 2);
            assertEquals(List.of("online:l1", "offline:l1"), EventsTest.describe(liam));
            assertEquals(List.of("online:m1", "offline:m1"), EventsTest.describe(mia));
            assertEquals("expired", liam.get(1).get("reason").asText());
            assertEquals("pod-silent", liam.get(1).get("pod").asText());
            // Server times: registration (the silent pod's last word) to the offline event.
            long silentFor = liam.get(1).get("at").asLong() - liam.get(0).get("at").asLong();
            long bound = 2000 + 200 + 1000; // ttl + one sweep + slack for a loaded 2-core machine
            assertTrue(silentFor <= bound, "offline after " + silentFor + " ms, bound " + bound);
            assertTrue(silentFor >= 2000, "offline after " + silentFor + " ms: before the ttl");
            assertFalse(Api.online("liam"));
            assertFalse(Api.online("mia"));
            if (refreshFailure.get() != null) {
                throw new AssertionError("the alive pod's refresh failed", refreshFailure.get());
            }
            assertTrue(Api.online("noah"), "the refreshing pod's sessions stay");
            assertTrue(Api.online("olga"));
        } finally {
            refresher.shutdownNow();
        }
    }
}
