package org.opencalling.bench.soak;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opencalling.testsupport.Resp;

/**
 * What must be gone once every call has ended: busy markers, held invitations, ringing
 * deadlines, call records not ended, SFU rooms (in Redis and on the relays) and TURN allocations.
 */
final class Leftovers {
    private final SoakCluster cluster;

    Leftovers(SoakCluster cluster) {
        this.cluster = cluster;
    }

    /** Each kind of leftover and how many there are now. */
    Map<String, Long> count() throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Resp r = new Resp(cluster.cluster.redisPort())) {
            out.put("users marked busy (trtc:call:user:*)", (long) keys(r, "trtc:call:user:*").size());
            out.put("held invitations (trtc:call:pending:*)", (long) keys(r, "trtc:call:pending:*").size());
            out.put("ringing deadlines (trtc:call:deadlines)", (Long) r.call("ZCARD", "trtc:call:deadlines"));
            long open = 0;
            for (String k : keys(r, "trtc:call:*")) {
                if (k.matches("trtc:call:[^:]+") && !k.equals("trtc:call:deadlines")) {
                    String s = String.valueOf(r.call("HGET", k, "s"));
                    if (!s.toLowerCase(java.util.Locale.ROOT).contains("\"state\":\"ended\"")) {
                        open++;
                    }
                }
            }
            out.put("call records not ended", open);
            out.put("SFU rooms in Redis (trtc:sfu:room:*)", (long) keys(r, "trtc:sfu:room:*").size());
        }
        long allocations = 0;
        long rooms = 0;
        for (int k = 0; k < SoakCluster.REPLICAS; k++) {
            HttpResponse<String> m = cluster.http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(cluster.http("relay", k) + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            allocations += gauge(m.body(), "relay_allocations_active");
            rooms += gauge(m.body(), "relay_sfu_rooms");
        }
        out.put("TURN allocations on the relays", allocations);
        out.put("SFU rooms on the relays", rooms);
        return out;
    }

    /** Polls until nothing is left or {@code ms} passed; the last count. */
    Map<String, Long> awaitNone(long ms) throws Exception {
        long deadline = System.currentTimeMillis() + ms;
        Map<String, Long> now = count();
        while (now.values().stream().anyMatch(v -> v != 0) && System.currentTimeMillis() < deadline) {
            VirtualUser.sleep(1000);
            now = count();
        }
        return now;
    }

    private static long gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(metrics);
        long sum = 0;
        while (m.find()) {
            sum += (long) Double.parseDouble(m.group(2));
        }
        return sum;
    }

    static List<String> keys(Resp r, String pattern) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        String cursor = "0";
        do {
            List<?> page = (List<?>) r.call("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
            cursor = String.valueOf(page.get(0));
            for (Object k : (List<?>) page.get(1)) {
                out.add(String.valueOf(k));
            }
        } while (!cursor.equals("0"));
        return out;
    }
}
