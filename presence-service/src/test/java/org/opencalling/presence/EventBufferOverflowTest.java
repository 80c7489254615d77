package org.opencalling.presence;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A long Kafka outage with a tiny buffer: what does not fit is dropped and counted, never lost
 * silently. Every event is either delivered after the broker returns or counted as dropped.
 */
@QuarkusTest
@TestProfile(EventBufferOverflowTest.TinyBuffer.class)
class EventBufferOverflowTest {
    public static class TinyBuffer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("presence.events.buffer", "5", "presence.session-ttl", "10m");
        }
    }

    static double dropped() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("presence_events_dropped_total\\{reason=\"buffer-full\"[^}]*} ([0-9.E]+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void overflowIsCountedAndTheRestDelivered() throws Exception {
        int logins = 20;
        PresenceTestResource.kafka.stopBroker();
        try {
            for (int i = 0; i < logins; i++) {
                Api.register("flood" + i, "pod-f", "f" + i).statusCode(201); // one online event each
            }
        } finally {
            PresenceTestResource.kafka.startBroker();
        }
        int lost = (int) dropped();
        assertTrue(lost >= logins - 5 - 1, "at most the buffer plus one in flight kept, dropped " + lost);
        int delivered = PresenceTestResource.kafka.read("trtc.presence-events",
                r -> r.key().startsWith("flood"), logins - lost, java.time.Duration.ofSeconds(60)).size();
        assertEquals(logins, delivered + lost, "every event delivered or counted as dropped");
        // And no more than that arrives (a dropped event must not be delivered after all).
        int total = PresenceTestResource.kafka.read("trtc.presence-events", r -> r.key().startsWith("flood"), logins,
                java.time.Duration.ofSeconds(5)).size();
        assertEquals(logins - lost, total);
    }
}
