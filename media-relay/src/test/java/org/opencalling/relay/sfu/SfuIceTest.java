package org.opencalling.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunIntegrity;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;
import org.opencalling.stun.XorAddress;

/**
 * ICE on the SFU's side, with checks written as a browser writes them: the first path is taken
 * at once (DTLS will prove it); a move to another address only once the browser answers our
 * probe from there, so a forged check (its source spoofed to a victim's address, by anyone
 * holding the member's credentials) cannot point the member's media at someone else.
 */
class SfuIceTest {
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 8000);
    final AtomicLong now = new AtomicLong(1_000_000);
    final List<byte[]> sent = new ArrayList<>();
    Sfu sfu;
    String ufrag;
    String pwd;

    @BeforeEach
    void joined() {
        sfu = new Sfu(new Sfu.Config("127.0.0.1", List.of(8000), 1_500_000, 30_000), SfuRoomsTest.IDENTITY, Runnable::run,
                (to, bytes) -> sent.add(bytes), now::get);
        String offer = sfu.join("r", "ann", true).get(0).sdp();
        ufrag = offer.replaceAll("(?s).*a=ice-ufrag:(\\S+).*", "$1");
        pwd = offer.replaceAll("(?s).*a=ice-pwd:(\\S+).*", "$1");
        assertTrue(sfu.answer("r", "ann", BrowserAnswer.to(offer, 5000)).isEmpty());
    }

    static FiveTuple from(int port) {
        return new FiveTuple(new InetSocketAddress("127.0.0.1", port), SERVER, FiveTuple.Transport.UDP);
    }

    /** A browser's check (USERNAME sfuUfrag:browserUfrag, keyed with the SFU's password). */
    byte[] check(boolean nominate, String key) {
        byte[] id = new byte[12];
        new java.util.Random().nextBytes(id);
        StunEncoder e = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, id)
                .add(StunTypes.USERNAME, (ufrag + ":" + BrowserAnswer.UFRAG).getBytes(StandardCharsets.UTF_8))
                .add(StunTypes.PRIORITY, new byte[] {0x6e, 0, 0x1e, (byte) 0xff})
                .add(StunTypes.ICE_CONTROLLING, new byte[8]);
        if (nominate) {
            e.add(StunTypes.USE_CANDIDATE, new byte[0]);
        }
        return e.integrity(StunIntegrity.shortTermKey(key)).fingerprint().encode();
    }

    List<TurnHandler.Output> in(FiveTuple t, byte[] b) {
        return sfu.fromClient(t, b, 0, b.length, now.get());
    }

    static StunMessage decode(byte[] b) {
        StunDecoder.Result r = new StunDecoder(1500, 32).decode(b, 0, b.length);
        assertTrue(r.ok(), "a STUN message");
        return r.message();
    }

    /** How the browser answers our probe: the same transaction, keyed with its own password. */
    static byte[] answer(StunMessage probe, FiveTuple seenFrom, String key) {
        return StunEncoder.answer(probe, StunTypes.SUCCESS)
                .add(StunTypes.XOR_MAPPED_ADDRESS, XorAddress.encode(seenFrom.server(), probe.transactionId()))
                .integrity(StunIntegrity.shortTermKey(key)).fingerprint().encode();
    }

    @Test
    void theFirstPathIsTakenAtOnceAMoveOnlyAfterTheBrowserAnswersThere() {
        FiveTuple home = from(40000);
        List<TurnHandler.Output> out = in(home, check(false, pwd));
        assertEquals(1, out.size(), "a success response, no probe");
        assertEquals(StunTypes.SUCCESS, decode(((TurnHandler.ToClient) out.get(0)).bytes()).messageClass());
        assertEquals(home, address());

        // A nominated check from elsewhere (genuine or forged: the SFU cannot tell) is answered,
        // and probed; media stays where it was.
        FiveTuple elsewhere = from(40001);
        out = in(elsewhere, check(true, pwd));
        assertEquals(2, out.size());
        TurnHandler.ToClient probeOut = (TurnHandler.ToClient) out.get(1);
        assertEquals(elsewhere, probeOut.tuple());
        StunMessage probe = decode(probeOut.bytes());
        assertEquals(StunTypes.REQUEST, probe.messageClass());
        assertEquals(BrowserAnswer.UFRAG + ":" + ufrag, probe.get(StunTypes.USERNAME).orElseThrow().asText());
        assertTrue(StunIntegrity.verify(probe, StunIntegrity.shortTermKey(BrowserAnswer.PWD)), "keyed with the browser's password");
        assertTrue(probe.has(StunTypes.ICE_CONTROLLED) && probe.has(StunTypes.PRIORITY) && probe.has(StunTypes.FINGERPRINT));
        assertEquals(home, address(), "not moved yet");
        assertEquals(1, in(elsewhere, check(true, pwd)).size(), "no second probe within 500 ms");

        // Answers that do not prove the browser is there change nothing.
        assertTrue(in(elsewhere, answer(probe, elsewhere, "wrong-password-wrong-password")).isEmpty());
        assertNull(in(from(40002), answer(probe, elsewhere, BrowserAnswer.PWD)), "from a third address: not ours (TURN's)");
        byte[] otherTransaction = answer(probe, elsewhere, BrowserAnswer.PWD);
        otherTransaction[8] ^= 1;
        assertNull(in(elsewhere, otherTransaction), "another transaction: not ours");
        assertEquals(home, address());
        assertEquals(1, sfu.stats.iceFailures.sum(), "the wrongly keyed answer counted");

        // The browser's own answer, from there: it moves.
        assertTrue(in(elsewhere, answer(probe, elsewhere, BrowserAnswer.PWD)).isEmpty());
        assertEquals(elsewhere, address());
        assertEquals(1, sfu.stats.iceMoves.sum());
        assertNull(in(elsewhere, answer(probe, elsewhere, BrowserAnswer.PWD)), "a probe is answered once");
    }

    @Test
    void aForgedMoveToAVictimNeverMovesTheMedia() {
        FiveTuple home = from(40000);
        in(home, check(false, pwd));
        FiveTuple victim = from(9);
        for (int i = 0; i < 20; i++) {
            now.addAndGet(600);
            in(victim, check(true, pwd)); // the victim never answers our probes
        }
        assertEquals(home, address());
        assertEquals(20, sfu.stats.iceProbes.sum(), "one probe per forged check at most every 500 ms");
        // A check without the right key is not even answered.
        assertEquals(List.of(), in(victim, check(true, "not-the-sfu-password-at-all")));
    }

    @Test
    void afterConsentIsLostEvenTheFirstCheckMustAnswerAProbe() {
        FiveTuple home = from(40000);
        in(home, check(false, pwd));
        // DTLS is done (keys exist): from now on no address is taken on a check's word.
        byte[] key = new byte[16];
        sfu.participant("r", "ann").out = new org.opencalling.relay.sfu.srtp.SrtpSession(
                org.opencalling.relay.sfu.srtp.SrtpProfile.AES_CM_128_HMAC_SHA1_80, key, new byte[14]);
        now.addAndGet(31_000);
        sfu.tick();
        assertNull(address(), "no consent for 30 s: nothing is sent");

        FiveTuple victim = from(9);
        List<TurnHandler.Output> out = in(victim, check(false, pwd)); // forged, not even nominated
        assertEquals(2, out.size(), "answered, and probed");
        assertNull(address(), "not taken on its word");
        now.addAndGet(100);
        assertEquals(1, in(home, check(false, pwd)).size(), "no second probe within 500 ms, to any address");
        now.addAndGet(500);
        out = in(home, check(false, pwd));
        assertEquals(2, out.size());
        StunMessage probe = decode(((TurnHandler.ToClient) out.get(1)).bytes());
        assertTrue(in(home, answer(probe, home, BrowserAnswer.PWD)).isEmpty());
        assertEquals(home, address(), "back once it answered from there");
    }

    FiveTuple address() {
        return sfu.address("r", "ann");
    }
}
