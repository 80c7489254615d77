package org.opencalling.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the soak's users did and saw, counted by kind ("call.accepted", "login.retry", ...), with
 * the moments of what went wrong kept, so each fault's window can say what users saw in it.
 */
final class Incidents {
    /** Something a user saw go wrong, at {@code atMs} (epoch ms). */
    record Incident(long atMs, String kind, String detail) {
    }

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Incident> trouble = new ConcurrentLinkedQueue<>();

    void count(String kind) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Counts it and keeps when it happened. */
    void trouble(String kind, String detail) {
        count(kind);
        trouble.add(new Incident(System.currentTimeMillis(), kind, detail));
    }

    /** Every trouble seen, one line each ({@code mm:ss kind: detail}, from {@code startMs}), for the run's log. */
    List<String> lines(long startMs) {
        return trouble.stream().map(i -> String.format("%+d s %s: %s", (i.atMs() - startMs) / 1000, i.kind(), i.detail())).toList();
    }

    long total(String kind) {
        LongAdder a = counts.get(kind);
        return a == null ? 0 : a.sum();
    }

    Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The trouble seen between these moments, counted by kind. */
    Map<String, Integer> troubleBetween(long fromMs, long toMs) {
        Map<String, Integer> out = new TreeMap<>();
        for (Incident i : trouble) {
            if (i.atMs() >= fromMs && i.atMs() <= toMs) {
                out.merge(i.kind(), 1, Integer::sum);
            }
        }
        return out;
    }

    List<Incident> trouble() {
        return new ArrayList<>(trouble);
    }
}
