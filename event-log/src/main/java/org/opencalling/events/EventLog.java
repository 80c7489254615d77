package org.opencalling.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Events to one Kafka topic without ever slowing the caller: {@link #publish} only offers to a
 * bounded queue; one sender thread hands records, in order, to an idempotent, acks=all producer
 * that keeps retrying through a broker outage (metadata.recovery.strategy=none, unbounded
 * delivery timeout). Every event is either acknowledged ({@code <metrics>.sent}) or counted in
 * {@code <metrics>.dropped{reason}} (buffer-full, kafka-refused, shutdown); nothing is lost
 * silently. {@code <metrics>.buffered} is what waits in the queue or in the producer.
 */
public final class EventLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventLog.class);

    /** Where and how: {@code metrics} is the meter name prefix, e.g. {@code presence.events}. */
    public record Settings(String bootstrapServers, String topic, int capacity, String clientId, String metrics) {
    }

    private final Settings settings;
    private final MeterRegistry registry;
    private final Supplier<Producer<String, String>> producers;
    private final BlockingQueue<ProducerRecord<String, String>> queue;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong droppedSoFar = new AtomicLong();
    private final Counter sent;
    private final Thread sender;
    private volatile boolean running = true;

    private EventLog(Settings settings, MeterRegistry registry, Supplier<Producer<String, String>> producers) {
        this.settings = settings;
        this.registry = registry;
        this.producers = producers;
        this.queue = new ArrayBlockingQueue<>(settings.capacity());
        registry.gauge(settings.metrics() + ".buffered", inFlight, n -> n.get() + queue.size());
        this.sent = registry.counter(settings.metrics() + ".sent");
        this.sender = new Thread(this::sendLoop, settings.clientId() + "-events-sender");
        sender.setDaemon(true);
    }

    /** Starts the sender; the producer itself is created on the sender thread, retried until Kafka is there. */
    public static EventLog start(Settings settings, MeterRegistry registry) {
        return start(settings, registry, () -> newProducer(settings));
    }

    /**
     * Starts the sender if Kafka is configured; otherwise says that these events are off and
     * returns null (publishing is then the caller's no-op).
     */
    public static EventLog startIfConfigured(java.util.Optional<String> bootstrapServers, String topic, int capacity,
                                             String clientId, String metrics, MeterRegistry registry, String what) {
        if (bootstrapServers.isEmpty() || bootstrapServers.get().isBlank()) {
            LOG.infof("KAFKA_BOOTSTRAP_SERVERS is empty: %s are off", what);
            return null;
        }
        return start(new Settings(bootstrapServers.get(), topic, capacity, clientId, metrics), registry);
    }

    static EventLog start(Settings settings, MeterRegistry registry, Supplier<Producer<String, String>> producers) {
        EventLog log = new EventLog(settings, registry, producers);
        log.sender.start();
        LOG.infof("Events go to Kafka %s, topic %s (buffer %d)", settings.bootstrapServers(), settings.topic(),
                settings.capacity());
        return log;
    }

    static Producer<String, String> newProducer(Settings s) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, s.clientId());
        // Through an outage: keep the known brokers and retry, instead of failing records.
        p.put("metadata.recovery.strategy", "none");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000"); // blocks only the sender thread
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p);
    }

    /** Queues one event (a JSON text) under its key. Never blocks. */
    public void publish(String key, String json) {
        if (!running) {
            dropped("shutdown", key);
        } else if (!queue.offer(new ProducerRecord<>(settings.topic(), key, json))) {
            dropped("buffer-full", key);
        }
    }

    private void dropped(String reason, String key) {
        registry.counter(settings.metrics() + ".dropped", "reason", reason).increment();
        long n = droppedSoFar.incrementAndGet();
        if (n == 1 || n % 1000 == 0) { // the counter has every one; the log only a sample
            LOG.warnf("Event for %s dropped (%s, buffer %d, %d dropped so far), e.g. key %s", settings.topic(),
                    reason, settings.capacity(), n, key);
        }
    }

    /**
     * One thread, so events keep their order. It waits for the topic's metadata before each
     * send (at once once known; through an outage the producer keeps it and buffers), so a
     * broker unreachable at start delays events instead of failing them.
     */
    private void sendLoop() {
        Producer<String, String> p = null;
        while (running && p == null) {
            try {
                p = producers.get();
            } catch (KafkaException e) {
                LOG.warnf("Cannot create the Kafka producer yet (%s); retrying", e.getMessage());
                sleep(Duration.ofSeconds(2));
            }
        }
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
            p.partitionsFor(settings.topic());
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
        List<ProducerRecord<String, String>> rest = new ArrayList<>();
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

    /** Stops taking events, sends or counts what is queued (up to ~10 s), closes the producer. */
    @Override
    public void close() {
        running = false;
        try {
            sender.join(12_000); // max.block (5 s) for a send in progress + the 5 s drain
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        // A publish that passed its running check just before the stop and queued after the
        // sender's last drain: counted, not lost silently.
        List<ProducerRecord<String, String>> late = new ArrayList<>();
        queue.drainTo(late);
        late.forEach(r -> dropped("shutdown", r.key()));
    }
}
