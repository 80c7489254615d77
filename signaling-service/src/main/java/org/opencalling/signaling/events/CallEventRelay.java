package org.opencalling.signaling.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Relays the call-events outbox to Kafka, exactly once and in the order the changes were
 * stored. One pod at a time holds the relay lease (in Redis); it sends the outbox's head in one
 * Kafka transaction, then removes what it sent. Every pod's producer has the same
 * transactional id, so a new holder fences any old one (a frozen pod cannot commit late), and
 * before its first batch it reads the topic's tail and skips what the previous holder sent but
 * could not remove (it died, or lost the lease, between the commit and the trim).
 *
 * <p>Kafka down: the outbox grows in Redis and is relayed when Kafka is back; beyond
 * {@code maxOutbox} records the oldest are dropped and counted
 * ({@code signaling_call_events_dropped_total{reason="outbox-full"}}). Redis losing its data
 * loses what the outbox held, with the calls themselves.
 */
public final class CallEventRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CallEventRelay.class);

    /** The outbox and its lease, in Redis (an in-memory one in unit tests). */
    public interface Outbox {
        /** Takes or keeps the lease for {@code pod}; true while it holds it. */
        boolean lease(String pod, long ttlMs);

        /** The first {@code n} records, oldest first. */
        List<String> head(int n);

        /** Removes the first {@code n} records if {@code pod} still holds the lease; false if not. */
        boolean trim(String pod, int n);

        long size();

        void release(String pod);
    }

    /** {@code transactionalId}: the same on every pod, which is what fences a stale relay. */
    public record Settings(String bootstrapServers, String topic, String pod, String transactionalId, int batch,
                           long leaseMs, long maxOutbox) {
    }

    private final Settings settings;
    private final Outbox outbox;
    private final MeterRegistry registry;
    private final ObjectMapper json = new ObjectMapper();
    private final Counter sent;
    private final AtomicLong waiting = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private KafkaProducer<String, String> producer;

    public CallEventRelay(Settings settings, Outbox outbox, MeterRegistry registry) {
        this.settings = settings;
        this.outbox = outbox;
        this.registry = registry;
        this.sent = registry.counter("signaling.call.events.sent");
        registry.gauge("signaling.call.events.buffered", waiting);
        this.thread = new Thread(this::loop, "call-events-relay");
        thread.setDaemon(true);
    }

    public CallEventRelay start() {
        thread.start();
        LOG.infof("Call events go to Kafka %s, topic %s, through the outbox (relayed by one pod at a time)",
                settings.bootstrapServers(), settings.topic());
        return this;
    }

    private void loop() {
        while (running) {
            try {
                if (!outbox.lease(settings.pod(), settings.leaseMs())) {
                    stepDown();
                    sleep(settings.leaseMs() / 5);
                    continue;
                }
                capOutbox();
                if (producer == null) {
                    takeOver();
                }
                if (!relayBatch()) {
                    sleep(20);
                }
            } catch (RuntimeException e) {
                // Kafka or Redis unreachable, or fenced by a newer holder: start over, checking Kafka first.
                LOG.debugf("call-events relay: %s", e.toString());
                stepDown();
                sleep(1000);
            }
        }
        stepDown();
        try {
            outbox.release(settings.pod());
        } catch (RuntimeException e) {
            // Redis unreachable at shutdown: the lease expires by itself
        }
    }

    /** The first batch of a new holder: a transactional producer (fencing the old one), then skip what it already sent. */
    private void takeOver() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "signaling-call-events-" + settings.pod());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        KafkaProducer<String, String> fresh = new KafkaProducer<>(p);
        try {
            fresh.initTransactions(); // aborts the previous holder's open transaction, fences it
            skipPublished();
        } catch (RuntimeException e) {
            fresh.close(Duration.ZERO);
            throw e;
        }
        producer = fresh;
        LOG.infof("This pod (%s) relays call events now", settings.pod());
    }

    /** Removes from the outbox's head what is already in Kafka (the previous holder sent it, then could not trim). */
    private void skipPublished() {
        List<String> head = outbox.head(settings.batch());
        if (head.isEmpty()) {
            return;
        }
        Set<String> inKafka = recentEventIds(2L * settings.batch());
        int k = 0;
        while (k < head.size() && inKafka.contains(eventId(head.get(k)))) {
            k++;
        }
        if (k > 0 && outbox.trim(settings.pod(), k)) {
            LOG.infof("Skipped %d call events the previous relay had sent", k);
        }
    }

    /** Event ids in the last {@code depth} committed records of each partition. */
    private Set<String> recentEventIds(long depth) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(settings.topic(), Duration.ofSeconds(5))) {
                parts.add(new TopicPartition(settings.topic(), info.partition()));
            }
            if (parts.isEmpty()) {
                return ids;
            }
            consumer.assign(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(5));
            for (TopicPartition tp : parts) {
                consumer.seek(tp, Math.max(0, end.get(tp) - depth));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read the tail of " + settings.topic());
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    ids.add(eventIdOf(r.value()));
                }
            }
        }
        return ids;
    }

    /** Sends the outbox's head in one transaction and removes it; false when there was nothing. */
    private boolean relayBatch() {
        List<String> batch = outbox.head(settings.batch());
        waiting.set(outbox.size());
        if (batch.isEmpty()) {
            return false;
        }
        producer.beginTransaction();
        for (String record : batch) {
            int space = record.indexOf(' ');
            producer.send(new ProducerRecord<>(settings.topic(), record.substring(0, space), record.substring(space + 1)));
        }
        producer.commitTransaction();
        sent.increment(batch.size());
        if (!outbox.trim(settings.pod(), batch.size())) {
            stepDown(); // the next holder finds these in Kafka and skips them
        }
        return true;
    }

    /** Beyond the cap (a long Kafka outage), the oldest records go, counted. */
    private void capOutbox() {
        long size = outbox.size();
        waiting.set(size);
        if (size > settings.maxOutbox()) {
            int drop = (int) Math.min(Integer.MAX_VALUE, size - settings.maxOutbox());
            if (outbox.trim(settings.pod(), drop)) {
                registry.counter("signaling.call.events.dropped", "reason", "outbox-full").increment(drop);
                LOG.warnf("Call-events outbox over %d records (Kafka away?): the %d oldest dropped", settings.maxOutbox(), drop);
            }
        }
    }

    /** The event id of an outbox record ({@code callId}, a space, the JSON). */
    private String eventId(String record) {
        return eventIdOf(record.substring(record.indexOf(' ') + 1));
    }

    private String eventIdOf(String eventJson) {
        try {
            return json.readTree(eventJson).path("eventId").asText();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private void stepDown() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops after the batch in progress and gives up the lease, so another pod takes over at once. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
