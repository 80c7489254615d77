package org.opencalling.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka cluster inside this JVM (Kafka's own test kit), with the broker
 * stoppable and restartable on the same port and log directory to test outages.
 */
public final class KafkaBroker implements AutoCloseable {
    private final KafkaClusterTestKit kit;

    private KafkaBroker(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    public static KafkaBroker start() {
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("broker.session.timeout.ms", "2000")
                    .setConfigProp("broker.heartbeat.interval.ms", "500")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new KafkaBroker(kit);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    private BrokerServer broker() {
        return kit.brokers().values().iterator().next();
    }

    /** An outage: the broker goes away, the controller stays. */
    public void stopBroker() {
        BrokerServer b = broker();
        b.shutdown();
        b.awaitShutdown();
    }

    public void startBroker() {
        try {
            broker().startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot restart the Kafka broker", e);
        }
    }

    /**
     * Reads a topic from the beginning until {@code count} records arrived or the timeout
     * passed; partitions are assigned, not subscribed, so no rebalance can replay or skip.
     */
    public List<ConsumerRecord<String, String>> read(String topic, int count, Duration timeout) {
        return read(topic, r -> true, count, timeout);
    }

    /** As {@link #read(String, int, Duration)}, keeping only the records that match. */
    public List<ConsumerRecord<String, String>> read(String topic,
                                                     java.util.function.Predicate<ConsumerRecord<String, String>> keep,
                                                     int count, Duration timeout) {
        return read(bootstrapServers(), topic, keep, count, null, timeout);
    }

    /**
     * Everything in the topic: reads from the beginning until no record has come for
     * {@code quiet} since the last one (what a producer still flushes arrives within it), or the
     * timeout passed.
     */
    public List<ConsumerRecord<String, String>> readAll(String topic, Duration quiet, Duration timeout) {
        return read(bootstrapServers(), topic, r -> true, Integer.MAX_VALUE, quiet, timeout);
    }

    /** As {@link #read(String, java.util.function.Predicate, int, Duration)}, from any broker. */
    public static List<ConsumerRecord<String, String>> read(String bootstrapServers, String topic,
                                                            java.util.function.Predicate<ConsumerRecord<String, String>> keep,
                                                            int count, Duration timeout) {
        return read(bootstrapServers, topic, keep, count, null, timeout);
    }

    private static List<ConsumerRecord<String, String>> read(String bootstrapServers, String topic,
                                                             java.util.function.Predicate<ConsumerRecord<String, String>> keep,
                                                             int count, Duration quiet, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            while (parts.isEmpty() && System.nanoTime() < deadline) {
                Map<String, List<PartitionInfo>> topics = c.listTopics(Duration.ofSeconds(2));
                for (PartitionInfo info : topics.getOrDefault(topic, List.of())) {
                    parts.add(new TopicPartition(topic, info.partition()));
                }
            }
            if (parts.isEmpty()) {
                return out;
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            long lastRecord = 0; // the quiet spell counts from the first record on (a first fetch can be slow)
            while (out.size() < count && System.nanoTime() < deadline
                    && (quiet == null || lastRecord == 0 || System.nanoTime() - lastRecord < quiet.toNanos())) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    lastRecord = System.nanoTime();
                    if (keep.test(r)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            kit.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
