package org.opencalling.bench.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Each service's {@code /q/health/ready}, polled every 250 ms for the whole run: when each went
 * down and came back, and, for a process that stopped answering (killed, restarted), when it
 * answered again. A fault's recovery is read from it.
 */
final class Readiness {
    /**
     * A stretch of not ready; {@code upMs} is 0 while it lasts. {@code answeredMs}: when a process
     * that had stopped answering HTTP answered again (its JVM had started), 0 when it never stopped.
     */
    record Outage(String service, long downMs, long upMs, long answeredMs) {
        /**
         * How long the process took to start again: from {@code releasedMs} (when it was started),
         * or from this outage's start when that came later, to its first answer.
         */
        long startMs(long releasedMs) {
            return answeredMs == 0 ? 0 : Math.max(0, answeredMs - Math.max(releasedMs, downMs));
        }
    }

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Map<String, Long> downSince = new LinkedHashMap<>();
    /** Per service in an outage: 0 while it answers, -1 while it is silent, else when it answered again. */
    private final Map<String, Long> answered = new LinkedHashMap<>();
    final List<Outage> outages = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private Thread thread;

    Readiness(Map<String, Integer> ports) {
        this.ports.putAll(ports);
    }

    void start() {
        thread = new Thread(this::loop, "readiness");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(5000);
        downSince.forEach((s, since) -> outages.add(new Outage(s, since, 0, Math.max(0, answered.getOrDefault(s, 0L)))));
        downSince.clear();
        answered.clear();
    }

    private void loop() {
        while (running) {
            long now = System.currentTimeMillis();
            List<java.util.concurrent.CompletableFuture<Void>> probes = new ArrayList<>();
            Map<String, Boolean> ready = new java.util.concurrent.ConcurrentHashMap<>();
            Map<String, Boolean> silent = new java.util.concurrent.ConcurrentHashMap<>();
            ports.forEach((service, port) -> probes.add(http.sendAsync(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/q/health/ready")).timeout(Duration.ofMillis(1000)).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .handle((r, e) -> {
                        ready.put(service, e == null && r.statusCode() == 200);
                        silent.put(service, refused(e));
                        return null;
                    })));
            probes.forEach(java.util.concurrent.CompletableFuture::join);
            synchronized (this) {
                for (String service : ports.keySet()) {
                    boolean up = ready.getOrDefault(service, false);
                    boolean quiet = silent.getOrDefault(service, true);
                    Long since = downSince.get(service);
                    if (!up && since == null) {
                        downSince.put(service, now);
                        answered.put(service, quiet ? -1L : 0L);
                    } else if (since != null) {
                        long a = answered.get(service);
                        if (quiet && a == 0) {
                            answered.put(service, -1L);
                        } else if (!quiet && a == -1) {
                            answered.put(service, now);
                        }
                        if (up) {
                            outages.add(new Outage(service, since, now, Math.max(0, answered.get(service))));
                            downSince.remove(service);
                            answered.remove(service);
                        }
                    }
                }
            }
            VirtualUser.sleep(250);
        }
    }

    /** Nothing listens on the port (the process is down or still starting); a hung answer is not that. */
    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** Whether every service is ready now. */
    synchronized boolean allReady() {
        return downSince.isEmpty();
    }
}
