package org.opencalling.bench.soak;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.opencalling.bench.soak.VirtualUser.Disrupted;
import org.opencalling.testsupport.WsClient;

/**
 * A backend ringing users over REST, as a CRM would: {@code POST /v1/calls} (on each signaling
 * instance in turn), the callee accepts on its socket, and the backend ends the call with
 * {@code DELETE}; the callee must be told {@code ended}.
 */
final class RestInvites {
    private final SoakCluster cluster;
    private final Ledger ledger;
    private final Incidents incidents;
    private volatile boolean running = true;
    private Thread thread;

    RestInvites(SoakCluster cluster, Ledger ledger, Incidents incidents) {
        this.cluster = cluster;
        this.ledger = ledger;
        this.incidents = incidents;
    }

    void start(int callees) {
        thread = new Thread(() -> loop(callees), "rest-invites");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(60_000);
    }

    private void loop(int count) {
        List<VirtualUser> callees = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            VirtualUser u = new VirtualUser("rest" + i, i % SoakCluster.REPLICAS, cluster, incidents);
            u.login(false);
            callees.add(u);
        }
        for (int n = 0; running; n++) {
            VirtualUser callee = callees.get(n % count);
            String base = cluster.http("signaling", n % SoakCluster.REPLICAS);
            String callId = null;
            try {
                callee.ensureOpen();
                long sentAt = System.currentTimeMillis();
                HttpResponse<String> r = cluster.api("POST", base + "/v1/calls", "{\"sdkAppId\":" + cluster.app()
                        + ",\"caller\":\"crm" + (n % count) + "\",\"callees\":[\"" + callee.id + "\"],\"type\":\"audio\",\"timeoutSeconds\":15}");
                if (r.statusCode() != 201) {
                    incidents.trouble("rest.refused", r.statusCode() + " " + r.body());
                } else {
                    callId = WsClient.JSON.readTree(r.body()).path("callId").asText();
                    ledger.placed(callId, callee.id, "accepted", sentAt);
                    callee.expect("invited", callId, 8000);
                    if (!callee.request("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}", 8000).path("type").asText().equals("accept-ok")) {
                        throw new Disrupted("accept refused");
                    }
                    HttpResponse<String> end = cluster.api("DELETE", base + "/v1/calls/" + callId, null);
                    if (end.statusCode() != 200) {
                        throw new Disrupted("DELETE: " + end.statusCode() + " " + end.body());
                    }
                    callee.expect("ended", callId, 8000);
                    incidents.count("rest.accepted-then-ended");
                }
            } catch (Disrupted d) {
                incidents.trouble("rest.disrupted", d.getMessage());
                end(callId, base);
            } catch (Exception e) {
                incidents.trouble("rest.disrupted", e.toString());
                end(callId, base);
            }
            VirtualUser.sleep(1000);
        }
        callees.forEach(VirtualUser::logout);
    }

    /** A disrupted REST call: marked so, and ended by the API so that no one stays in it. */
    private void end(String callId, String base) {
        if (callId == null) {
            return;
        }
        ledger.disrupted(callId, "disrupted");
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                int s = cluster.api("DELETE", base + "/v1/calls/" + callId, null).statusCode();
                if (s == 200 || s == 404 || s == 409) {
                    return;
                }
            } catch (Exception e) {
                // the instance may be the one that is down
            }
            base = cluster.http("signaling", attempt % SoakCluster.REPLICAS);
            VirtualUser.sleep(1000);
        }
        incidents.trouble("rest.left-open", callId);
    }
}
