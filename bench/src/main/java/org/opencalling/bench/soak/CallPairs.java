package org.opencalling.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.opencalling.bench.soak.VirtualUser.Disrupted;
import org.opencalling.testsupport.WsClient;

/**
 * Pairs of users calling each other without pause, each call scripted to one outcome in turn:
 * accepted (talk, then the caller hangs up), rejected, busy, cancelled by the caller, or left
 * ringing into its timeout. Every 7th round the callee logs in afresh elsewhere (the old socket
 * must be kicked, 4001); every 11th the caller's socket drops and it resumes. A call whose script
 * is disrupted by a fault is hung up by both once they are back, so no pair stays stuck in it.
 */
final class CallPairs {
    static final List<String> OUTCOMES = List.of("accepted", "rejected", "busy", "cancelled", "timeout");

    private final SoakCluster cluster;
    private final Ledger ledger;
    private final Incidents incidents;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    CallPairs(SoakCluster cluster, Ledger ledger, Incidents incidents) {
        this.cluster = cluster;
        this.ledger = ledger;
        this.incidents = incidents;
    }

    void start(int pairs) {
        for (int p = 0; p < pairs; p++) {
            VirtualUser a = new VirtualUser("pa" + p, p % SoakCluster.REPLICAS, cluster, incidents);
            VirtualUser b = new VirtualUser("pb" + p, (p + 1) % SoakCluster.REPLICAS, cluster, incidents);
            int first = p;
            Thread t = new Thread(() -> loop(a, b, first), "pair-" + p);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops after the current script; both users log out. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    private void loop(VirtualUser a, VirtualUser b, int first) {
        if (!a.login(false) || !b.login(false)) {
            incidents.trouble("pair.no-login", a.id);
        }
        List<String> leftOpen = new ArrayList<>();
        for (int round = first; running; round++) {
            try {
                a.ensureOpen();
                b.ensureOpen();
                VirtualUser.hangUpAll(leftOpen, List.of(a, b), incidents);
                if (round % 7 == 6) {
                    relogin(b);
                } else if (round % 11 == 10) {
                    boolean resumed = a.dropAndResume();
                    incidents.count(resumed ? "pair.resume-ok" : "pair.resume-failed");
                }
                String callId = call(a, b, OUTCOMES.get(round % OUTCOMES.size()), leftOpen);
                if (callId == null) {
                    VirtualUser.sleep(500);
                }
            } catch (Disrupted d) {
                incidents.trouble("pair.disrupted", d.getMessage());
                VirtualUser.sleep(200);
            }
            VirtualUser.sleep(200 + ThreadLocalRandom.current().nextInt(600));
        }
        try {
            VirtualUser.hangUpAll(leftOpen, List.of(a, b), incidents);
        } catch (Disrupted d) {
            incidents.trouble("pair.disrupted", d.getMessage());
        }
        a.logout();
        b.logout();
    }

    /** A login of the callee elsewhere, without resume: its old socket must be told and closed 4001. */
    private void relogin(VirtualUser b) throws Disrupted {
        WsClient old = b.ws;
        if (!b.login(false)) {
            throw new Disrupted(b.id + " cannot log in again");
        }
        try {
            int code = old.closedWith.get(10, TimeUnit.SECONDS);
            if (code == 4001) {
                incidents.count("kick.ok");
            } else if (code == 1012 || code == 1006 || code == -1) {
                incidents.count("kick.old-socket-gone-first"); // its instance stopped or died just before
            } else {
                incidents.trouble("kick.wrong-close", b.id + ": " + code);
            }
        } catch (Exception e) {
            incidents.trouble("kick.missed", b.id + ": the old socket stayed open");
            old.close();
        }
    }

    /** One scripted call; its callId, or null when the invitation was refused. */
    private String call(VirtualUser a, VirtualUser b, String outcome, List<String> leftOpen) throws Disrupted {
        int timeout = outcome.equals("timeout") ? 2 : 15;
        long sentAt = System.currentTimeMillis();
        JsonNode ok = a.request("{\"type\":\"invite\",\"callees\":[\"" + b.id + "\"],\"callType\":\"audio\",\"timeoutSeconds\":"
                + timeout + "}", 8000);
        if (!ok.path("type").asText().equals("invite-ok")) {
            incidents.trouble("invite.refused", a.id + ": " + ok.path("code").asText());
            return null;
        }
        String callId = ok.path("callId").asText();
        ledger.placed(callId, b.id, outcome, sentAt);
        try {
            b.expect("invited", callId, 8000);
            switch (outcome) {
                case "accepted" -> {
                    answer(b, "accept", callId);
                    a.expect("accepted", callId, 8000);
                    VirtualUser.sleep(300);
                    a.request("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}", 8000);
                    b.expect("ended", callId, 8000);
                }
                case "rejected" -> {
                    answer(b, "reject", callId);
                    a.expect("rejected", callId, 8000);
                }
                case "busy" -> {
                    answer(b, "busy", callId);
                    a.expect("busy", callId, 8000);
                }
                case "cancelled" -> {
                    a.request("{\"type\":\"cancel\",\"callId\":\"" + callId + "\"}", 8000);
                    b.expect("cancelled", callId, 8000);
                }
                default -> b.expect("timeout", callId, timeout * 1000L + 8000);
            }
            incidents.count("call." + outcome);
        } catch (Disrupted d) {
            ledger.disrupted(callId, d.getMessage());
            leftOpen.add(callId);
            throw d;
        }
        return callId;
    }

    private static void answer(VirtualUser b, String what, String callId) throws Disrupted {
        JsonNode r = b.request("{\"type\":\"" + what + "\",\"callId\":\"" + callId + "\"}", 8000);
        if (!r.path("type").asText().equals(what + "-ok")) {
            throw new Disrupted(b.id + " " + what + ": " + r.path("code").asText());
        }
    }
}
