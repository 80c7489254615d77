package org.opencalling.bench.soak;

/**
 * One fault of the soak's schedule: what, on which service (null for Redis and Kafka), when (ms
 * from the start of the load) and for how long it lasts (0: an instant fault, such as a SIGKILL
 * followed by a restart).
 */
record Fault(Kind kind, String target, long atMs, long lengthMs) {
    enum Kind {
        SIGNALING_KILL("SIGKILL of a signaling instance, restarted"),
        RELAY_KILL("SIGKILL of a relay/SFU node, restarted"),
        ROLLING_RESTART("rolling SIGTERM restart of every service"),
        REDIS_RESTART_EMPTY("Redis killed and started again empty"),
        REDIS_FREEZE("Redis frozen (SIGSTOP, SIGCONT)"),
        KAFKA_STOP("Kafka broker stopped"),
        PRESENCE_DOWN("a presence-service instance down");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    String describe() {
        String what = kind.description + (target == null ? "" : " (" + target + ")");
        return lengthMs > 0 ? what + " for " + (lengthMs / 1000) + " s" : what;
    }
}
