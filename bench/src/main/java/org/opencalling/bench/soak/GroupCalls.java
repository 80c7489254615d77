package org.opencalling.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opencalling.bench.sfu.SyntheticMember;
import org.opencalling.bench.soak.VirtualUser.Disrupted;
import org.opencalling.testsupport.WsClient;

/**
 * Group video calls through the SFU, one after another: three users, each with a synthetic
 * member ({@link SyntheticMember}: real ICE, DTLS and SRTP, no browser) that answers the SFU's
 * offers through signaling. Each call sends media for a few seconds and counts as working when
 * every member received the others' packets; then all hang up.
 */
final class GroupCalls {
    private final SoakCluster cluster;
    private final Ledger ledger;
    private final Incidents incidents;
    private volatile boolean running = true;
    private Thread thread;

    GroupCalls(SoakCluster cluster, Ledger ledger, Incidents incidents) {
        this.cluster = cluster;
        this.ledger = ledger;
        this.incidents = incidents;
    }

    void start() {
        thread = new Thread(this::loop, "group-calls");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(60_000);
    }

    private void loop() {
        List<VirtualUser> users = new ArrayList<>();
        for (String n : List.of("ga", "gb", "gc")) {
            VirtualUser u = new VirtualUser(n, users.size() % SoakCluster.REPLICAS, cluster, incidents);
            u.login(false);
            users.add(u);
        }
        List<String> leftOpen = new ArrayList<>();
        for (int n = 0; running; n++) {
            String callId = null;
            Map<String, SyntheticMember> members = new HashMap<>();
            try {
                for (VirtualUser u : users) {
                    u.ensureOpen();
                }
                VirtualUser.hangUpAll(leftOpen, users, incidents);
                callId = call(users, n, members, leftOpen);
            } catch (Disrupted d) {
                incidents.trouble("group.disrupted", d.getMessage());
            } catch (java.io.IOException e) {
                incidents.trouble("group.media-failed", e.toString());
            } finally {
                members.values().forEach(SyntheticMember::close);
            }
            VirtualUser.sleep(1000);
        }
        try {
            VirtualUser.hangUpAll(leftOpen, users, incidents);
        } catch (Disrupted d) {
            incidents.trouble("group.disrupted", d.getMessage());
        }
        users.forEach(VirtualUser::logout);
    }

    /** One group call; it stays in {@code leftOpen} until every member is out of it. */
    private String call(List<VirtualUser> users, int n, Map<String, SyntheticMember> members, List<String> leftOpen)
            throws Disrupted, java.io.IOException {
        VirtualUser caller = users.get(0);
        long sentAt = System.currentTimeMillis();
        JsonNode ok = caller.request("{\"type\":\"invite\",\"callees\":[\"" + users.get(1).id + "\",\"" + users.get(2).id
                + "\"],\"groupId\":\"soak-group\",\"callType\":\"video\",\"timeoutSeconds\":15}", 8000);
        if (!ok.path("type").asText().equals("invite-ok")) {
            incidents.trouble("group.refused", ok.path("code").asText());
            return null;
        }
        String callId = ok.path("callId").asText();
        ledger.placed(callId, users.get(1).id, "accepted", sentAt);
        leftOpen.add(callId);
        try {
            media(users, n, members, callId);
        } catch (Disrupted d) {
            ledger.disrupted(callId, d.getMessage());
            throw d;
        }
        VirtualUser.hangUpAll(leftOpen, users, incidents);
        return callId;
    }

    private void media(List<VirtualUser> users, int n, Map<String, SyntheticMember> members, String callId)
            throws Disrupted, java.io.IOException {
        VirtualUser caller = users.get(0);
        for (VirtualUser u : users) {
            members.put(u.id, new SyntheticMember(callId, u.id));
        }
        join(caller, callId, n);
        for (VirtualUser u : users.subList(1, 3)) {
            u.expect("invited", callId, 8000);
            JsonNode a = u.request("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}", 8000);
            if (!a.path("type").asText().equals("accept-ok")) {
                throw new Disrupted(u.id + " accept: " + a.path("code").asText());
            }
            join(u, callId, n);
        }
        Map<String, Thread> connecting = new ConcurrentHashMap<>();
        Map<String, Boolean> connected = new ConcurrentHashMap<>();
        long deadline = System.currentTimeMillis() + 25_000;
        long mediaFrom = 0;
        while (System.currentTimeMillis() < deadline) {
            for (VirtualUser u : users) {
                SyntheticMember m = members.get(u.id);
                JsonNode offer;
                while ((offer = u.poll("sfu-offer", callId, 0)) != null) {
                    u.send("{\"type\":\"sfu-answer\",\"callId\":\"" + callId + "\",\"sdp\":"
                            + WsClient.JSON.writeValueAsString(m.answer(offer.path("sdp").asText())) + "}");
                    connecting.computeIfAbsent(u.id, k -> connect(m, connected, k));
                }
                m.tick(300);
            }
            if (mediaFrom == 0 && connected.size() == users.size()) {
                mediaFrom = System.currentTimeMillis();
                for (SyntheticMember m : members.values()) {
                    m.keepConsent();
                }
            }
            if (mediaFrom > 0 && System.currentTimeMillis() - mediaFrom > 4000) {
                break;
            }
            VirtualUser.sleep(20);
        }
        boolean all = connected.size() == users.size() && members.values().stream().allMatch(m -> m.packetsIn.sum() > 0);
        if (all) {
            incidents.count("group.media-ok");
        } else {
            incidents.trouble("group.no-media", callId + ": connected " + connected.keySet() + ", received "
                    + members.values().stream().map(m -> m.packetsIn.sum()).toList());
            ledger.disrupted(callId, "no media");
        }
    }

    private static void join(VirtualUser u, String callId, int n) throws Disrupted {
        u.send("{\"type\":\"sfu-join\",\"callId\":\"" + callId + "\",\"transport\":\"s" + n + u.id + "\",\"videoCodecs\":[\"VP8\"]}");
    }

    private Thread connect(SyntheticMember m, Map<String, Boolean> connected, String user) {
        Thread t = new Thread(() -> {
            try {
                m.connect();
                connected.put(user, true);
            } catch (java.io.IOException e) {
                incidents.trouble("group.connect-failed", user + ": " + e.getMessage());
            }
        }, "group-connect-" + user);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
