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
