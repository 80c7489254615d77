package org.opencalling.usersig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatJsonTest {
    @Test
    void readsStringsAndIntegers() {
        Map<String, Object> m = FlatJson.parseObject(" { \"a\" : \"x\\\"y\\u0041\\n\" , \"b\": -12, \"c\": 0 } ");
        assertEquals("x\"yA\n", m.get("a"));
        assertEquals(-12L, m.get("b"));
        assertEquals(0L, m.get("c"));
    }

    @Test
    void skipsOtherValues() {
        Map<String, Object> m = FlatJson.parseObject("{\"a\":[1,{\"b\":[]}],\"c\":1.5,\"d\":1e3,\"e\":true,\"f\":null}");
        assertEquals(5, m.size());
        assertEquals(FlatJson.Skipped.FRACTION, m.get("c"));
    }

    @Test
    void rejectsBadSyntax() {
        String[] bad = {"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":\"\\x\"}",
            "{\"a\":\"\u0001\"}", "{\"a\":1} x", "{\"a\":1,\"a\":2}", "{\"a\":tru}", "{\"a\":-}",
            "{\"a\":" + "[".repeat(50) + "]".repeat(50) + "}", "{\"a\":\"\\u12\"}", "[]", "{\"a\":1.}"};
        for (String s : bad) {
            assertNull(FlatJson.parseObject(s), s);
        }
    }

    @Test
    void bigIntegersAreNotValues() {
        assertEquals(FlatJson.Skipped.FRACTION, FlatJson.parseObject("{\"a\":12345678901234567890}").get("a"));
    }

    @Test
    void base64VariantRoundTrips() {
        java.util.Random r = new java.util.Random(1);
        for (int len = 0; len < 70; len++) {
            byte[] b = new byte[len];
            r.nextBytes(b);
            String s = SigBase64.encode(b, len);
            org.junit.jupiter.api.Assertions.assertArrayEquals(b, SigBase64.decode(s));
            if (s.contains("_")) {
                assertNull(SigBase64.decode(s.replace("_", "")), "padding is required");
            }
        }
        assertNull(SigBase64.decode("A"));
        assertNull(SigBase64.decode("AB_"));
        assertNull(SigBase64.decode("AB=="));
        assertNull(SigBase64.decode("AF__"), "non-zero leftover bits are not canonical");
    }
}
