package org.opencalling.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The test vectors of RFC 5769 (STUN), decoded and checked with this codec. */
class Rfc5769Test {
    static final String PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

    /** RFC 5769 §2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MI, FINGERPRINT. */
    static final byte[] SAMPLE_REQUEST = HexFormat.of().parseHex(
            "000100582112a442b7e7a701bc34d686fa87dfae"
            + "802200105354554e207465737420636c69656e74"
            + "002400046e0001ff"
            + "80290008932ff9b151263b36"
            + "000600096576746a3a68367659202020"
            + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004e57a3bcf");

    /** RFC 5769 §2.2: a Binding success response, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
    static final byte[] IPV4_RESPONSE = HexFormat.of().parseHex(
            "0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220"
            + "002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
            + "80280004c07d4c96");

    /** RFC 5769 §2.3: the same with 2001:db8:1234:5678:11:2233:4455:6677 port 32853. */
    static final byte[] IPV6_RESPONSE = HexFormat.of().parseHex(
            "010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220"
            + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
            + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41"
            + "80280004c8fb0b4c");

    /** RFC 5769 §2.4: a request with long-term authentication (USERNAME, NONCE, REALM, MI). */
    static final byte[] LONG_TERM_REQUEST = HexFormat.of().parseHex(
            "000100602112a44278ad3433c6ad72c029da412e"
            + "00060012e3839ee38388e383aae38383e382afe382b90000"
            + "0015001c662f2f3439396b39353464364f4c33346f4c39465354767936347341"
            + "0014000b6578616d706c652e6f726700"
            + "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666");

    final StunDecoder decoder = new StunDecoder();

    @Test
    void sampleRequest() {
        StunDecoder.Result r = decoder.decode(SAMPLE_REQUEST);
        assertTrue(r.ok(), r.error());
        StunMessage m = r.message();
        assertEquals(StunTypes.BINDING, m.method());
        assertEquals(StunTypes.REQUEST, m.messageClass());
        assertArrayEquals(HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae"), m.transactionId());
        assertEquals("STUN test client", m.get(StunTypes.SOFTWARE).orElseThrow().asText());
        assertEquals("evtj:h6vY", m.get(StunTypes.USERNAME).orElseThrow().asText());
        assertEquals(0x6e0001ffL, m.get(StunTypes.PRIORITY).orElseThrow().asU32());
        assertTrue(StunIntegrity.verify(m, StunIntegrity.shortTermKey(PASSWORD)), "MESSAGE-INTEGRITY");
        assertFalse(StunIntegrity.verify(m, StunIntegrity.shortTermKey("wrong")), "a wrong key fails");
        assertTrue(StunIntegrity.verifyFingerprint(m), "FINGERPRINT");
    }

    @Test
    void ipv4Response() throws Exception {
        StunMessage m = decoder.decode(IPV4_RESPONSE).message();
        assertEquals(StunTypes.SUCCESS, m.messageClass());
        assertEquals("test vector", m.get(StunTypes.SOFTWARE).orElseThrow().asText());
        assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853),
                XorAddress.decode(m.get(StunTypes.XOR_MAPPED_ADDRESS).orElseThrow().value(), m.transactionId()));
        assertTrue(StunIntegrity.verify(m, StunIntegrity.shortTermKey(PASSWORD)));
        assertTrue(StunIntegrity.verifyFingerprint(m));
    }

    @Test
    void ipv6Response() throws Exception {
        StunMessage m = decoder.decode(IPV6_RESPONSE).message();
        assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
                XorAddress.decode(m.get(StunTypes.XOR_MAPPED_ADDRESS).orElseThrow().value(), m.transactionId()));
        assertTrue(StunIntegrity.verify(m, StunIntegrity.shortTermKey(PASSWORD)));
        assertTrue(StunIntegrity.verifyFingerprint(m));
    }

    @Test
    void longTermAuthentication() {
        StunMessage m = decoder.decode(LONG_TERM_REQUEST).message();
        String user = m.get(StunTypes.USERNAME).orElseThrow().asText();
        assertEquals("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", user);
        assertEquals("f//499k954d6OL34oL9FSTvy64sA", m.get(StunTypes.NONCE).orElseThrow().asText());
        assertEquals("example.org", m.get(StunTypes.REALM).orElseThrow().asText());
        // The password after SASLprep is "TheMatrIX".
        assertTrue(StunIntegrity.verify(m, StunIntegrity.longTermKey(user, "example.org", "TheMatrIX")));
        assertFalse(StunIntegrity.verify(m, StunIntegrity.longTermKey(user, "example.org", "TheMatrix")));
        assertFalse(StunIntegrity.verifyFingerprint(m), "this vector has no FINGERPRINT");
    }

    @Test
    void ourEncodingOfTheSameContentVerifiesAndDecodesAlike() throws Exception {
        StunMessage ref = decoder.decode(IPV6_RESPONSE).message();
        byte[] ours = StunEncoder.answer(decoder.decode(SAMPLE_REQUEST).message(), StunTypes.SUCCESS)
                .add(StunAttribute.text(StunTypes.SOFTWARE, "test vector"))
                .add(StunTypes.XOR_MAPPED_ADDRESS, XorAddress.encode(
                        new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
                        ref.transactionId()))
                .integrity(StunIntegrity.shortTermKey(PASSWORD)).fingerprint().encode();
        assertEquals(IPV6_RESPONSE.length, ours.length);
        // Identical but for SOFTWARE's padding byte (the RFC pads with a space, we with zero),
        // which MESSAGE-INTEGRITY and FINGERPRINT cover.
        byte[] theirs = IPV6_RESPONSE.clone();
        theirs[20 + 4 + 11] = 0;
        StunMessage m = decoder.decode(ours).message();
        assertTrue(StunIntegrity.verify(m, StunIntegrity.shortTermKey(PASSWORD)));
        assertTrue(StunIntegrity.verifyFingerprint(m));
        assertArrayEquals(java.util.Arrays.copyOf(theirs, 20 + 16 + 24), java.util.Arrays.copyOf(ours, 20 + 16 + 24));
    }
}
