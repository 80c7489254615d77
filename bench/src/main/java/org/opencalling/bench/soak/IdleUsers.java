package org.opencalling.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The many users who are only online: logged in across both instances, answering pings, and
 * reconnecting with resume whenever their socket goes (a killed or restarted instance). Their
 * presence is what {@link PresenceAudit} compares with the live sockets.
 */
final class IdleUsers {
    final List<VirtualUser> users = new ArrayList<>();
    /** Enough threads that a thousand users dropped at once reconnect in parallel, as their browsers would. */
    private final ExecutorService pool = Executors.newFixedThreadPool(64, r -> {
        Thread t = new Thread(r, "idle-login");
        t.setDaemon(true);
        return t;
    });
    private final Set<VirtualUser> reconnecting = ConcurrentHashMap.newKeySet();
    private final Incidents incidents;
    private volatile boolean running = true;
    private Thread watcher;

    IdleUsers(SoakCluster cluster, Incidents incidents, int count) {
        this.incidents = incidents;
        for (int i = 0; i < count; i++) {
            users.add(new VirtualUser("idle" + i, i % SoakCluster.REPLICAS, cluster, incidents));
        }
    }

    /** Logs every user in; returns when all are (or have given up). */
    void start() throws InterruptedException {
        List<java.util.concurrent.Future<?>> logins = new ArrayList<>();
        for (VirtualUser u : users) {
            logins.add(pool.submit(() -> u.login(false)));
        }
        for (java.util.concurrent.Future<?> f : logins) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                incidents.trouble("idle.login-failed", e.getCause().toString());
            }
        }
        watcher = new Thread(this::watch, "idle-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch() {
        while (running) {
            for (VirtualUser u : users) {
                if (!u.open() && running && reconnecting.add(u)) {
                    incidents.count("idle.reconnect");
                    pool.submit(() -> {
                        try {
                            u.abort();
                            if (!u.login(true)) {
                                incidents.trouble("idle.offline", u.id);
                            }
                        } finally {
                            reconnecting.remove(u);
                        }
                    });
                }
            }
            VirtualUser.sleep(500);
        }
    }

    /** Users logged in with a live socket and not reconnecting. */
    List<VirtualUser> online() {
        return users.stream().filter(u -> u.open() && !reconnecting.contains(u)).toList();
    }

    /** Stops reconnecting; the first half log out, the rest stay connected (the end check's two sides). */
    List<VirtualUser> stopAndLogOutHalf() throws InterruptedException {
        running = false;
        watcher.join(5000);
        List<VirtualUser> loggedOut = users.subList(0, users.size() / 2);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (VirtualUser u : loggedOut) {
            done.add(pool.submit(u::logout));
        }
        for (java.util.concurrent.Future<?> f : done) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                incidents.trouble("logout.failed", e.getCause().toString());
            }
        }
        return List.copyOf(loggedOut);
    }

    void close() throws InterruptedException {
        running = false;
        for (VirtualUser u : users) {
            u.abort();
        }
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
