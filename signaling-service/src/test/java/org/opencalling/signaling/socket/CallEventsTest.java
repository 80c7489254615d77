package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.WsClient;

/** Call events on the real Kafka broker, and the latency metrics, after real calls over sockets. */
@QuarkusTest
class CallEventsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/signaling")
    URI uri;

    WsClient user(String name) throws Exception {
        return SignalingSocketTest.loggedIn(uri, name);
    }

    static List<JsonNode> eventsOf(String callId, int count) throws Exception {
        List<ConsumerRecord<String, String>> records = SignalingTestResource.kafka.read("trtc.call-events",
                r -> callId.equals(r.key()), count, Duration.ofSeconds(60));
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            out.add(JSON.readTree(r.value()));
        }
        return out;
    }

    static List<String> describe(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText() + (e.hasNonNull("userId") ? ":" + e.get("userId").asText() : ""))
                .toList();
    }

    @Test
    void aWholeCallIsInKafkaInOrderKeyedByCallId() throws Exception {
        String callId;
        try (WsClient ed = user("ed5"); WsClient flo = user("flo5")) {
            ed.sendOnly("{\"type\":\"invite\",\"callees\":[\"flo5\"],\"callType\":\"audio\"}");
            callId = ed.expect("invite-ok").get("callId").asText();
            flo.expect("invited");
            flo.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            ed.expect("accepted");
            flo.sendOnly("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
            ed.expect("ended");
        }
        List<JsonNode> events = eventsOf(callId, 6);
        assertEquals(List.of("invited:flo5", "accepted:flo5", "joined:ed5", "joined:flo5", "left:flo5", "ended"),
                describe(events));
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertEquals(i, e.get("seq").asInt(), "numbered in the call's order");
            assertEquals(callId + ":" + i, e.get("eventId").asText());
            assertEquals(1, e.get("schema").asInt());
            assertEquals(SignalingTestResource.APP, e.get("sdkAppId").asLong());
            assertEquals("ed5", e.get("caller").asText());
            assertEquals("audio", e.get("callType").asText());
        }
        JsonNode ended = events.get(5);
        assertEquals("hangup", ended.get("reason").asText());
        assertTrue(ended.get("durationMs").asLong() >= 0);
        assertEquals(2, ended.get("participants").size());
        assertTrue(events.get(0).get("at").asLong() <= ended.get("at").asLong());
    }

    @Test
    void rejectedBusyCancelledAndTimeoutAreEvents() throws Exception {
        try (WsClient gus = user("gus5"); WsClient han = user("han5"); WsClient ivy = user("ivy5")) {
            gus.sendOnly("{\"type\":\"invite\",\"callees\":[\"han5\"]}");
            String rejected = gus.expect("invite-ok").get("callId").asText();
            han.expect("invited");
            han.sendOnly("{\"type\":\"reject\",\"callId\":\"" + rejected + "\"}");
            gus.expect("ended");
            assertEquals(List.of("invited:han5", "rejected:han5", "ended"), describe(eventsOf(rejected, 3)));

            gus.sendOnly("{\"type\":\"invite\",\"callees\":[\"han5\"]}");
            String cancelled = gus.expect("invite-ok").get("callId").asText();
            han.expect("invited");
            ivy.sendOnly("{\"type\":\"invite\",\"callees\":[\"han5\"]}"); // han is ringing: busy
            String busy = ivy.expect("invite-ok").get("callId").asText();
            ivy.expect("ended");
            gus.sendOnly("{\"type\":\"cancel\",\"callId\":\"" + cancelled + "\"}");
            han.expect("cancelled");
            assertEquals(List.of("invited:han5", "cancelled:han5", "ended"), describe(eventsOf(cancelled, 3)));
            assertEquals(List.of("invited:han5", "busy:han5", "ended"), describe(eventsOf(busy, 3)));
            assertEquals("busy", eventsOf(busy, 3).get(2).get("reason").asText());

            gus.sendOnly("{\"type\":\"invite\",\"callees\":[\"ivy5\"],\"timeoutSeconds\":1}");
            String timeout = gus.expect("invite-ok").get("callId").asText();
            ivy.expect("timeout");
            List<JsonNode> t = eventsOf(timeout, 3);
            assertEquals(List.of("invited:ivy5", "timeout:ivy5", "ended"), describe(t));
            assertEquals("timeout", t.get(2).get("reason").asText());
        }
    }

    static double metric(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void inviteDeliveryAndRoutingLatencyAreMeasured() throws Exception {
        double before = metric(RestAssured.get("/q/metrics").asString(),
                "(?m)^signaling_invite_delivery_seconds_count(?:\\{[^}]*})? ([0-9.E]+)");
        try (WsClient jo = user("jo5"); WsClient kai = user("kai5")) {
            jo.sendOnly("{\"type\":\"invite\",\"callees\":[\"kai5\"]}");
            String callId = jo.expect("invite-ok").get("callId").asText();
            kai.expect("invited");
            jo.sendOnly("{\"type\":\"cancel\",\"callId\":\"" + callId + "\"}");
            kai.expect("cancelled");
        }
        String metrics = RestAssured.get("/q/metrics").asString();
        // The histogram is recorded once the frame is written; the cancel after it proves that happened.
        assertTrue(metric(metrics, "(?m)^signaling_invite_delivery_seconds_count(?:\\{[^}]*})? ([0-9.E]+)") >= before + 1,
                metrics.lines().filter(l -> l.contains("invite_delivery")).toList().toString());
        assertTrue(metrics.contains("signaling_invite_delivery_seconds_bucket"), "a histogram, for percentiles");
        assertTrue(metric(metrics, "(?m)^signaling_routing_latency_seconds_count(?:\\{[^}]*})? ([0-9.E]+)") >= 2);
        assertTrue(metric(metrics, "(?m)^signaling_call_events_sent_total(?:\\{[^}]*})? ([0-9.E]+)") >= 0);
        assertTrue(metric(metrics, "(?m)^signaling_messages_total\\{direction=\"in\"[^}]*} ([0-9.E]+)") >= 3);
        assertTrue(metric(metrics, "(?m)^signaling_logins_total\\{result=\"valid\"[^}]*} ([0-9.E]+)") >= 2);
    }
}
