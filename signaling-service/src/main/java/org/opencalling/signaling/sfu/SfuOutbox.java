package org.opencalling.signaling.sfu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.list.KeyValue;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.opencalling.signaling.routing.Delivery;

/**
 * What SFU nodes have for browsers (offers, "your transport is gone"), popped from one Redis list
 * by whichever signaling pod is free, each item by exactly one pod, and routed to the user's
 * socket as any frame is (held while it reconnects).
 */
@Singleton
public class SfuOutbox {
    public static final String OUT = "trtc:sfu:out";
    private static final Logger LOG = Logger.getLogger(SfuOutbox.class);

    @Inject
    RedisDataSource redis;

    @Inject
    Delivery delivery;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    private volatile boolean running;
    private Thread thread;

    void start(@Observes StartupEvent e) {
        running = true;
        thread = new Thread(this::run, "sfu-outbox");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        while (running) {
            try {
                KeyValue<String, String> item = redis.list(String.class).blpop(Duration.ofSeconds(1), OUT);
                if (item != null) {
                    route(json.readTree(item.value()));
                }
            } catch (Exception ex) {
                if (!running) {
                    return;
                }
                LOG.debugf("SFU outbox: %s", ex.toString());
                try {
                    Thread.sleep(500); // Redis away: do not spin
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    void route(JsonNode item) {
        String op = item.path("op").asText();
        long app = item.path("app").asLong();
        String user = item.path("user").asText(null);
        if (user == null || app == 0) {
            return;
        }
        ObjectNode f = json.createObjectNode();
        switch (op) {
            case "offer" -> {
                f.put("type", "sfu-offer");
                f.put("callId", item.path("room").asText());
                f.put("sdp", item.path("sdp").asText());
            }
            case "gone" -> {
                f.put("type", "sfu-gone");
                f.put("callId", item.path("room").asText());
            }
            case "error" -> {
                f.put("type", "error");
                String code = item.path("code").asText("sfu-refused");
                // Only codes the protocol names: sfu-codec and sfu-full are final, sfu-refused is retried.
                f.put("code", code.equals("sfu-codec") || code.equals("sfu-full") ? code : "sfu-refused");
                f.put("message", item.path("message").asText());
            }
            default -> {
                return;
            }
        }
        if (!op.equals("error")) {
            // Which transport an offer or "gone" is for: the SDK ignores those for one it replaced.
            for (String field : new String[] {"node", "transport"}) {
                if (item.hasNonNull(field)) {
                    f.put(field, item.path(field).asText());
                }
            }
        }
        registry.counter("signaling.sfu.frames", "type", f.get("type").asText()).increment();
        delivery.toUser(app, user, f);
    }
}
