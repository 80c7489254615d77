package org.opencalling.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Events observed on the real broker: per-user order, and delivery through a broker outage. */
@QuarkusTest
class EventsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOPIC = "trtc.presence-events";

    static List<JsonNode> eventsOf(String user, int count) throws Exception {
        List<ConsumerRecord<String, String>> records = PresenceTestResource.kafka.read(TOPIC,
                r -> user.equals(r.key()), count, Duration.ofSeconds(60));
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            out.add(JSON.readTree(r.value()));
        }
        return out;
    }

    static List<String> describe(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText() + ":" + e.get("sessionId").asText()).toList();
    }

    @Test
    void eventsArriveInOrderPerUser() throws Exception {
        Api.register("jack", "pod-a", "j1").statusCode(201);
        Api.register("jack", "pod-b", "j2").statusCode(201);
        Api.end("jack", "j2").statusCode(200);
        List<JsonNode> events = eventsOf("jack", 4);
        assertEquals(List.of("online:j1", "kicked:j1", "online:j2", "offline:j2"), describe(events));
        JsonNode kicked = events.get(1);
        assertEquals(1, kicked.get("schema").asInt());
        assertEquals(Api.APP, kicked.get("sdkAppId").asLong());
        assertEquals("pod-a", kicked.get("pod").asText());
        assertEquals("j2", kicked.get("bySessionId").asText());
        assertEquals("logout", events.get(3).get("reason").asText());
        assertTrue(events.get(0).get("at").asLong() <= events.get(3).get("at").asLong());
    }

    @Test
    void loginsGoOnThroughAKafkaOutageAndTheEventsFollow() throws Exception {
        PresenceTestResource.kafka.stopBroker();
        List<String> expected = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                Api.register("kate", i % 2 == 0 ? "pod-a" : "pod-b", "k" + i).statusCode(201);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                // Not a benchmark: the producer may block for seconds; a login must not wait on it.
                assertTrue(ms < 2000, "login took " + ms + " ms while Kafka was down");
                if (i > 0) {
                    expected.add("kicked:k" + (i - 1));
                }
                expected.add("online:k" + i);
            }
        } finally {
            PresenceTestResource.kafka.startBroker();
        }
        // (kate's last session, never refreshed here, may already have expired: a later event.)
        assertEquals(expected, describe(eventsOf("kate", expected.size())).subList(0, expected.size()));
    }
}
