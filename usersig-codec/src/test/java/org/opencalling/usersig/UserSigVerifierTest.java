package org.opencalling.usersig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class UserSigVerifierTest {
    static final long APP = 1400000001L;
    static final long OTHER_APP = 1400000002L;
    static final long T = 1_700_000_000L;

    final Applications apps = Applications.parse(Map.of("TRTC_APPS", APP + ":secret-one," + OTHER_APP + ":secret-two"));
    final UserSigVerifier verifier = new UserSigVerifier(apps);
    final AppKey key = apps.find(APP);

    UserSigResult verify(long app, String user, String sig, long now) {
        return verifier.verify(app, user, sig, now).result();
    }

    @Test
    void valid() {
        String sig = UserSigCodec.issue(key, "alice", 100, T, null);
        Verification v = verifier.verify(APP, "alice", sig, T + 50);
        assertEquals(UserSigResult.VALID, v.result());
        assertEquals(T + 100, v.expireAt());
    }

    @Test
    void expiredOnlyAfterTheLastValidSecond() {
        String sig = UserSigCodec.issue(key, "alice", 100, T, null);
        assertEquals(UserSigResult.VALID, verify(APP, "alice", sig, T + 100));
        assertEquals(UserSigResult.EXPIRED, verify(APP, "alice", sig, T + 101));
        assertEquals(T + 100, verifier.verify(APP, "alice", sig, T + 101).expireAt());
    }

    @Test
    void anotherUsersTicket() {
        String sig = UserSigCodec.issue(key, "alice", 100, T, null);
        assertEquals(UserSigResult.WRONG_USER, verify(APP, "mallory", sig, T));
        assertEquals(UserSigResult.WRONG_USER, verify(APP, "Alice", sig, T), "userIDs are case-sensitive");
    }

    @Test
    void anotherAppsTicket() {
        String sig = UserSigCodec.issue(apps.find(OTHER_APP), "alice", 100, T, null);
        assertEquals(UserSigResult.WRONG_APP, verify(APP, "alice", sig, T));
    }

    @Test
    void unknownApp() {
        String sig = UserSigCodec.issue(key, "alice", 100, T, null);
        assertEquals(UserSigResult.UNKNOWN_APP, verify(1234L, "alice", sig, T));
    }

    @Test
    void expiredButForgedIsBadSignatureNotExpired() {
        String sig = reencode(UserSigCodec.issue(key, "alice", 100, T, null),
                json -> json.replace("\"TLS.expire\":100", "\"TLS.expire\":99"));
        assertEquals(UserSigResult.BAD_SIGNATURE, verify(APP, "alice", sig, T + 1000));
    }

    @Test
    void tamperedInEachSignedField() {
        String good = UserSigCodec.issue(key, "alice", 100, T, new byte[] {1, 2, 3});
        Map<String, UnaryOperator<String>> tamperings = new LinkedHashMap<>();
        tamperings.put("identifier", j -> j.replace("\"alice\"", "\"alicf\""));
        tamperings.put("time", j -> j.replace("\"TLS.time\":" + T, "\"TLS.time\":" + (T + 1)));
        tamperings.put("expire", j -> j.replace("\"TLS.expire\":100", "\"TLS.expire\":1000000"));
        tamperings.put("userbuf", j -> j.replace("\"AQID\"", "\"AQIE\""));
        tamperings.put("userbuf removed", j -> j.replace(",\"TLS.userbuf\":\"AQID\"", ""));
        tamperings.put("sig", j -> {
            int at = j.indexOf("\"TLS.sig\":\"") + 11;
            return j.substring(0, at) + (j.charAt(at) == 'A' ? 'B' : 'A') + j.substring(at + 1);
        });
        tamperings.put("sig dropped a char", j -> j.replaceFirst("\"TLS.sig\":\"(.)", "\"TLS.sig\":\""));
        for (Map.Entry<String, UnaryOperator<String>> t : tamperings.entrySet()) {
            String sig = reencode(good, t.getValue());
            DecodedUserSig d = UserSigCodec.decode(sig);
            assertNotNull(d, t.getKey());
            assertEquals(UserSigResult.BAD_SIGNATURE, verify(APP, d.identifier(), sig, T), t.getKey());
        }
        // sdkappid tampered to another configured app: the other app's key does not match.
        String movedApp = reencode(good, j -> j.replace("\"TLS.sdkappid\":" + APP, "\"TLS.sdkappid\":" + OTHER_APP));
        assertEquals(UserSigResult.BAD_SIGNATURE, verify(OTHER_APP, "alice", movedApp, T));
        assertEquals(UserSigResult.WRONG_APP, verify(APP, "alice", movedApp, T));
        assertEquals(UserSigResult.VALID, verify(APP, "alice", good, T), "the untampered ticket still passes");
    }

    @Test
    void malformed() {
        String good = UserSigCodec.issue(key, "alice", 100, T, null);
        String[] bad = {
            "", // empty
            good.substring(0, good.length() / 2), // truncated
            good.substring(0, good.length() - 1), // one character short
            good + "AAAA", // trailing data after the zlib stream
            "not base64!!", // characters outside the alphabet
            "aGVsbG8gd29ybGQ_", // base64 of text that is not zlib
            SigBase64.encode(deflate("{not json"), deflate("{not json").length), // zlib, not JSON
            SigBase64.encode(deflate("[1,2]"), deflate("[1,2]").length), // JSON, not an object
            reencode(good, j -> j.replace("\"TLS.ver\":\"2.0\"", "\"TLS.ver\":\"1.0\"")), // wrong version
            reencode(good, j -> j.replace("\"TLS.time\":" + T, "\"TLS.time\":\"" + T + "\"")), // wrong type
            reencode(good, j -> j.replace(",\"TLS.expire\":100", "")), // missing field
            reencode(good, j -> j.replace("\"TLS.expire\":100", "\"TLS.expire\":-5")), // negative
            reencode(good, j -> j.replace("}", ",\"TLS.sig\":\"x\"}")), // duplicate key
            "A".repeat(UserSigCodec.MAX_USERSIG_CHARS + 4), // too long
            SigBase64.encode(deflate(" ".repeat(100_000)), deflate(" ".repeat(100_000)).length), // zip bomb
        };
        for (int i = 0; i < bad.length; i++) {
            Verification v = verifier.verify(APP, "alice", bad[i], T);
            assertEquals(UserSigResult.MALFORMED, v.result(), "case " + i);
            assertEquals(-1, v.expireAt(), "case " + i);
        }
        assertEquals(UserSigResult.MALFORMED, verify(APP, "alice", null, T));
    }

    @Test
    void malformedIsReportedBeforeUnknownApp() {
        assertEquals(UserSigResult.MALFORMED, verify(99L, "alice", "###", T));
    }

    @Test
    void unknownExtraFieldsAreIgnoredButStillSigned() {
        String sig = reencode(UserSigCodec.issue(key, "alice", 100, T, null),
                j -> j.replace("{", "{\"extra\":{\"a\":[1,2.5,true,null]},"));
        assertEquals(UserSigResult.VALID, verify(APP, "alice", sig, T));
    }

    @Test
    void randomMutationsNeverThrow() {
        java.util.Random random = new java.util.Random(42);
        String good = UserSigCodec.issue(key, "alice", 100, T, new byte[] {9, 8, 7});
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-_+/=";
        DecodedUserSig original = UserSigCodec.decode(good);
        int forged = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder(good);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int pos = random.nextInt(s.length());
                switch (random.nextInt(3)) {
                    case 0 -> s.setCharAt(pos, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> s.deleteCharAt(pos);
                    default -> s.insert(pos, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            UserSigResult r = verify(APP, "alice", s.toString(), T);
            // A mutation may only pass if it changed nothing that is read (e.g. unused deflate bits).
            if (r == UserSigResult.VALID && !original.equals(UserSigCodec.decode(s.toString()))) {
                forged++;
            }
        }
        assertEquals(0, forged, "no mutation of a ticket may verify with different content");
    }

    static String reencode(String sig, UnaryOperator<String> edit) {
        String json;
        try {
            json = TencentCompatibilityTest.inflateJsonText(sig);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        String edited = edit.apply(json);
        assertNotNull(edited);
        if (edited.equals(json)) {
            throw new AssertionError("edit changed nothing in " + json);
        }
        byte[] z = deflate(edited);
        return SigBase64.encode(z, z.length);
    }

    static byte[] deflate(String text) {
        Deflater d = new Deflater();
        d.setInput(text.getBytes(StandardCharsets.UTF_8));
        d.finish();
        byte[] out = new byte[text.length() + 1024];
        int n = d.deflate(out);
        d.end();
        return java.util.Arrays.copyOf(out, n);
    }

    @Test
    void lineBreaksCannotShiftSignedTextBetweenFields() {
        // A ticket for an identifier smuggling field lines, as a lax issuer might sign it...
        long t = T;
        long e = 60;
        String smuggled = "bob\nTLS.sdkappid:" + APP + "\nTLS.time:0\nTLS.expire:9999999999\nTLS.userbuf:x";
        String sig = key.sign(smuggled, t, e, null);
        // ...has the same signed text as a ticket for "bob" valid until the year 2286.
        String userBuf = "x\nTLS.sdkappid:" + APP + "\nTLS.time:" + t + "\nTLS.expire:" + e;
        org.junit.jupiter.api.Assertions.assertEquals(sig, key.sign("bob", 0, 9999999999L, userBuf),
                "premise: the signed texts are identical");
        String forged = "{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"bob\",\"TLS.sdkappid\":" + APP
                + ",\"TLS.expire\":9999999999,\"TLS.time\":0,\"TLS.userbuf\":\""
                + userBuf.replace("\n", "\\n") + "\",\"TLS.sig\":\"" + sig + "\"}";
        byte[] z = deflate(forged);
        assertEquals(UserSigResult.MALFORMED, verify(APP, "bob", SigBase64.encode(z, z.length), T + 1000));
        String original = "{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"" + smuggled.replace("\n", "\\n")
                + "\",\"TLS.sdkappid\":" + APP + ",\"TLS.expire\":60,\"TLS.time\":" + T + ",\"TLS.sig\":\"" + sig + "\"}";
        z = deflate(original);
        assertNull(UserSigCodec.decode(SigBase64.encode(z, z.length)), "control characters in identifiers are refused");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> UserSigCodec.issue(key, smuggled, 60, T, null));
    }

    @Test
    void issueNeverMakesWhatDecodeRefuses() {
        // The largest inputs issue accepts (multi-byte identifier, incompressible userbuf) still decode.
        byte[] noise = new byte[UserSigCodec.MAX_USERBUF_BYTES];
        new java.util.Random(3).nextBytes(noise);
        String wide = "\u00e9".repeat(UserSigCodec.MAX_IDENTIFIER_CHARS);
        assertEquals(UserSigResult.VALID, verify(APP, wide, UserSigCodec.issue(key, wide, 60, T, noise), T));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> UserSigCodec.issue(key, "a", Long.MAX_VALUE, T, null));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> UserSigCodec.issue(key, "a", 60, -1, null));
        String longest = UserSigCodec.issue(key, "x".repeat(UserSigCodec.MAX_IDENTIFIER_CHARS), 60, T,
                new byte[UserSigCodec.MAX_USERBUF_BYTES]);
        assertEquals(UserSigResult.VALID, verify(APP, "x".repeat(UserSigCodec.MAX_IDENTIFIER_CHARS), longest, T));
    }

    @Test
    void decodeOfNullIsNull() {
        assertNull(UserSigCodec.decode(null));
    }
}
