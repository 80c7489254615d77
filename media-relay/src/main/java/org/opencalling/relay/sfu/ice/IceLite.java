package org.opencalling.relay.sfu.ice;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunIntegrity;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;
import org.opencalling.stun.XorAddress;

/**
 * The SFU's side of ICE: a lite agent (RFC 8445 §2.5) with host candidates only, so it only
 * answers connectivity checks. A check is a Binding request whose USERNAME is
 * "ourUfrag:theirUfrag" and whose MESSAGE-INTEGRITY is keyed with our password (short-term
 * credentials); the answer carries the address we saw, so the browser learns its mapped address.
 */
public final class IceLite {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** Our ufrag and password for one participant (RFC 8839 §5.4: ufrag 4+, password 22+ ice-chars). */
    public record Credentials(String ufrag, String pwd) {
        public static Credentials random() {
            return new Credentials(randomText(8), randomText(24));
        }

        byte[] key() {
            return StunIntegrity.shortTermKey(pwd);
        }
    }

    /** A check that authenticated: the answer to send, and whether the browser nominated this pair. */
    public record Check(byte[] response, boolean nominated) {
    }

    private IceLite() {
    }

    /** Our ufrag in a Binding request's USERNAME ("ours:theirs"), or null if it has none. */
    public static String localUfrag(StunMessage m) {
        if (m.method() != StunTypes.BINDING || m.messageClass() != StunTypes.REQUEST) {
            return null;
        }
        String username = m.get(StunTypes.USERNAME).map(a -> a.asText()).orElse(null);
        if (username == null) {
            return null;
        }
        int colon = username.indexOf(':');
        return colon > 0 ? username.substring(0, colon) : null;
    }

    /** The answer to a check with these credentials, or null if it does not authenticate. */
    public static Check check(StunMessage m, Credentials ours, InetSocketAddress from) {
        if (!ours.ufrag().equals(localUfrag(m)) || !m.has(StunTypes.MESSAGE_INTEGRITY)
                || (m.has(StunTypes.FINGERPRINT) && !StunIntegrity.verifyFingerprint(m))) {
            return null;
        }
        byte[] key = ours.key();
        if (!StunIntegrity.verify(m, key)) {
            return null;
        }
        byte[] response = StunEncoder.answer(m, StunTypes.SUCCESS)
                .add(StunTypes.XOR_MAPPED_ADDRESS, XorAddress.encode(from, m.transactionId()))
                .integrity(key).fingerprint().encode();
        return new Check(response, m.has(StunTypes.USE_CANDIDATE));
    }

    /**
     * A check of our own (a return-routability probe) to a browser at an address it asked to
     * move to: USERNAME "theirUfrag:ourUfrag", keyed with the browser's password, with the
     * PRIORITY and ICE-CONTROLLED a check carries. Only a browser really at that address can
     * answer it, since the transaction id goes nowhere else.
     */
    public static byte[] probe(Credentials ours, String theirUfrag, String theirPwd, byte[] transactionId) {
        byte[] priority = java.nio.ByteBuffer.allocate(4).putInt(2130706431).array();
        byte[] tieBreaker = new byte[8];
        RANDOM.nextBytes(tieBreaker);
        return StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, transactionId)
                .add(StunTypes.USERNAME, (theirUfrag + ":" + ours.ufrag()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .add(StunTypes.PRIORITY, priority)
                .add(StunTypes.ICE_CONTROLLED, tieBreaker)
                .integrity(StunIntegrity.shortTermKey(theirPwd)).fingerprint().encode();
    }

    /** A fresh transaction id for a probe. */
    public static byte[] transactionId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return id;
    }

    /** Whether this is the browser's success answer to our probe with that transaction id. */
    public static boolean answersProbe(StunMessage m, byte[] transactionId, String theirPwd) {
        return m.method() == StunTypes.BINDING && m.messageClass() == StunTypes.SUCCESS
                && java.security.MessageDigest.isEqual(m.transactionId(), transactionId)
                && m.has(StunTypes.MESSAGE_INTEGRITY) && StunIntegrity.verify(m, StunIntegrity.shortTermKey(theirPwd));
    }

    /** Decodes a datagram if it is a STUN message (null otherwise). */
    public static StunMessage decode(StunDecoder decoder, byte[] b, int off, int len) {
        StunDecoder.Result r = decoder.decode(b, off, len);
        return r.ok() ? r.message() : null;
    }

    static String randomText(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length())));
        }
        return s.toString();
    }
}
