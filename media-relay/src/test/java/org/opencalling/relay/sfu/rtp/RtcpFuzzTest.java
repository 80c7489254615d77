package org.opencalling.relay.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.opencalling.relay.sfu.Demux;

/**
 * Coverage-guided fuzzing of what the SFU reads from a decrypted datagram: the demultiplexing by
 * first byte, RTP headers and RTCP compounds with every accessor the forwarding uses. Nothing may
 * throw, and every packet found lies inside the datagram.
 */
class RtcpFuzzTest {
    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void packetsFromMembers(byte[] b) {
        Demux.of(b, 0, b.length);
        Demux.isRtcp(b, 0, b.length);
        int h = RtpHeader.length(b, 0, b.length);
        if (h > 0) {
            assertTrue(h >= 12 && h <= b.length, "header " + h);
            RtpHeader.payloadType(b, 0);
            RtpHeader.marker(b, 0);
            RtpHeader.sequence(b, 0);
            RtpHeader.timestamp(b, 0);
            RtpHeader.ssrc(b, 0);
        }
        List<Rtcp.Item> items = Rtcp.split(b, 0, b.length);
        if (items == null) {
            return;
        }
        int end = 0;
        for (Rtcp.Item it : items) {
            assertTrue(it.off() == end && it.len() >= 4 && it.off() + it.len() <= b.length, it.toString());
            end = it.off() + it.len();
            Rtcp.senderSsrc(b, it);
            Rtcp.mediaSsrc(b, it);
            if (Rtcp.isNack(it)) {
                Rtcp.nackSequences(b, it);
            }
            if (Rtcp.isFir(it)) {
                Rtcp.firTargets(b, it);
            }
            Rtcp.isPli(it);
            if (Rtcp.isRemb(b, it)) {
                Rtcp.rembBitrate(b, it);
                Rtcp.rembSsrcs(b, it);
            }
        }
        assertTrue(end == b.length, "the items cover the compound");
    }
}
