package org.opencalling.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The soak's findings as Markdown (the fault table, the invariants, the load and the resource
 * trends) and the list of broken invariants. Trouble outside every fault's window counts as
 * broken: with no fault on, users must not notice anything.
 */
final class SoakReport {
    /** How long after a fault's release its effects may still show. */
    static final long AFTERMATH_MS = 30_000;
    static final long READY_WITHIN_MS = 10_000;
    /**
     * Past this an instance hung rather than recovered slowly: the bound that fails every run.
     * The 10 s target is reported, and fails the bench run only (see {@link Soak.Outcome}).
     */
    static final long HUNG_AFTER_MS = 60_000;

    private SoakReport() {
    }

    static Soak.Outcome render(Soak.Settings s, long start, long end, List<FaultInjector.Injected> faults,
                               List<Readiness.Outage> outages, Incidents incidents, EventAudit.Result audit,
                               Map<String, Long> leftovers, PresenceAudit presence, List<String> stillOnline,
                               List<String> notOnline, long closedStayed, Resources resources,
                               List<BrowserCalls.Result> browsers) {
        List<String> violations = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        b.append(String.format("## Soak: %.0f min of load with faults, %d idle users, %d calling pairs, %d REST callees, "
                        + "a group call through the SFU at a time, Chromium calls every %d s (%d cores)%n%n",
                s.minutes(), s.idleUsers(), s.pairs(), s.restCallees(), s.browserPeriodMs() / 1000,
                Runtime.getRuntime().availableProcessors()));
        b.append(String.format("Command: `java -cp bench/target/benchmarks.jar org.opencalling.bench.soak.Soak --minutes %s "
                + "--users %d --pairs %d`%n%n", trim(s.minutes()), s.idleUsers(), s.pairs()));

        b.append("### Faults\n\n| at | fault | not ready (s) | ready again after (s) | of which a restarted process's start (s) "
                + "| what users saw (until 30 s after) |\n|---|---|---|---|---|---|\n");
        List<long[]> windows = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            FaultInjector.Injected f = faults.get(i);
            long released = f.released().values().stream().mapToLong(Long::longValue).max().orElse(f.endMs());
            // An outage belongs to the last fault that began before it (a second before, at most).
            long windowEnd = i + 1 < faults.size() ? faults.get(i + 1).startMs() - 1000 : end + AFTERMATH_MS;
            windows.add(new long[] {f.startMs() - 5000, Math.max(released, f.endMs()) + AFTERMATH_MS});
            Map<String, Double> down = new TreeMap<>();
            long worst = 0;
            long slowestStart = 0;
            boolean never = false;
            for (Readiness.Outage o : outages) {
                if (o.downMs() < f.startMs() - 1000 || o.downMs() >= windowEnd) {
                    continue;
                }
                down.merge(o.service(), ((o.upMs() == 0 ? end : o.upMs()) - o.downMs()) / 1000.0, Double::sum);
                if (o.upMs() == 0) {
                    never = true;
                } else {
                    long from = f.released().getOrDefault(o.service(), released);
                    // From the release, or from the outage's own start when it began later (a
                    // service back up, then briefly down again while the next one restarts).
                    long after = o.upMs() - Math.max(from, o.downMs());
                    long startedIn = o.startMs(from);
                    worst = Math.max(worst, after);
                    slowestStart = Math.max(slowestStart, startedIn);
                }
            }
            String readyAfter = down.isEmpty() ? "stayed ready" : never ? "never" : String.format("%.1f", worst / 1000.0);
            if (never) {
                violations.add("never ready again after: " + f.fault().describe());
            } else if (worst > HUNG_AFTER_MS) {
                violations.add("not ready within 60 s after: " + f.fault().describe() + " (" + readyAfter + ")");
            } else if (worst > READY_WITHIN_MS) {
                slow.add("not ready within 10 s after: " + f.fault().describe() + " (" + readyAfter
                        + ", of which a restarted process's start " + String.format("%.1f", slowestStart / 1000.0) + ")");
            }
            if (f.error() != null) {
                violations.add("fault " + f.fault().describe() + " failed: " + f.error());
            }
            StringBuilder d = new StringBuilder();
            down.forEach((svc, sec) -> d.append(d.length() == 0 ? "" : ", ").append(svc).append(' ').append(String.format("%.1f", sec)));
            b.append(String.format("| %s | %s | %s | %s | %s | %s |%n", clock(f.startMs() - start), f.fault().describe(),
                    d.length() == 0 ? "none" : d, readyAfter, slowestStart == 0 ? "-" : String.format("%.1f", slowestStart / 1000.0),
                    summary(incidents.troubleBetween(f.startMs() - 1000, Math.max(released, f.endMs()) + AFTERMATH_MS))));
        }

        // Warm-up (the cluster just started, every idle user logging in at once, JITs cold) is
        // reported on its own row: on 2 shared cores the burst can make an instance miss a
        // readiness check and refuse a few logins, which users retry. From time zero on, any
        // trouble outside a fault's window breaks the invariant.
        List<Incidents.Incident> unexplained = incidents.trouble().stream()
                .filter(i -> windows.stream().noneMatch(w -> i.atMs() >= w[0] && i.atMs() <= w[1]))
                .filter(i -> i.atMs() >= start && i.atMs() <= end).toList();
        Map<String, Integer> warmUpKinds = new TreeMap<>();
        incidents.trouble().stream().filter(i -> i.atMs() < start).forEach(i -> warmUpKinds.merge(i.kind(), 1, Integer::sum));
        Map<String, Integer> unexplainedKinds = new TreeMap<>();
        unexplained.forEach(i -> unexplainedKinds.merge(i.kind(), 1, Integer::sum));
        if (!unexplained.isEmpty()) {
            violations.add("trouble with no fault on: " + unexplainedKinds + ", e.g. " + unexplained.get(0).detail());
        }

        b.append("\n### Invariants\n\n| invariant | measured | held |\n|---|---|---|\n");
        row(b, violations, "every invitation ends exactly once",
                String.format("%d calls in Kafka (%d events); invitations never ended %d, ended twice %d; calls not ended %d, ended twice %d; "
                                + "lost with Redis's data (open at a wipe) %d", audit.calls(), audit.events(), audit.unfinishedInvitations(),
                        audit.doubleEndedInvitations(), audit.callsNotEnded(), audit.callsEndedTwice(), audit.lostWithRedis()),
                audit.unfinishedInvitations() == 0 && audit.doubleEndedInvitations() == 0 && audit.callsNotEnded() == 0
                        && audit.callsEndedTwice() == 0);
        row(b, violations, "every call event in Kafka exactly once per event id, in order per call",
                String.format("duplicates %d, calls with a gap in seq %d, events out of seq order %d", audit.duplicates(), audit.gaps(),
                        audit.reordered()), audit.duplicates() == 0 && audit.gaps() == 0);
        row(b, violations, "every placed invitation in Kafka, ended as its users did",
                String.format("%d placed, %d not in Kafka; of %d that ran as scripted, %d ended otherwise", audit.placed(),
                        audit.placedNotInKafka(), audit.scriptedChecked(), audit.otherThanScripted()),
                audit.placedNotInKafka() == 0 && audit.otherThanScripted() == 0);
        long busyLeft = leftovers.entrySet().stream().filter(e -> e.getKey().startsWith("users") || e.getKey().startsWith("held")
                || e.getKey().startsWith("ringing") || e.getKey().startsWith("call records")).mapToLong(Map.Entry::getValue).sum();
        row(b, violations, "no user left busy, no call state left in Redis", describe(leftovers, "users", "held", "ringing", "call records"),
                busyLeft == 0);
        long mediaLeft = leftovers.entrySet().stream().filter(e -> e.getKey().contains("SFU") || e.getKey().contains("TURN"))
                .mapToLong(Map.Entry::getValue).sum();
        row(b, violations, "relay allocations and SFU rooms drop to zero", describe(leftovers, "TURN", "SFU"), mediaLeft == 0);
        row(b, violations, "presence agrees with the live sockets within the expiry window",
                String.format("%d checks, %d disagreements lasting over %d s%s; at the end: %d logged out still online, "
                                + "%d connected not online with their session (%d sockets closed meanwhile)", presence.checks.get(),
                        presence.breaches.get(), PresenceAudit.WINDOW_MS / 1000,
                        presence.examples.isEmpty() ? "" : " (" + presence.examples.get(0) + ")", stillOnline.size(), notOnline.size(),
                        closedStayed) + (stillOnline.isEmpty() ? "" : "; still online: " + stillOnline.stream().limit(5).toList())
                        + (notOnline.isEmpty() ? "" : "; not online: " + notOnline.stream().limit(5).toList()), presence.breaches.get() == 0 && stillOnline.isEmpty() && notOnline.isEmpty());
        long kicks = incidents.total("kick.ok");
        long kickBad = incidents.total("kick.missed") + incidents.total("kick.wrong-close");
        row(b, violations, "a login elsewhere kicks the old socket (4001)", kicks + " kicked, " + kickBad + " not", kickBad == 0);
        long browserOk = browsers.stream().filter(BrowserCalls.Result::ok).count();
        List<BrowserCalls.Result> badBrowser = browsers.stream().filter(r -> !r.ok())
                .filter(r -> windows.stream().noneMatch(w -> r.atMs() >= w[0] && r.atMs() <= w[1])).toList();
        row(b, violations, "Chromium calls (TURN relay-only and SFU group) decode both ways",
                String.format("%d of %d decoded%s; failures with no fault on: %d%s", browserOk, browsers.size(), medians(browsers),
                        badBrowser.size(), badBrowser.isEmpty() ? "" : " (" + badBrowser.get(0).error() + ")"),
                badBrowser.isEmpty() && browserOk > 0);
        row(b, violations, "no trouble with no fault on", unexplained.isEmpty() ? "none" : unexplainedKinds.toString(), unexplained.isEmpty());
        b.append(String.format("| (not an invariant) trouble during warm-up, before time zero | %s | - |%n",
                warmUpKinds.isEmpty() ? "none" : warmUpKinds.toString()));
        if (!unexplained.isEmpty()) {
            b.append("\nTrouble with no fault on (first 15):\n\n");
            unexplained.stream().limit(15).forEach(i -> b.append("- ").append(clock(i.atMs() - start)).append(' ')
                    .append(i.kind()).append(": ").append(i.detail()).append('\n'));
        }

        b.append("\n### Resources (mean of the first third of the run against the last third)\n\n")
                .append("| service | figure | first | last | flat |\n|---|---|---|---|---|\n");
        boolean enforce = s.totalMs() >= 10 * FaultPlan.MINUTE;
        for (Resources.Trend t : resources.flat(start, end)) {
            b.append(String.format("| %s | %s | %.0f | %.0f | %s |%n", t.service(), t.figure(), t.first(), t.last(), t.flat() ? "yes" : "NO"));
            if (!t.flat() && enforce) {
                violations.add("not flat: " + t.service() + " " + t.figure() + " " + Math.round(t.first()) + " -> " + Math.round(t.last()));
            }
        }
        if (!enforce) {
            b.append("\n(Flatness is enforced from 10 minutes on; shorter runs only show it.)\n");
        }

        b.append("\n### Load (counts over the run)\n\n| what | count |\n|---|---|\n");
        incidents.counts().forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        if (!audit.violations().isEmpty()) {
            b.append("\n### Audit findings\n\n");
            audit.violations().forEach(v -> b.append("- ").append(v).append('\n'));
        }
        b.append("\n### Result\n\n").append(violations.isEmpty() ? "Every invariant held.\n" : "Broken:\n");
        violations.forEach(v -> b.append("- ").append(v).append('\n'));
        b.append(slow.isEmpty() ? "\nEvery instance was ready again within 10 s of each fault.\n"
                : "\nReady later than the 10 s target:\n");
        slow.forEach(v -> b.append("- ").append(v).append('\n'));
        return new Soak.Outcome(b.toString(), List.copyOf(violations), List.copyOf(slow));
    }

    private static void row(StringBuilder b, List<String> violations, String invariant, String measured, boolean held) {
        b.append("| ").append(invariant).append(" | ").append(measured).append(" | ").append(held ? "yes" : "**NO**").append(" |\n");
        if (!held) {
            violations.add(invariant + ": " + measured);
        }
    }

    private static String describe(Map<String, Long> leftovers, String... prefixes) {
        StringBuilder d = new StringBuilder();
        leftovers.forEach((k, v) -> {
            for (String p : prefixes) {
                if (k.startsWith(p) || k.contains(p)) {
                    d.append(d.length() == 0 ? "" : "; ").append(k).append(": ").append(v);
                    return;
                }
            }
        });
        return d.toString();
    }

    private static String medians(List<BrowserCalls.Result> results) {
        StringBuilder d = new StringBuilder();
        for (String kind : List.of("relay", "sfu")) {
            List<Long> ms = results.stream().filter(r -> r.ok() && r.kind().equals(kind)).map(BrowserCalls.Result::ms).sorted().toList();
            if (!ms.isEmpty()) {
                d.append(String.format("; %s: median %d ms to decode on both sides", kind, ms.get(ms.size() / 2)));
            }
        }
        return d.toString();
    }

    private static String summary(Map<String, Integer> trouble) {
        if (trouble.isEmpty()) {
            return "nothing";
        }
        StringBuilder d = new StringBuilder();
        trouble.forEach((k, v) -> d.append(d.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return d.toString();
    }

    private static String clock(long ms) {
        return String.format("%d:%02d", ms / 60_000, ms / 1000 % 60);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
