package org.opencalling.relay.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.allocation.PortPool;
import org.opencalling.relay.auth.StatelessNonce;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.testsupport.Chromium;

/**
 * The final judge: two headless Chromium pages make a video call whose only path is our relay
 * ({@code iceTransportPolicy: 'relay'}, our relay their only ICE server, credentials minted as
 * signaling-service mints them), over UDP and over TURN-over-TCP. Both sides must decode the
 * other's video, the selected pair must be relay/relay, and our relay must have carried it.
 */
class ChromiumRelayCallTest {
    static final String SECRET = "chromium-relay-test-secret";
    static Chromium chromium;
    static String page;

    @BeforeAll
    static void launch() throws Exception {
        try (InputStream in = ChromiumRelayCallTest.class.getResourceAsStream("/webrtc/relay-call.html")) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        chromium = Chromium.launch();
    }

    @AfterAll
    static void close() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void aVideoCallOverUdpGoesThroughTheRelayOnly() throws Exception {
        call("udp");
    }

    @Test
    void aVideoCallOverTcpGoesThroughTheRelayOnly() throws Exception {
        call("tcp");
    }

    void call(String transport) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Allocations allocations = new Allocations(Allocations.Limits.standard(10, 100), new PortPool(49152, 65535));
        TurnCredentials credentials = new TurnCredentials(SECRET);
        TurnHandler handler = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                StatelessNonce.withRandomKey(600_000), credentials, "opencalling", loopback);
        // Over TCP with two event loops: the second page's connection is handed to the other loop.
        try (RelayServer relay = new RelayServer(handler, allocations, loopback, List.of(0), List.of(0),
                System::currentTimeMillis, "tcp".equals(transport) ? 2 : 1);
             BrowserContext aliceContext = chromium.browser().newContext();
             BrowserContext bobContext = chromium.browser().newContext()) {
            int port = "tcp".equals(transport) ? relay.tcpPorts().get(0) : relay.udpPorts().get(0);
            Page alice = open(aliceContext);
            Page bob = open(bobContext);
            long now = System.currentTimeMillis() / 1000;
            alice.evaluate("s => start(s)", iceServers(credentials.mint(1_400_000_000L, "alice", 3600, now), port, transport));
            bob.evaluate("s => start(s)", iceServers(credentials.mint(1_400_000_000L, "bob", 3600, now), port, transport));

            String offer = (String) alice.evaluate("() => offer()");
            assertTrue(offer.contains("typ relay"), "alice gathered a relay candidate from our relay:\n" + offer);
            String answer = (String) bob.evaluate("sdp => answer(sdp)", offer);
            alice.evaluate("sdp => accept(sdp)", answer);

            @SuppressWarnings("unchecked")
            Map<String, Object> aliceSees = (Map<String, Object>) alice.evaluate("() => decoded(30, 20000)");
            @SuppressWarnings("unchecked")
            Map<String, Object> bobSees = (Map<String, Object>) bob.evaluate("() => decoded(30, 20000)");
            for (Map<String, Object> side : List.of(aliceSees, bobSees)) {
                assertTrue(((Number) side.get("framesDecoded")).longValue() >= 30, "remote video decoded: " + side);
                assertEquals("relay", side.get("localType"), "selected pair: " + side);
                assertEquals("relay", side.get("remoteType"), "selected pair: " + side);
                assertEquals(transport, side.get("relayProtocol"), "to the relay over " + transport + ": " + side);
                assertTrue(((Number) side.get("audioBytes")).longValue() > 0, "remote audio arrived: " + side);
            }
            assertTrue(allocations.size() >= 2, "at least one allocation per page (Chromium makes one per network interface)");
            var relayed = handler.relayed();
            assertTrue(relayed.packetsToPeer() > 100 && relayed.packetsToClient() > 100
                    && relayed.bytesToPeer() > 30_000, "the media went through our relay: " + relayed);
            alice.evaluate("() => stop()");
            bob.evaluate("() => stop()");
        }
    }

    Page open(BrowserContext context) {
        context.route("http://localhost/**", r -> r.fulfill(new Route.FulfillOptions()
                .setStatus(200).setContentType("text/html").setBody(page)));
        Page p = context.newPage();
        p.navigate("http://localhost/relay-call.html");
        return p;
    }

    static List<Map<String, Object>> iceServers(TurnCredentials.Credential c, int port, String transport) {
        return List.of(Map.of("urls", List.of("turn:127.0.0.1:" + port + "?transport=" + transport),
                "username", c.username(), "credential", c.password()));
    }
}
