package org.opencalling.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Redis with Sentinel on loopback, as production runs it: a primary, a replica and three
 * sentinels (quorum 2), all the same redis-server binary. Services reach it through the
 * sentinels ({@link #urls()}, master {@link #MASTER}); a test kills the primary and watches them
 * follow the replica the sentinels promote.
 */
public final class RedisSentinels implements AutoCloseable {
    public static final String MASTER = "opencalling";

    private final RedisServerProcess first;
    private final RedisServerProcess second;
    private final List<RedisServerProcess> sentinels = new ArrayList<>();

    private RedisSentinels(RedisServerProcess first, RedisServerProcess second) {
        this.first = first;
        this.second = second;
    }

    /** Starts the set; the replica is in sync and every sentinel knows both servers on return. */
    public static RedisSentinels start(Duration downAfter) {
        RedisServerProcess primary = RedisServerProcess.startOnFreePort();
        RedisSentinels set = new RedisSentinels(primary, RedisServerProcess.startReplicaOf(FreePorts.next(), primary.port()));
        try {
            for (int i = 0; i < 3; i++) {
                set.sentinels.add(RedisServerProcess.startSentinel(FreePorts.next(), MASTER, primary.port(), 2,
                        downAfter.toMillis()));
            }
            set.awaitTopology(Duration.ofSeconds(30));
            return set;
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
    }

    /** The sentinels' addresses, comma-separated: REDIS_URL for a service in sentinel mode. */
    public String urls() {
        return sentinels.stream().map(RedisServerProcess::url).collect(Collectors.joining(","));
    }

    /** The port of the server the sentinels name as primary now. */
    public int primaryPort() {
        List<String> addr = (List<String>) (List<?>) command(sentinels.get(0).port(), "SENTINEL", "get-master-addr-by-name", MASTER);
        return Integer.parseInt(addr.get(1));
    }

    /** SIGKILLs the current primary; returns its port. */
    public int killPrimary() {
        int port = primaryPort();
        (first.port() == port ? first : second).kill();
        return port;
    }

    /** Waits until the sentinels name a primary other than {@code oldPort} that answers as one. */
    public int awaitNewPrimary(int oldPort, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int port = primaryPort();
                if (port != oldPort && String.valueOf(command(port, "ROLE").get(0)).equals("master")) {
                    return port;
                }
            } catch (RuntimeException e) {
                // a sentinel busy failing over: ask again
            }
            sleep(100);
        }
        throw new IllegalStateException("no new primary within " + timeout);
    }

    private void awaitTopology(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                boolean synced = String.valueOf(command(second.port(), "INFO", "replication")).contains("master_link_status:up");
                boolean known = true;
                for (RedisServerProcess s : sentinels) {
                    List<Object> master = command(s.port(), "SENTINEL", "master", MASTER);
                    String fields = String.valueOf(master);
                    known &= fields.contains("num-slaves, 1") && fields.contains("num-other-sentinels, 2");
                    last = fields;
                }
                if (synced && known) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.toString();
            }
            sleep(200);
        }
        throw new IllegalStateException("the sentinels did not see the whole set: " + last);
    }

    /** One command to the server or sentinel on {@code port}; the reply as a list (a single value as a list of one). */
    public static List<Object> command(int port, String... args) {
        try (Resp redis = new Resp(port, Duration.ofSeconds(3))) {
            Object reply = redis.call(args);
            List<Object> out = new ArrayList<>();
            if (reply instanceof List<?> list) {
                out.addAll(list);
            } else {
                out.add(reply);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("redis on " + port + ": " + String.join(" ", args), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServerProcess::stop);
        second.stop();
        first.stop();
    }
}
