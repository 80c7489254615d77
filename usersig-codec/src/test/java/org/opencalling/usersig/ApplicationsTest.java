package org.opencalling.usersig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApplicationsTest {

    static Map<String, String> sources(String inline, String file) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("TRTC_APPS", inline);
        m.put("TRTC_APPS_FILE /run/secrets/apps", file);
        return m;
    }

    @Test
    void readsInlineAndFileTogether() {
        Applications apps = Applications.parse(sources(" 1400000001:abc , 1400000002:d:e:f ",
                "# a comment\n1400000003:ghi\r\n\n"));
        assertEquals(Set.of(1400000001L, 1400000002L, 1400000003L), apps.ids());
        assertNotNull(apps.find(1400000002L));
        // The secret is everything after the first colon, colons included.
        String sig = UserSigCodec.issue(apps.find(1400000002L), "u", 10, 0, null);
        Applications other = Applications.parse(Map.of("x", "1400000002:d:e:f"));
        assertEquals(UserSigResult.VALID, new UserSigVerifier(other).verify(1400000002L, "u", sig, 1).result());
    }

    @Test
    void emptyIsEmpty() {
        assertTrue(Applications.parse(sources(null, "")).isEmpty());
        assertFalse(Applications.parse(sources("1:k", null)).isEmpty());
    }

    @Test
    void errorsNameTheSourceAndEntryButNotTheSecret() {
        String m = assertThrows(Applications.ConfigurationException.class,
                () -> Applications.parse(sources("1:ok,abc:topsecret", null))).getMessage();
        assertEquals("TRTC_APPS entry 2: the SDKAppID (before the first ':') is not a number", m);
        // A secret holding a comma splits into a second "entry": its text must not be echoed.
        m = assertThrows(Applications.ConfigurationException.class,
                () -> Applications.parse(sources("1:top,secret:part", null))).getMessage();
        assertFalse(m.contains("secret"), m);
        m = assertThrows(Applications.ConfigurationException.class,
                () -> Applications.parse(sources(null, "1400000001topsecret"))).getMessage();
        assertEquals("TRTC_APPS_FILE /run/secrets/apps entry 1: expected sdkAppId:secretKey, found no ':'", m);
        m = assertThrows(Applications.ConfigurationException.class,
                () -> Applications.parse(sources("5:", null))).getMessage();
        assertTrue(m.contains("secret key of SDKAppID 5 is empty"), m);
        m = assertThrows(Applications.ConfigurationException.class,
                () -> Applications.parse(sources("-5:x", null))).getMessage();
        assertTrue(m.contains("must be positive"), m);
        m = assertThrows(Applications.ConfigurationException.class,
                () -> Applications.parse(sources("7:a", "7:b"))).getMessage();
        assertEquals("TRTC_APPS_FILE /run/secrets/apps entry 1: SDKAppID 7 is already defined by TRTC_APPS entry 1", m);
        assertFalse(Applications.parse(sources("7:topsecret", null)).find(7).toString().contains("topsecret"));
    }

    @Test
    void userIdRule() {
        assertTrue(UserIds.isValid("a"));
        assertTrue(UserIds.isValid("Az09_-"));
        assertTrue(UserIds.isValid("x".repeat(32)));
        assertFalse(UserIds.isValid("x".repeat(33)));
        assertFalse(UserIds.isValid(""));
        assertFalse(UserIds.isValid(null));
        assertFalse(UserIds.isValid("a b"));
        assertFalse(UserIds.isValid("é"));
        assertFalse(UserIds.isValid("a@b"));
    }
}
