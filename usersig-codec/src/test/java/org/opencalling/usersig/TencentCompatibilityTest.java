package org.opencalling.usersig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tencentyun.TLSSigAPIv2;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.zip.Inflater;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/** Both directions against Tencent's reference library, com.github.tencentyun:tls-sig-api-v2:2.0. */
class TencentCompatibilityTest {
    static final long APP = 1400000001L;
    static final String SECRET = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    final TLSSigAPIv2 tencent = new TLSSigAPIv2(APP, SECRET);
    final AppKey key = new AppKey(APP, SECRET);
    final UserSigVerifier verifier = new UserSigVerifier(Applications.parse(Map.of("TRTC_APPS", APP + ":" + SECRET)));

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void tencentTicketsVerifyInOurs() {
        for (String user : new String[] {"alice", "user_01", "A-b_9", "x".repeat(32)}) {
            String sig = tencent.genUserSig(user, 86400);
            Verification v = verifier.verify(APP, user, sig, now());
            assertEquals(UserSigResult.VALID, v.result(), user);
            DecodedUserSig d = UserSigCodec.decode(sig);
            assertNotNull(d);
            assertEquals(d.time() + 86400, v.expireAt());
        }
    }

    @Test
    void tencentTicketsWithUserBufVerifyInOurs() {
        // genPrivateMapKey is the reference's path that fills TLS.userbuf.
        String sig = tencent.genPrivateMapKey("bob", 3600, 1234, 255);
        DecodedUserSig d = UserSigCodec.decode(sig);
        assertNotNull(d);
        assertNotNull(d.userBuf(), "the reference put a userbuf in");
        assertEquals(UserSigResult.VALID, verifier.verify(APP, "bob", sig, now()).result());
        assertEquals(UserSigResult.WRONG_USER, verifier.verify(APP, "bobby", sig, now()).result());
    }

    @Test
    void tencentTicketsAreRefusedForAnotherSecret() {
        String sig = new TLSSigAPIv2(APP, "another-secret").genUserSig("alice", 86400);
        assertEquals(UserSigResult.BAD_SIGNATURE, verifier.verify(APP, "alice", sig, now()).result());
    }

    @Test
    void oursDecodeToTheSameFieldsAsTencents() throws Exception {
        JSONObject theirs = inflateJson(tencent.genUserSig("carol", 600));
        JSONObject ours = inflateJson(UserSigCodec.issue(key, "carol", 600, now(), null));
        assertEquals(theirs.keySet(), ours.keySet());
        assertEquals(Set.of("TLS.ver", "TLS.identifier", "TLS.sdkappid", "TLS.expire", "TLS.time", "TLS.sig"),
                ours.keySet());
        for (String field : new String[] {"TLS.ver", "TLS.identifier", "TLS.sdkappid", "TLS.expire"}) {
            assertEquals(theirs.get(field).toString(), ours.get(field).toString(), field);
            assertEquals(theirs.get(field).getClass(), ours.get(field).getClass(), field + " JSON type");
        }
    }

    @Test
    void oursCarryTheHmacTencentComputes() throws Exception {
        long t = now();
        JSONObject ours = inflateJson(UserSigCodec.issue(key, "dave", 86400, t, null));
        assertEquals(tencentHmac("dave", t, 86400, null), ours.getString("TLS.sig"));
    }

    @Test
    void oursWithUserBufCarryTheHmacTencentComputes() throws Exception {
        long t = now();
        byte[] userBuf = tencent.genUserBuf("erin", APP, 42, 3600, 255, "");
        JSONObject ours = inflateJson(UserSigCodec.issue(key, "erin", 3600, t, userBuf));
        String b64 = ours.getString("TLS.userbuf");
        assertEquals(Base64.getEncoder().encodeToString(userBuf), b64);
        assertEquals(tencentHmac("erin", t, 3600, b64), ours.getString("TLS.sig"));
        assertEquals(UserSigResult.VALID,
                verifier.verify(APP, "erin", UserSigCodec.issue(key, "erin", 3600, t, userBuf), t).result());
    }

    @Test
    void sameInputsGiveTheSameSignatureAsTencentsTicket() {
        String theirs = tencent.genUserSig("frank", 1000);
        DecodedUserSig d = UserSigCodec.decode(theirs);
        assertNotNull(d);
        DecodedUserSig ours = UserSigCodec.decode(UserSigCodec.issue(key, "frank", 1000, d.time(), null));
        assertEquals(d, ours, "every field, signature included, equal for the same inputs");
        String oursText = UserSigCodec.issue(key, "frank", 1000, d.time(), null);
        assertTrue(oursText.length() <= theirs.length() + 8,
                "compressed about as well as the reference: " + oursText.length() + " vs " + theirs.length());
        assertFalse(theirs.contains("+") || theirs.contains("/") || theirs.contains("="));
        assertTrue(theirs.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '*' || c == '-' || c == '_'));
    }

    private String tencentHmac(String id, long time, long expire, String b64UserBuf) throws Exception {
        Method m = TLSSigAPIv2.class.getDeclaredMethod("hmacsha256", String.class, long.class, long.class, String.class);
        m.setAccessible(true);
        return (String) m.invoke(tencent, id, time, expire, b64UserBuf);
    }

    /** Decodes with the JDK and org.json only, independent of our decoder. */
    static JSONObject inflateJson(String sig) throws Exception {
        return new JSONObject(inflateJsonText(sig));
    }

    static String inflateJsonText(String sig) throws Exception {
        String std = sig.replace('*', '+').replace('-', '/').replace('_', '=');
        byte[] compressed = Base64.getDecoder().decode(std);
        Inflater inflater = new Inflater();
        inflater.setInput(compressed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[512];
        while (!inflater.finished()) {
            int n = inflater.inflate(buf);
            out.write(buf, 0, n);
        }
        inflater.end();
        return out.toString(StandardCharsets.UTF_8);
    }
}
