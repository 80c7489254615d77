package org.opencalling.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opencalling.testsupport.Resp;

/**
 * The run's resource figures, sampled on a period: per service, heap used right after a full GC
 * ({@code GC.run}, then {@code GC.heap_info}, in one jcmd), threads and open files (from /proc); Redis'
 * memory and keys by kind. {@link #flat} compares the first third of the run with the last.
 */
final class Resources {
    /** One sample of one service (or of "redis": heap = used_memory, threads = keys but call records, files = call records). */
    record Sample(long atMs, String service, long heapKiB, long threads, long files) {
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private final String jcmd;
    private final Path commands;
    final List<Sample> samples = new CopyOnWriteArrayList<>();

    Resources() {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path j = Path.of(java).resolveSibling("jcmd");
        this.jcmd = Files.isExecutable(j) ? j.toString() : "jcmd";
        try {
            this.commands = Files.createTempFile("soak-jcmd", ".txt");
            Files.writeString(commands, "GC.run\nGC.heap_info\n");
            commands.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void sample(Map<String, Long> pids, int redisPort) {
        long now = System.currentTimeMillis();
        pids.forEach((service, pid) -> {
            try {
                long heap = heapAfterGc(pid);
                long threads = threads(pid);
                long files;
                try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    files = s.count();
                }
                samples.add(new Sample(now, service, heap, threads, files));
            } catch (Exception e) {
                // the service is down (a fault): no sample this time
            }
        });
        try (Resp r = new Resp(redisPort, java.time.Duration.ofSeconds(2))) {
            String info = String.valueOf(r.call("INFO", "memory"));
            Matcher m = Pattern.compile("used_memory:(\\d+)").matcher(info);
            long used = m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
            long all = ((Number) r.call("DBSIZE")).longValue();
            long records = Leftovers.keys(r, "trtc:call:*").stream()
                    .filter(k -> k.matches("trtc:call:[^:]+") && !k.equals("trtc:call:deadlines")).count();
            samples.add(new Sample(now, "redis", used, all - records, records));
        } catch (Exception e) {
            // Redis is down or frozen (a fault): no sample this time
        }
    }

    private long heapAfterGc(long pid) throws IOException, InterruptedException {
        // One jcmd for both commands, itself a JVM kept light: each launch costs CPU the
        // services under test would otherwise have (0.5 s per service for two plain launches,
        // 0.2 s like this, measured).
        Matcher m = USED.matcher(run(jcmd, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC",
                Long.toString(pid), "-f", commands.toString()));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Long.parseLong(line.substring(8).trim());
            }
        }
        return -1;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Per service and figure: mean of the first third, mean of the last third, and whether it stayed flat. */
    record Trend(String service, String figure, double first, double last, boolean flat) {
    }

    List<Trend> flat(long startMs, long endMs) {
        long third = (endMs - startMs) / 3;
        Map<String, List<Sample>> by = new LinkedHashMap<>();
        for (Sample s : samples) {
            by.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
        }
        List<Trend> out = new ArrayList<>();
        by.forEach((service, list) -> {
            List<Sample> early = list.stream().filter(s -> s.atMs() < startMs + third).toList();
            List<Sample> late = list.stream().filter(s -> s.atMs() >= endMs - third).toList();
            if (early.isEmpty() || late.isEmpty()) {
                return;
            }
            boolean redis = service.equals("redis");
            out.add(trend(service, redis ? "used_memory KiB" : "heap after GC KiB", early, late, Sample::heapKiB, 1.25, 16 * 1024));
            out.add(trend(service, redis ? "keys (not call records)" : "threads", early, late, Sample::threads, 1.25, redis ? 500 : 8));
            if (!redis) {
                out.add(trend(service, "open files", early, late, Sample::files, 1.25, 16));
            }
        });
        return out;
    }

    private static Trend trend(String service, String figure, List<Sample> early, List<Sample> late,
                               java.util.function.ToLongFunction<Sample> f, double ratio, long slack) {
        double a = early.stream().mapToLong(f).average().orElse(0);
        double b = late.stream().mapToLong(f).average().orElse(0);
        return new Trend(service, figure, a, b, b <= a * ratio + slack);
    }
}
