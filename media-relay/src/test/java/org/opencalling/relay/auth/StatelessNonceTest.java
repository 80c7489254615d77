package org.opencalling.relay.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class StatelessNonceTest {
    final StatelessNonce nonces = new StatelessNonce("test-key".getBytes(), 60_000);

    @Test
    void validThenStaleForTheSameClientOnly() {
        String n = nonces.issue("198.51.100.7:5000/udp", 1_000);
        assertEquals(StatelessNonce.Check.VALID, nonces.check(n, "198.51.100.7:5000/udp", 60_999));
        assertEquals(StatelessNonce.Check.STALE, nonces.check(n, "198.51.100.7:5000/udp", 61_000), "438 then");
        assertEquals(StatelessNonce.Check.INVALID, nonces.check(n, "198.51.100.8:5000/udp", 2_000), "another client");
        assertNotEquals(n, nonces.issue("198.51.100.7:5000/udp", 2_000));
    }

    @Test
    void forgedOrGarbledNoncesAreInvalid() {
        String n = nonces.issue("c", 0);
        char[] c = n.toCharArray();
        c[c.length - 1] = c[c.length - 1] == 'A' ? 'B' : 'A';
        assertEquals(StatelessNonce.Check.INVALID, nonces.check(new String(c), "c", 1));
        assertEquals(StatelessNonce.Check.INVALID, nonces.check("not base64!", "c", 1));
        assertEquals(StatelessNonce.Check.INVALID, nonces.check("", "c", 1));
        assertEquals(StatelessNonce.Check.INVALID, nonces.check(n + "AAAA", "c", 1));
        // Another process's key (a restart with a random key): not valid, the client gets a fresh one.
        assertEquals(StatelessNonce.Check.INVALID, StatelessNonce.withRandomKey(60_000).check(n, "c", 1));
    }
}
