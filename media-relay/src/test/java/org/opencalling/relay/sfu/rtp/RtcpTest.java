package org.opencalling.relay.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtcpTest {
    @Test
    void pliAndRembAreWhatTheyClaim() {
        byte[] pli = Rtcp.pli(0x11223344L, 0xAABBCCDDL);
        assertEquals("81ce000211223344aabbccdd", HexFormat.of().formatHex(pli), "RFC 4585 §6.3.1: V=2, FMT=1, PT=206, length 2");
        Rtcp.Item it = Rtcp.split(pli, 0, pli.length).get(0);
        assertTrue(Rtcp.isPli(it));
        assertEquals(0xAABBCCDDL, Rtcp.mediaSsrc(pli, it));
        byte[] remb = Rtcp.remb(1, 1_500_000, List.of(7L, 0xFFFFFFFFL));
        Rtcp.Item r = Rtcp.split(remb, 0, remb.length).get(0);
        assertTrue(Rtcp.isRemb(remb, r));
        long bps = Rtcp.rembBitrate(remb, r);
        assertTrue(bps <= 1_500_000 && bps > 1_499_000, "18-bit mantissa keeps it within a step: " + bps);
        assertEquals(List.of(7L, 0xFFFFFFFFL), Rtcp.rembSsrcs(remb, r));
    }

    @Test
    void nackListsThePacketIdAndItsBitmask() {
        // PID 65534, BLP 0b101: 65534, 65535 (bit 0), 1 (bit 2, wrapping).
        byte[] nack = HexFormat.of().parseHex("81cd0003" + "00000001" + "00000002" + "fffe0005");
        Rtcp.Item it = Rtcp.split(nack, 0, nack.length).get(0);
        assertTrue(Rtcp.isNack(it));
        assertEquals(List.of(65534, 65535, 1), Rtcp.nackSequences(nack, it));
    }

    @Test
    void compoundsSplitAndGarbageIsNull() {
        byte[] sr = new byte[28];
        sr[0] = (byte) 0x80;
        sr[1] = (byte) 200;
        sr[3] = 6;
        byte[] both = new byte[sr.length + 12];
        System.arraycopy(sr, 0, both, 0, sr.length);
        System.arraycopy(Rtcp.pli(1, 2), 0, both, sr.length, 12);
        List<Rtcp.Item> items = Rtcp.split(both, 0, both.length);
        assertEquals(2, items.size());
        assertEquals(Rtcp.SR, items.get(0).type());
        assertNull(Rtcp.split(both, 0, both.length - 1), "a length that runs past the end");
        assertNull(Rtcp.split(new byte[] {0x40, (byte) 200, 0, 0}, 0, 4), "version 1");
        Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            List<Rtcp.Item> parts = Rtcp.split(b, 0, b.length);
            if (parts != null) {
                for (Rtcp.Item p : parts) {
                    Rtcp.senderSsrc(b, p);
                    Rtcp.mediaSsrc(b, p);
                    if (Rtcp.isRemb(b, p)) {
                        Rtcp.rembSsrcs(b, p);
                        Rtcp.rembBitrate(b, p);
                    }
                    if (Rtcp.isNack(p)) {
                        Rtcp.nackSequences(b, p);
                    }
                    if (Rtcp.isFir(p)) {
                        Rtcp.firTargets(b, p);
                    }
                }
            }
            RtpHeader.length(b, 0, b.length);
        }
    }
}
