package org.opencalling.testsupport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            Object reply = read(new BufferedInputStream(s.getInputStream()));
            if (reply instanceof List<?> list) {
                return new ArrayList<>(list);
            }
            List<Object> one = new ArrayList<>();
            one.add(reply);
            return one;
        } catch (IOException e) {
            throw new UncheckedIOException("redis on " + port + ": " + String.join(" ", args), e);
        }
    }

    /** RESP2, as far as tests need it: simple strings, errors (thrown), integers, bulk strings, arrays. */
    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(n + 2);
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("not RESP: " + (char) type + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            b.append((char) c);
        }
        in.read(); // \n
        return b.toString();
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
