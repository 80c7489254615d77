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
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Presence events to Kafka without ever slowing a login: {@link #publish} only offers to a
 * bounded queue; one sender thread hands records to an idempotent, acks=all producer that keeps
 * retrying through a broker outage (metadata.recovery.strategy=none, unbounded delivery timeout),
 * preserving order. What does not fit in the queue is counted in
 * {@code presence_events_dropped_total} and logged; nothing is lost silently.
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
    private volatile boolean running;
    private Producer<String, String> producer;
    private Thread sender;

    void start(@Observes StartupEvent e) {
        if (bootstrapServers.isEmpty() || bootstrapServers.get().isBlank()) {
            LOG.info("KAFKA_BOOTSTRAP_SERVERS is empty: presence events are off");
            return;
        }
        queue = new ArrayBlockingQueue<>(capacity);
        registry.gauge("presence.events.buffered", inFlight, n -> n.get() + queue.size());
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
        producer = new KafkaProducer<>(p);
        running = true;
        sender = new Thread(this::sendLoop, "presence-events-sender");
        sender.setDaemon(true);
        sender.start();
        LOG.infof("Presence events go to Kafka %s, topic %s", bootstrapServers.get(), topic);
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
        if (!queue.offer(new ProducerRecord<>(topic, event.userId(), value))) {
            registry.counter("presence.events.dropped", "reason", "buffer-full").increment();
            LOG.warnf("Presence event buffer full (%d): dropped %s of %s/%s", capacity, event.type(),
                    event.sdkAppId(), event.userId());
        }
    }

    private void sendLoop() {
        while (running) {
            ProducerRecord<String, String> r;
            try {
                r = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r == null) {
                continue;
            }
            inFlight.incrementAndGet();
            while (running) {
                try {
                    producer.send(r, (metadata, error) -> {
                        inFlight.decrementAndGet();
                        if (error == null) {
                            registry.counter("presence.events.sent").increment();
                        } else {
                            registry.counter("presence.events.dropped", "reason", "kafka-refused").increment();
                            LOG.errorf("Kafka refused a presence event for %s: %s", r.key(), error.toString());
                        }
                    });
                    break;
                } catch (RetriableException e) { // e.g. TimeoutException: no metadata within max.block.ms
                    // No metadata yet (broker unreachable since start): the same record again,
                    // so order holds.
                    sleep(Duration.ofMillis(500));
                } catch (RuntimeException e) {
                    inFlight.decrementAndGet();
                    registry.counter("presence.events.dropped", "reason", "kafka-refused").increment();
                    LOG.errorf("Cannot send a presence event for %s: %s", r.key(), e.toString());
                    break;
                }
            }
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
                sender.join(2000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            // Hand over what is still queued; close() then flushes what it can in 5 s.
            ProducerRecord<String, String> r;
            while ((r = queue.poll()) != null) {
                try {
                    producer.send(r);
                } catch (RuntimeException ex) {
                    registry.counter("presence.events.dropped", "reason", "shutdown").increment();
                }
            }
            producer.close(Duration.ofSeconds(5));
        }
    }
}
