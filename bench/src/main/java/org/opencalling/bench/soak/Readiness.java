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
 * down and came back. A fault's recovery is read from it.
 */
final class Readiness {
    /** A stretch of not ready; {@code upMs} is 0 while it lasts. */
    record Outage(String service, long downMs, long upMs) {
    }

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Map<String, Long> downSince = new LinkedHashMap<>();
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
        downSince.forEach((s, since) -> outages.add(new Outage(s, since, 0)));
        downSince.clear();
    }

    private void loop() {
        while (running) {
            long now = System.currentTimeMillis();
            List<java.util.concurrent.CompletableFuture<Void>> probes = new ArrayList<>();
            Map<String, Boolean> ready = new java.util.concurrent.ConcurrentHashMap<>();
            ports.forEach((service, port) -> probes.add(http.sendAsync(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/q/health/ready")).timeout(Duration.ofMillis(1000)).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .handle((r, e) -> {
                        ready.put(service, e == null && r.statusCode() == 200);
                        return null;
                    })));
            probes.forEach(java.util.concurrent.CompletableFuture::join);
            synchronized (this) {
                for (String service : ports.keySet()) {
                    boolean up = ready.getOrDefault(service, false);
                    Long since = downSince.get(service);
                    if (!up && since == null) {
                        downSince.put(service, now);
                    } else if (up && since != null) {
                        outages.add(new Outage(service, since, now));
                        downSince.remove(service);
                    }
                }
            }
            VirtualUser.sleep(250);
        }
    }

    /** Whether every service is ready now. */
    synchronized boolean allReady() {
        return downSince.isEmpty();
    }
}
