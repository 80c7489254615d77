package org.opencalling.relay.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the SDP answer parser (a browser's text, through signaling): an
 * answer is read, or refused with IllegalArgumentException saying why; nothing else escapes.
 */
class SdpAnswerFuzzTest {
    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void answersFromBrowsers(byte[] text) {
        // Bytes, not a String parameter: the saved inputs are then plain answers anyone can read and add.
        SdpAnswer a;
        try {
            a = SdpAnswer.parse(new String(text, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException refused) {
            assertNotNull(refused.getMessage());
            return;
        }
        assertNotNull(a.iceUfrag());
        assertNotNull(a.fingerprint());
        assertTrue(a.media().size() <= SdpAnswer.MAX_SECTIONS);
        for (SdpAnswer.Media m : a.media()) {
            assertTrue(m.ssrc() >= 0 && m.ssrc() <= 0xFFFFFFFFL, "SSRC " + m.ssrc());
            m.sends();
            m.receives();
        }
    }
}
