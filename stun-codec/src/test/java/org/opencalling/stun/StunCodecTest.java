package org.opencalling.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StunCodecTest {
    static final byte[] TID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    final StunDecoder decoder = new StunDecoder();

    @Test
    void messageTypesSpreadTheClassBits() {
        assertEquals(0x0001, StunTypes.type(StunTypes.BINDING, StunTypes.REQUEST));
        assertEquals(0x0101, StunTypes.type(StunTypes.BINDING, StunTypes.SUCCESS));
        assertEquals(0x0113, StunTypes.type(StunTypes.ALLOCATE, StunTypes.ERROR));
        assertEquals(0x0016, StunTypes.type(StunTypes.SEND, StunTypes.INDICATION));
        assertEquals(0x0017, StunTypes.type(StunTypes.DATA, StunTypes.INDICATION));
        assertEquals(0x0009, StunTypes.type(StunTypes.CHANNEL_BIND, StunTypes.REQUEST));
        for (int method = 0; method < 0x1000; method++) {
            for (int cls = 0; cls < 4; cls++) {
                int t = StunTypes.type(method, cls);
                assertEquals(method, StunTypes.method(t));
                assertEquals(cls, StunTypes.cls(t));
                assertTrue(t < 0x4000);
            }
        }
    }

    @Test
    void aTurnAllocateRoundTripsWithBothIntegritiesAndAFingerprint() throws Exception {
        byte[] key = StunIntegrity.longTermKey("1795647600:alice", "opencalling", "c2VjcmV0");
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 49152);
        byte[] bytes = StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, TID)
                .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunAttribute.u32(StunTypes.LIFETIME, 600))
                .add(StunTypes.DONT_FRAGMENT, new byte[0])
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peer, TID))
                .add(StunAttribute.text(StunTypes.USERNAME, "1795647600:alice"))
                .add(StunAttribute.text(StunTypes.REALM, "opencalling"))
                .add(StunAttribute.text(StunTypes.NONCE, "n0nce"))
                .integrity(key).integritySha256(key).fingerprint().encode();
        assertEquals(0, (bytes.length - 20) % 4);
        StunMessage m = decoder.decode(bytes).message();
        assertEquals(StunTypes.ALLOCATE, m.method());
        assertEquals(17, m.get(StunTypes.REQUESTED_TRANSPORT).orElseThrow().value()[0]);
        assertEquals(600, m.get(StunTypes.LIFETIME).orElseThrow().asU32());
        assertTrue(m.has(StunTypes.DONT_FRAGMENT));
        assertEquals(peer, XorAddress.decode(m.get(StunTypes.XOR_PEER_ADDRESS).orElseThrow().value(), TID));
        assertTrue(StunIntegrity.verify(m, key));
        assertTrue(StunIntegrity.verifySha256(m, key));
        assertTrue(StunIntegrity.verifyFingerprint(m));
        // Any change of a covered byte breaks all three.
        for (int i = 0; i < bytes.length - 8; i++) {
            byte[] t = bytes.clone();
            t[i] ^= 0x01;
            StunDecoder.Result r = decoder.decode(t);
            assertTrue(!r.ok() || !StunIntegrity.verifyFingerprint(r.message()), "byte " + i);
        }
    }

    @Test
    void errorCodesAndUnknownAttributes() {
        ErrorCode e = new ErrorCode(ErrorCode.STALE_NONCE, "Stale Nonce");
        assertEquals(e, ErrorCode.decode(e.encode()));
        assertNull(ErrorCode.decode(new byte[] {0, 0, 7, 0}), "class 7 does not exist");
        assertNull(ErrorCode.decode(new byte[] {0, 0, 4}), "too short");
        byte[] bytes = StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, TID)
                .add(0x7777, new byte[] {1}).add(0xC001, new byte[] {2}).add(StunTypes.LIFETIME, new byte[4]).encode();
        StunMessage m = decoder.decode(bytes).message();
        assertEquals(List.of(0x7777), m.unknownRequired(Set.of(StunTypes.LIFETIME)),
                "only comprehension-required ones count");
    }

    @Test
    void malformedMessagesAreErrorValues() {
        byte[] ok = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, TID)
                .add(StunAttribute.text(StunTypes.SOFTWARE, "x")).fingerprint().encode();
        assertTrue(decoder.decode(ok).ok());
        assertEquals("shorter than a STUN header", decoder.decode(new byte[19]).error());
        byte[] cookie = ok.clone();
        cookie[4] = 0;
        assertEquals("no magic cookie", decoder.decode(cookie).error());
        byte[] bits = ok.clone();
        bits[0] = (byte) 0x80;
        assertEquals("the first two bits are not zero", decoder.decode(bits).error());
        byte[] length = ok.clone();
        length[3] += 4;
        assertTrue(decoder.decode(length).error().startsWith("length field says"));
        byte[] odd = ok.clone();
        odd[3] += 1;
        assertEquals("length not a multiple of 4", decoder.decode(odd).error());
        byte[] attr = ok.clone();
        attr[23] = 100; // SOFTWARE claims 100 bytes
        assertTrue(decoder.decode(attr).error().contains("longer than the message"));
        byte[] afterFingerprint = java.util.Arrays.copyOf(ok, ok.length + 8); // FINGERPRINT, then LIFETIME
        afterFingerprint[ok.length + 1] = 0x0D;
        afterFingerprint[ok.length + 3] = 4;
        afterFingerprint[3] += 8;
        assertEquals("an attribute after FINGERPRINT", decoder.decode(afterFingerprint).error());
        assertEquals("longer than 100 bytes", new StunDecoder(100, 8).decode(new byte[120]).error());
        StunEncoder many = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, TID);
        for (int i = 0; i < 9; i++) {
            many.add(StunTypes.LIFETIME, new byte[4]);
        }
        assertEquals("more than 8 attributes", new StunDecoder(1000, 8).decode(many.encode()).error());
        assertEquals("no buffer", decoder.decode(ok, 10, ok.length).error());
    }

    @Test
    void attributesAfterMessageIntegrityAreIgnoredButFingerprint() {
        byte[] key = {1, 2, 3};
        byte[] bytes = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, TID)
                .add(StunAttribute.text(StunTypes.USERNAME, "u")).integrity(key).fingerprint().encode();
        // Insert an attribute between MESSAGE-INTEGRITY and FINGERPRINT by hand: it must not count.
        byte[] extra = {(byte) 0x80, 0x22, 0, 1, 'x', 0, 0, 0};
        byte[] spliced = new byte[bytes.length + 8];
        System.arraycopy(bytes, 0, spliced, 0, bytes.length - 8);
        System.arraycopy(extra, 0, spliced, bytes.length - 8, 8);
        System.arraycopy(bytes, bytes.length - 8, spliced, bytes.length, 8);
        spliced[3] += 8;
        StunMessage m = decoder.decode(spliced).message();
        assertFalse(m.has(StunTypes.SOFTWARE));
        assertTrue(StunIntegrity.verify(m, key), "integrity covers what precedes it only");
        assertTrue(m.has(StunTypes.FINGERPRINT));
    }

    @Test
    void xorAddressesBothFamiliesAndBadValues() throws Exception {
        for (String host : new String[] {"127.0.0.1", "::1", "2001:db8::1", "255.255.255.255"}) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName(host), 3478);
            assertEquals(a, XorAddress.decode(XorAddress.encode(a, TID), TID));
        }
        assertNull(XorAddress.decode(new byte[] {0, 3, 0, 0, 1, 2, 3, 4}, TID), "family 3");
        assertNull(XorAddress.decode(new byte[] {0, 1, 0, 0, 1, 2, 3}, TID), "IPv4 with 3 bytes");
        assertNull(XorAddress.decode(new byte[] {0, 2, 0, 0, 1, 2, 3, 4}, TID), "IPv6 with 4 bytes");
    }

    @Test
    void channelData() {
        byte[] data = {9, 8, 7, 6, 5};
        byte[] udp = ChannelData.encode(0x4001, data, 0, data.length, false);
        byte[] tcp = ChannelData.encode(0x4001, data, 0, data.length, true);
        assertEquals(9, udp.length);
        assertEquals(12, tcp.length);
        assertTrue(ChannelData.looksLikeChannelData(udp, 0, udp.length));
        assertFalse(StunDecoder.looksLikeStun(udp, 0, udp.length));
        assertEquals(0x4001, ChannelData.channel(udp, 0, udp.length));
        assertEquals(5, ChannelData.dataLength(udp, 0));
        assertArrayEquals(data, java.util.Arrays.copyOfRange(tcp, 4, 9));
        assertEquals(-1, ChannelData.channel(udp, 0, 8), "shorter than its length says");
        assertEquals(0x5000, ChannelData.channel(new byte[] {0x50, 0, 0, 0}, 0, 4), "RFC 5766's range");
        assertEquals(-1, ChannelData.channel(new byte[] {(byte) 0x80, 0, 0, 0}, 0, 4), "0x8000 is not a channel (RTP)");
        assertEquals(-1, ChannelData.channel(new byte[] {0x3F, 0, 0, 0}, 0, 4), "below 0x4000 neither");
        assertEquals(-1, ChannelData.channel(new byte[] {0x40}, 0, 1));
    }
}
