package org.opencalling.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A simulated signaling pod: listens on its kick channel, as signaling-service will. */
final class KickListener implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final String pod;
    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final PubSubCommands.RedisSubscriber subscriber;

    KickListener(RedisDataSource redis, String pod) {
        this.pod = pod;
        this.subscriber = redis.pubsub(String.class).subscribe("trtc:presence:kick:" + pod, m -> {
            try {
                messages.add(JSON.readTree(m));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits (bounded) until the condition holds over the messages received. */
    boolean await(Predicate<List<JsonNode>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(messages)) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.test(messages);
    }

    @Override
    public void close() {
        subscriber.unsubscribe();
    }
}
