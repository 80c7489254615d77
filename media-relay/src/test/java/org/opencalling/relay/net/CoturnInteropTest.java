package org.opencalling.relay.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.allocation.PortPool;
import org.opencalling.relay.auth.StatelessNonce;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.TurnCredentials;

/**
 * Interoperability with Debian coturn's own TURN client and peer: {@code turnutils_uclient}
 * allocates on our relay with TURN REST credentials and sends through it to
 * {@code turnutils_peer}, which echoes everything back. (.ci/run installs coturn.)
 */
class CoturnInteropTest {
    static final String SECRET = "coturn-interop-secret";
    static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    static final Path PEER = Path.of("/usr/bin/turnutils_peer");

    static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String run(List<String> extraFlags) throws Exception {
        assertTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                "coturn's turnutils are needed (apt-get install coturn; .ci/run does it)");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int base = 43000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(100) * 20;
        Allocations allocations = new Allocations(Allocations.Limits.standard(10, 100), new PortPool(base, base + 19));
        TurnHandler handler = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                StatelessNonce.withRandomKey(600_000), new TurnCredentials(SECRET), "opencalling", loopback);
        int peerPort = freeUdpPort();
        Process peer = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", Integer.toString(peerPort))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (RelayServer relay = new RelayServer(handler, allocations, loopback, List.of(0), List.of(0), System::currentTimeMillis)) {
            int port = extraFlags.contains("-t") ? relay.tcpPorts().get(0) : relay.udpPorts().get(0);
            List<String> cmd = new ArrayList<>(List.of(UCLIENT.toString(), "-p", Integer.toString(port),
                    "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-n", "200", "-l", "200", "-z", "5", "-c",
                    "-W", SECRET, "-u", "alice"));
            cmd.addAll(extraFlags);
            cmd.add("127.0.0.1");
            Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(client.getInputStream().readAllBytes());
            assertTrue(client.waitFor(60, TimeUnit.SECONDS), "uclient did not finish:\n" + out);
            return out + "\nrelay counters: " + handler.counters();
        } finally {
            peer.destroy();
        }
    }

    static long number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + out);
        return Long.parseLong(m.group(1));
    }

    void assertAllEchoed(String out) {
        // The summary line (the per-second lines before it count from zero).
        long sent = number(out, "start_mclient: tot_send_msgs=(\\d+)");
        long received = number(out, "start_mclient: tot_send_msgs=\\d+, tot_recv_msgs=(\\d+)");
        assertEquals(200, sent, out);
        assertEquals(sent, received, "every message came back through the relay:\n" + out);
        assertEquals(0, number(out, "Total lost packets (\\d+)"), out);
    }

    @Test
    void overChannels() throws Exception {
        assertAllEchoed(run(List.of()));
    }

    @Test
    void overSendAndDataIndications() throws Exception {
        assertAllEchoed(run(List.of("-s")));
    }

    @Test
    void overTcpWithChannels() throws Exception {
        // -D: ChannelData padded on the stream, as RFC 8656 §12.5 requires (uclient's default does not pad).
        assertAllEchoed(run(List.of("-t", "-D")));
    }

    @Test
    void overTcpWithSendAndDataIndications() throws Exception {
        assertAllEchoed(run(List.of("-t", "-s")));
    }
}
