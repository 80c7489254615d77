package org.opencalling.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.KafkaBroker;

/** The outbox relay against a real Kafka broker, with the outbox and its lease in memory. */
class CallEventRelayTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static KafkaBroker kafka;

    @BeforeAll
    static void broker() {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** The outbox as Redis keeps it, and a lease that a test can take away at the worst moment. */
    static final class MemoryOutbox implements CallEventRelay.Outbox {
        final List<String> records = new ArrayList<>();
        String holder;
        /** A pod whose next trim finds its lease gone (it froze past the lease, say). */
        String losesLeaseAtNextTrim;
        final Set<String> barred = new HashSet<>();

        @Override
        public synchronized boolean lease(String pod, long ttlMs) {
            if (barred.contains(pod)) {
                return false;
            }
            if (holder == null || holder.equals(pod)) {
                holder = pod;
                return true;
            }
            return false;
        }

        @Override
        public synchronized List<String> head(int n) {
            return List.copyOf(records.subList(0, Math.min(n, records.size())));
        }

        @Override
        public synchronized boolean trim(String pod, int n) {
            if (pod.equals(losesLeaseAtNextTrim)) {
                losesLeaseAtNextTrim = null;
                barred.add(pod);
                holder = null;
            }
            if (!pod.equals(holder)) {
                return false;
            }
            records.subList(0, Math.min(n, records.size())).clear();
            return true;
        }

        @Override
        public synchronized long size() {
            return records.size();
        }

        @Override
        public synchronized void release(String pod) {
            if (pod.equals(holder)) {
                holder = null;
            }
        }
    }

    /** Records of {@code calls} calls, {@code perCall} events each, interleaved as changes of several calls are stored. */
    static List<String> records(String prefix, int calls, int perCall) {
        List<String> out = new ArrayList<>();
        for (int seq = 0; seq < perCall; seq++) {
            for (int c = 0; c < calls; c++) {
                String callId = prefix + c;
                out.add(callId + " {\"schema\":1,\"eventId\":\"" + callId + ":" + seq + "\",\"seq\":" + seq
                        + ",\"type\":\"t\",\"callId\":\"" + callId + "\"}");
            }
        }
        return out;
    }

    static CallEventRelay relay(String topic, String pod, MemoryOutbox outbox) {
        return new CallEventRelay(new CallEventRelay.Settings(kafka.bootstrapServers(), topic, pod, "relay-test-" + topic,
                100, 1000, 1_000_000), outbox, new SimpleMeterRegistry());
    }

    /** Each call's seqs in the order Kafka holds them; fails on a duplicate event id. */
    static Map<String, List<Integer>> read(String topic, int expected) throws Exception {
        List<ConsumerRecord<String, String>> got = kafka.read(topic, expected, Duration.ofSeconds(60));
        Map<String, List<Integer>> seqs = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, String> r : got) {
            JsonNode e = JSON.readTree(r.value());
            assertTrue(ids.add(e.get("eventId").asText()), "sent once: " + e);
            assertEquals(e.get("callId").asText(), r.key(), "keyed by callId");
            seqs.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(e.get("seq").asInt());
        }
        assertEquals(expected, got.size());
        return seqs;
    }

    @Test
    void relaysTheOutboxInOrderOnceAndEmptiesIt() throws Exception {
        MemoryOutbox outbox = new MemoryOutbox();
        outbox.records.addAll(records("a", 7, 50)); // 350 records: several batches
        try (CallEventRelay r = relay("relay-order", "pod-1", outbox).start()) {
            Map<String, List<Integer>> seqs = read("relay-order", 350);
            for (List<Integer> s : seqs.values()) {
                assertEquals(java.util.stream.IntStream.range(0, 50).boxed().toList(), s, "in the order stored");
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (outbox.size() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, outbox.size(), "what was relayed leaves the outbox");
        }
    }

    @Test
    void aNewHolderSkipsWhatTheOldOneSentButCouldNotRemove() throws Exception {
        MemoryOutbox outbox = new MemoryOutbox();
        outbox.records.addAll(records("b", 3, 100)); // 300 records, batches of 100
        outbox.losesLeaseAtNextTrim = "pod-1"; // its first batch reaches Kafka, then its lease is gone
        try (CallEventRelay first = relay("relay-takeover", "pod-1", outbox).start()) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (!outbox.barred.contains("pod-1") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(300, outbox.size(), "sent, but not removed");
            assertEquals(100, kafka.read("relay-takeover", 100, Duration.ofSeconds(30)).size());
            try (CallEventRelay second = relay("relay-takeover", "pod-2", outbox).start()) {
                Map<String, List<Integer>> seqs = read("relay-takeover", 300);
                for (List<Integer> s : seqs.values()) {
                    assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), s, "each once, in order");
                }
                assertEquals("pod-2", outbox.holder);
            }
        }
        // Nothing more arrives later: a second read finds exactly the 300.
        assertEquals(300, kafka.read("relay-takeover", 301, Duration.ofSeconds(3)).size());
    }
}
