package org.opencalling.bench.sfu;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.opencalling.bench.Args;
import org.opencalling.testsupport.Resp;
import org.opencalling.bench.relay.RelayLoad;
import org.opencalling.testsupport.RedisServerProcess;

/**
 * How far one relay's SFU goes: synthetic members ({@link SyntheticMember}: real ICE, DTLS and
 * SRTP, no browser, so the load is not limited by what browsers on this machine can encode) in
 * rooms of {@code --members}, each sending {@code --kbps} of video plus 50 packets/s of audio,
 * with more rooms at each step. Joined through Redis as signaling joins them. Per step: the
 * relay's CPU (as % of one core, from /proc), the RTP it forwarded and the members received
 * (Mbit/s), the share of the packets it should have delivered that never arrived, and its CPU
 * per million packets delivered against coturn's per million packets relayed (1,100-byte
 * messages through TURN channels at {@code --reference-rate}, measured first in the same run).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.opencalling.bench.sfu.SfuBlast --rooms 1,2,4,8 --members 4 --kbps 1000</pre>
 * Run from the repository root after {@code ./mvnw package -DskipTests}. The members share the
 * machine with the relay: where loss starts, it may be theirs as much as the relay's.
 */
public final class SfuBlast {
    private static final String NODE = "blast-node";

    public static void main(String[] argv) throws Exception {
        Map<String, String> o = Args.parse(argv);
        List<Integer> steps = new ArrayList<>();
        for (String n : o.getOrDefault("rooms", "1,2,4,8").split(",")) {
            steps.add(Integer.parseInt(n.trim()));
        }
        int members = Integer.parseInt(o.getOrDefault("members", "4"));
        int kbps = Integer.parseInt(o.getOrDefault("kbps", "1000"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "15"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
        int videoBytesPerTick = kbps * 1000 / 8 / 50;
        Path work = Files.createTempDirectory("sfu-blast");
        List<String> table = new ArrayList<>();
        String[] profile = {"?"};
        // The reference, in the same run: coturn relaying 1,100-byte packets at a steady rate.
        int referenceRate = Integer.parseInt(o.getOrDefault("reference-rate", "20000"));
        double[] coturn;
        try (RelayLoad.Relay reference = RelayLoad.coturn(work)) {
            coturn = RelayLoad.cpuPerMillionRelayed(reference, referenceRate, seconds, 100, 1100);
        }
        System.out.printf("coturn, %,d msg/s of 1,100 bytes (%,.0f relayed pkt/s, loss %.2f%%): %.2f CPU s per million relayed packets%n",
                referenceRate, coturn[2], 100 * coturn[1], coturn[0]);
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort(); Resp commands = new Resp(redis.port());
             Resp outbox = new Resp(redis.port());
             RelayLoad.Relay relay = RelayLoad.ours(work, null, null, Map.of("REDIS_URL", "redis://127.0.0.1:" + redis.port(),
                     "SFU_NODE_NAME", NODE, "SFU_MAX_VIDEO_KBPS", Integer.toString(Math.max(kbps * 2, 1500))))) {
            Thread.sleep(5000); // past start-up (the JIT, the first heartbeats)
            double idle = SfuLoad.idle(relay.pid(), 5);
            Map<String, SyntheticMember> byKey = new ConcurrentHashMap<>();
            Thread router = routeOffers(outbox, commands, byKey);
            for (int rooms : steps) {
                List<SyntheticMember> all = new ArrayList<>();
                ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
                try {
                    for (int r = 0; r < rooms; r++) {
                        String room = "blast-" + rooms + "-" + r;
                        for (int i = 0; i < members; i++) {
                            SyntheticMember m = new SyntheticMember(room, "m" + i);
                            byKey.put(room + "/" + m.user, m);
                            all.add(m);
                            command(commands, "{\"op\":\"join\",\"room\":\"" + room + "\",\"app\":1,\"user\":\"" + m.user
                                    + "\",\"video\":true}");
                        }
                    }
                    awaitOffersAnswered(all);
                    for (SyntheticMember m : all) {
                        m.connect();
                    }
                    profile[0] = String.valueOf(all.get(0).profile);
                    long[] tick = {0};
                    clock.scheduleAtFixedRate(() -> {
                        try {
                            for (SyntheticMember m : all) {
                                m.tick(videoBytesPerTick);
                                if (tick[0] % 250 == 0) {
                                    m.keepConsent(); // every 5 s
                                }
                            }
                            tick[0]++;
                        } catch (java.io.IOException e) {
                            System.err.println("send: " + e);
                        }
                    }, 0, 20, TimeUnit.MILLISECONDS);
                    Thread.sleep(warmup * 1000L);
                    long sent0 = sum(all, true);
                    long in0 = sum(all, false);
                    long bytes0 = all.stream().mapToLong(m -> m.bytesIn.sum()).sum();
                    long cpu0 = RelayLoad.cpuTicks(relay.pid());
                    long t0 = System.nanoTime();
                    Thread.sleep(seconds * 1000L);
                    long cpu1 = RelayLoad.cpuTicks(relay.pid());
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    long sent = sum(all, true) - sent0;
                    long in = sum(all, false) - in0;
                    long bytes = all.stream().mapToLong(m -> m.bytesIn.sum()).sum() - bytes0;
                    double cpu = (cpu1 - cpu0) / elapsed; // ticks are 1/100 s: this is % of one core
                    double mbps = bytes * 8 / elapsed / 1e6;
                    double expected = sent * (members - 1.0); // each packet goes to every other member
                    double loss = expected == 0 ? 0 : Math.max(0, 1 - in / expected);
                    int streams = rooms * members * (members - 1) * 2;
                    double perMillion = (cpu1 - cpu0) / 100.0 / (in / 1e6); // CPU s per million packets delivered
                    String line = String.format("%5d %7d %8d %9.1f %11.1f %10.0f %9.2f%% %14.3f %12.2f %10.2f", rooms, rooms * members,
                            streams, cpu, mbps, in / elapsed, 100 * loss, (cpu - idle) / mbps, perMillion, perMillion / coturn[0]);
                    System.out.println(line);
                    table.add(line);
                } finally {
                    clock.shutdownNow();
                    clock.awaitTermination(5, TimeUnit.SECONDS);
                    all.forEach(SyntheticMember::close);
                    for (int r = 0; r < rooms; r++) {
                        command(commands, "{\"op\":\"end\",\"room\":\"blast-" + rooms + "-" + r + "\",\"app\":1}");
                    }
                    byKey.clear();
                }
            }
            router.interrupt();
            System.out.printf("%nrelay idle: %.1f%% of one core; rooms of %d, each member sending %d kbit/s of video + audio;"
                    + " SRTP %s; %d cores here%n", idle, members, kbps, profile[0], Runtime.getRuntime().availableProcessors());
            System.out.printf("%5s %7s %8s %9s %11s %10s %10s %14s %12s %10s%n", "rooms", "members", "streams", "CPU %",
                    "Mbit/s out", "pkts/s out", "lost", "(CPU-idle)/Mbps", "CPU s/M pkt", "vs coturn");
            table.forEach(System.out::println);
        }
    }

    private static long sum(List<SyntheticMember> all, boolean sent) {
        long n = 0;
        for (SyntheticMember m : all) {
            n += sent ? m.packetsSent.sum() : m.packetsIn.sum();
        }
        return n;
    }

    /** Answers the node's offers for whichever member they are for (as signaling routes them). */
    private static Thread routeOffers(Resp outbox, Resp commands, Map<String, SyntheticMember> byKey) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Object item = outbox.call("BLPOP", "trtc:sfu:out", "1");
                    if (!(item instanceof List<?> kv) || kv.size() < 2) {
                        continue;
                    }
                    JsonObject m = JsonParser.parseString(String.valueOf(kv.get(1))).getAsJsonObject();
                    String room = m.get("room").getAsString();
                    SyntheticMember member = byKey.get(room + "/" + m.get("user").getAsString());
                    if (member == null || !m.get("op").getAsString().equals("offer")) {
                        continue;
                    }
                    JsonObject a = new JsonObject();
                    a.addProperty("op", "answer");
                    a.addProperty("room", room);
                    a.addProperty("app", 1);
                    a.addProperty("user", member.user);
                    a.addProperty("sdp", member.answer(m.get("sdp").getAsString()));
                    synchronized (commands) {
                        command(commands, a.toString());
                    }
                    member.offersAnswered.increment();
                } catch (Exception e) {
                    if (!Thread.currentThread().isInterrupted()) {
                        System.err.println("offers: " + e);
                    }
                }
            }
        }, "blast-offers");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Until every member has answered at least one offer (the warm-up covers the renegotiations after). */
    private static void awaitOffersAnswered(List<SyntheticMember> all) throws InterruptedException {
        long until = System.currentTimeMillis() + 60_000;
        while (all.stream().anyMatch(m -> m.offersAnswered.sum() == 0)) {
            if (System.currentTimeMillis() > until) {
                throw new IllegalStateException("offers never came for some members");
            }
            Thread.sleep(50);
        }
    }

    static void command(Resp redis, String json) throws Exception {
        synchronized (redis) {
            redis.call("RPUSH", "trtc:sfu:cmd:" + NODE, json);
        }
    }
}
