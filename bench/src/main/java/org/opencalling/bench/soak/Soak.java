package org.opencalling.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.opencalling.bench.Args;
import org.opencalling.testsupport.ServiceSpec;
import org.opencalling.testsupport.WsClient;

/**
 * The soak: the whole local cluster ({@code ./run-local --replicas 2}, Kafka on) under a steady
 * mix of users while faults come on a schedule ({@link FaultPlan}), its invariants checked all
 * along and at the end. Exit status 1 if any was broken.
 * <pre>java -cp bench/target/benchmarks.jar org.opencalling.bench.soak.Soak --minutes 30 \
 *     [--users 2000] [--pairs 40] [--browser-period 60] [--port-offset 0] [--report soak.md]</pre>
 * Run from the repository root after {@code ./mvnw package -DskipTests}; it starts its own
 * cluster (the ports of {@code ./run-local}, moved by {@code --port-offset}).
 */
public final class Soak {
    /** How big and how long. */
    public record Settings(double minutes, int idleUsers, int pairs, int restCallees, long browserPeriodMs, int portOffset) {
        long totalMs() {
            return (long) (minutes * 60_000);
        }
    }

    /**
     * What the run found: the report (Markdown), the broken invariants (empty: all held), and the
     * recoveries slower than the 10 s readiness target. The bench run fails on either; the
     * two-minute run in {@code ./mvnw verify} fails on the first only, because there the target
     * measures how loaded two shared cores are (a JVM start alone takes 2.5 to 17 s there).
     */
    public record Outcome(String report, List<String> violations, List<String> slow) {
    }

    private Soak() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> o = Args.parse(argv);
        Settings s = new Settings(Double.parseDouble(o.getOrDefault("minutes", "30")),
                Integer.parseInt(o.getOrDefault("users", "2000")), Integer.parseInt(o.getOrDefault("pairs", "40")),
                Integer.parseInt(o.getOrDefault("rest-callees", "4")),
                Long.parseLong(o.getOrDefault("browser-period", "60")) * 1000, Integer.parseInt(o.getOrDefault("port-offset", "0")));
        Outcome out = run(s);
        System.out.println(out.report());
        if (o.containsKey("report")) {
            Files.writeString(Path.of(o.get("report")), out.report());
        }
        System.exit(out.violations().isEmpty() && out.slow().isEmpty() ? 0 : 1);
    }

    public static Outcome run(Settings s) throws Exception {
        try (SoakCluster cluster = new SoakCluster(s.portOffset())) {
            cluster.start();
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (ServiceSpec spec : cluster.services()) {
                ports.put(spec.name(), spec.port());
            }
            Readiness readiness = new Readiness(ports);
            readiness.start();
            Incidents incidents = new Incidents();
            Ledger ledger = new Ledger();
            IdleUsers idle = new IdleUsers(cluster, incidents, s.idleUsers());
            long t0 = System.currentTimeMillis();
            idle.start();
            System.out.printf("soak: %d idle users logged in in %d ms%n", s.idleUsers(), System.currentTimeMillis() - t0);
            CallPairs pairs = new CallPairs(cluster, ledger, incidents);
            RestInvites rest = new RestInvites(cluster, ledger, incidents);
            GroupCalls groups = new GroupCalls(cluster, ledger, incidents);
            BrowserCalls browsers = new BrowserCalls(cluster.origin(), s.browserPeriodMs(), incidents);
            pairs.start(s.pairs());
            rest.start(s.restCallees());
            groups.start();
            browsers.start(Math.min(20_000, s.totalMs() / 10));
            PresenceAudit presence = new PresenceAudit(cluster, incidents);
            Resources resources = new Resources();
            FaultInjector faults = new FaultInjector(cluster);
            List<Fault> plan = FaultPlan.forRun(s.totalMs());
            long start = System.currentTimeMillis();
            faults.start(plan, start);
            long sampleEvery = s.totalMs() >= 10 * FaultPlan.MINUTE ? 60_000 : 15_000;
            long nextSample = start;
            long nextPresence = start + 10_000;
            while (System.currentTimeMillis() < start + s.totalMs() || faults.injected.size() < plan.size()) {
                long now = System.currentTimeMillis();
                // A sample forces a GC in every service and starts a jcmd for each: about 2 s of
                // CPU that would slow a restarting service, so samples keep out of faults.
                if (now >= nextSample && faults.quiet(now, 10_000) && readiness.allReady()) {
                    resources.sample(pids(cluster, ports.keySet()), cluster.cluster.redisPort());
                    nextSample = now + sampleEvery;
                }
                if (now >= nextPresence) {
                    presence.check(idle.online());
                    nextPresence = now + 10_000;
                }
                VirtualUser.sleep(500);
            }
            faults.awaitDone();
            VirtualUser.sleep(15_000); // the last fault's recovery is part of the run
            long end = System.currentTimeMillis();
            resources.sample(pids(cluster, ports.keySet()), cluster.cluster.redisPort());
            System.out.println("soak: load ends; checking");
            browsers.stop();
            pairs.stop();
            rest.stop();
            groups.stop();
            List<VirtualUser> loggedOut = idle.stopAndLogOutHalf();
            List<VirtualUser> stayed = idle.users.subList(loggedOut.size(), idle.users.size());
            Map<String, Long> leftovers = new Leftovers(cluster).awaitNone(90_000);
            List<String> stillOnline = List.of();
            List<String> notOnline = List.of();
            for (long until = System.currentTimeMillis() + PresenceAudit.WINDOW_MS; System.currentTimeMillis() < until; ) {
                stillOnline = presence.stillOnline(loggedOut);
                notOnline = presence.notOnline(stayed.stream().filter(VirtualUser::open).toList());
                if (stillOnline.isEmpty() && notOnline.isEmpty()) {
                    break;
                }
                VirtualUser.sleep(1000);
            }
            long closedStayed = stayed.stream().filter(u -> !u.open()).count();
            List<JsonNode> events = new ArrayList<>();
            for (ConsumerRecord<String, String> r : cluster.kafka.readAll("trtc.call-events", java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(60))) {
                events.add(WsClient.JSON.readTree(r.value()));
            }
            EventAudit.Result audit = EventAudit.audit(events, ledger.all(), faults.wipes);
            Path log = cluster.cluster.logs().resolve("soak-trouble.log");
            Files.write(log, incidents.lines(start));
            System.out.println("soak: every trouble users saw, with its time: " + log);
            readiness.stop();
            List<String> stretches = new ArrayList<>();
            for (FaultInjector.Injected f : faults.injected) {
                f.released().forEach((what, at) -> stretches.add(String.format("%+.1f s released %s (%s)",
                        (at - start) / 1000.0, what, f.fault().describe())));
            }
            for (Readiness.Outage o : readiness.outages) {
                stretches.add(String.format("%+.1f s %s not ready; answered again %s; ready %s", (o.downMs() - start) / 1000.0,
                        o.service(), o.answeredMs() == 0 ? "-" : String.format("%+.1f s", (o.answeredMs() - start) / 1000.0),
                        o.upMs() == 0 ? "never" : String.format("%+.1f s", (o.upMs() - start) / 1000.0)));
            }
            stretches.sort(java.util.Comparator.comparingDouble(l -> Double.parseDouble(l.substring(0, l.indexOf(' ')))));
            Files.write(cluster.cluster.logs().resolve("soak-readiness.log"), stretches);
            idle.close();
            return SoakReport.render(s, start, end, faults.injected, readiness.outages, incidents, audit, leftovers,
                    presence, stillOnline, notOnline, closedStayed, resources, browsers.results);
        }
    }

    private static Map<String, Long> pids(SoakCluster cluster, Iterable<String> services) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String s : services) {
            if (cluster.cluster.alive(s)) {
                out.put(s, cluster.cluster.pid(s));
            }
        }
        return out;
    }
}
