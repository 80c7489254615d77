package org.opencalling.relay.sfu.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of SRTP and SRTCP, in both profiles: what one session protects the
 * other unprotects to the same bytes, once (a replay is refused); anything else a member sends
 * unprotects to null, never to an exception, and never verifies without the keys.
 */
class SrtpFuzzTest {
    static final byte[] KEY = new byte[16];
    static final byte[] SALT = new byte[14];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i * 7 + 1);
        }
        for (int i = 0; i < SALT.length; i++) {
            SALT[i] = (byte) (i * 3 + 5);
        }
    }

    static SrtpSession session(SrtpProfile p) {
        return new SrtpSession(p, KEY, java.util.Arrays.copyOf(SALT, p.saltLength()));
    }

    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void packetsFromMembers(FuzzedDataProvider data) {
        SrtpProfile profile = data.pickValue(SrtpProfile.values());
        boolean rtcp = data.consumeBoolean();
        boolean roundTrip = data.consumeBoolean();
        byte[] packet = data.consumeRemainingAsBytes();
        SrtpSession rx = session(profile);
        if (!roundTrip) {
            byte[] out = rtcp ? rx.unprotectRtcp(packet, 0, packet.length) : rx.unprotectRtp(packet, 0, packet.length);
            assertNull(out, "garbage verified");
            return;
        }
        SrtpSession tx = session(profile);
        byte[] sealed = rtcp ? tx.protectRtcp(packet, 0, packet.length) : tx.protectRtp(packet, 0, packet.length);
        if (sealed == null) {
            return; // not an RTP/RTCP packet: refused, as documented
        }
        byte[] opened = rtcp ? rx.unprotectRtcp(sealed, 0, sealed.length) : rx.unprotectRtp(sealed, 0, sealed.length);
        assertNotNull(opened, "what the other side protected did not unprotect");
        assertArrayEquals(packet, opened);
        assertNull(rtcp ? rx.unprotectRtcp(sealed, 0, sealed.length) : rx.unprotectRtp(sealed, 0, sealed.length),
                "a replay was accepted");
    }
}
