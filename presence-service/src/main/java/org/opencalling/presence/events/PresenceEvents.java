package org.opencalling.presence.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Presence events to Kafka without ever slowing a login: {@link #publish} only offers to a
 * bounded queue; one sender thread hands records, in order, to an idempotent, acks=all producer
 * that keeps retrying through a broker outage (metadata.recovery.strategy=none, unbounded
 * delivery timeout). Every event is either acknowledged ({@code presence_events_sent_total}) or
 * counted in {@code presence_events_dropped_total{reason}} (buffer-full, kafka-refused, shutdown);
 * nothing is lost silently.
 */
@Singleton
public class PresenceEvents {
    private static final Logger LOG = Logger.getLogger(PresenceEvents.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> bootstrapServers;

    @ConfigProperty(name = "presence.events.topic", defaultValue = "trtc.presence-events")
    String topic;

    @ConfigProperty(name = "presence.events.buffer", defaultValue = "10000")
    int capacity;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    private BlockingQueue<ProducerRecord<String, String>> queue;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong droppedSoFar = new AtomicLong();
    private volatile boolean running;
    private volatile Producer<String, String> producer;
    private io.micrometer.core.instrument.Counter sent;
    private Thread sender;

    void start(@Observes StartupEvent e) {
        if (bootstrapServers.isEmpty() || bootstrapServers.get().isBlank()) {
            LOG.info("KAFKA_BOOTSTRAP_SERVERS is empty: presence events are off");
            return;
        }
        queue = new ArrayBlockingQueue<>(capacity);
        registry.gauge("presence.events.buffered", inFlight, n -> n.get() + queue.size());
        sent = registry.counter("presence.events.sent");
        running = true;
        sender = new Thread(this::sendLoop, "presence-events-sender");
        sender.setDaemon(true);
        sender.start();
        LOG.infof("Presence events go to Kafka %s, topic %s", bootstrapServers.get(), topic);
    }

    private Producer<String, String> newProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers.get());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "presence-service");
        // Through an outage: keep the known brokers and retry, instead of failing records.
        p.put("metadata.recovery.strategy", "none");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000"); // blocks only the sender thread
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p);
    }

    public boolean enabled() {
        return queue != null;
    }

    /** Never blocks. */
    public void publish(PresenceEvent event) {
        if (queue == null) {
            return;
        }
        String value;
        try {
            value = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!running) {
            dropped("shutdown", event.userId());
        } else if (!queue.offer(new ProducerRecord<>(topic, event.userId(), value))) {
            dropped("buffer-full", event.userId());
        }
    }

    private void dropped(String reason, String key) {
        registry.counter("presence.events.dropped", "reason", reason).increment();
        long n = droppedSoFar.incrementAndGet();
        if (n == 1 || n % 1000 == 0) { // the counter has every one; the log only a sample
            LOG.warnf("Presence event dropped (%s, buffer %d, %d dropped so far), e.g. for user %s",
                    reason, capacity, n, key);
        }
    }

    /**
     * The sender: one thread, so events keep their order. It waits for the topic's metadata
     * before each send (at once once known; through an outage the producer keeps it and
     * buffers), so a broker unreachable at start delays events instead of failing them.
     */
    private void sendLoop() {
        Producer<String, String> p = null;
        while (running && p == null) {
            try {
                p = newProducer();
            } catch (KafkaException e) {
                LOG.warnf("Cannot create the Kafka producer yet (%s); retrying", e.getMessage());
                sleep(Duration.ofSeconds(2));
            }
        }
        producer = p;
        ProducerRecord<String, String> pending = null;
        while (running) {
            if (pending == null) {
                try {
                    pending = queue.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (pending == null) {
                    continue;
                }
            }
            if (metadataReady(p)) {
                send(p, pending);
                pending = null;
            }
        }
        drainOnStop(p, pending);
    }

    private boolean metadataReady(Producer<String, String> p) {
        try {
            p.partitionsFor(topic);
            return true;
        } catch (KafkaException e) { // no metadata within max.block.ms: broker unreachable
            return false;
        }
    }

    private void send(Producer<String, String> p, ProducerRecord<String, String> r) {
        inFlight.incrementAndGet();
        try {
            p.send(r, (metadata, error) -> {
                inFlight.decrementAndGet();
                if (error == null) {
                    sent.increment();
                } else {
                    dropped("kafka-refused", r.key());
                }
            });
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            dropped("kafka-refused", r.key());
        }
    }

    /** Hands what is left to the producer if Kafka is there, within a deadline; counts the rest. */
    private void drainOnStop(Producer<String, String> p, ProducerRecord<String, String> pending) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        java.util.List<ProducerRecord<String, String>> rest = new java.util.ArrayList<>();
        if (pending != null) {
            rest.add(pending);
        }
        queue.drainTo(rest);
        boolean kafkaThere = p != null && !rest.isEmpty() && metadataReady(p);
        for (ProducerRecord<String, String> r : rest) {
            if (kafkaThere) {
                send(p, r);
            } else {
                dropped("shutdown", r.key());
            }
        }
        if (p != null) {
            // Flushes; records not acknowledged in time fail their callbacks and are counted.
            long left = Math.max(0, deadline - System.nanoTime());
            p.close(Duration.ofNanos(left));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (sender != null) {
            try {
                sender.join(12_000); // max.block (5 s) for a send in progress + the 5 s drain
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
