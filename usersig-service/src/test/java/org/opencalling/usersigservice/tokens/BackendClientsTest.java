package org.opencalling.usersigservice.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackendClientsTest {

    static BackendClients parse(String inline, String file) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("BACKEND_CLIENTS", inline);
        m.put("BACKEND_CLIENTS_FILE /s", file);
        return BackendClients.parse(m);
    }

    @Test
    void splitsAtTheFirstTwoColonsAndScopesAtPlus() {
        BackendClients c = parse("crm:s3cret:calls:write+calls:read", "# comment\nops:pw:presence:read\n");
        assertEquals(2, c.size());
        BackendClients.Client crm = c.authenticate("crm", "s3cret");
        assertNotNull(crm);
        assertEquals(Set.of("calls:write", "calls:read"), crm.scopes());
        assertEquals(Set.of("presence:read"), c.authenticate("ops", "pw").scopes());
    }

    @Test
    void wrongSecretOrUnknownClientIsNull() {
        BackendClients c = parse("crm:s3cret:calls:write", null);
        assertNull(c.authenticate("crm", "s3cre"));
        assertNull(c.authenticate("crm", "s3cret "));
        assertNull(c.authenticate("nobody", "s3cret"));
        assertNull(c.authenticate("nobody", "\u0000unknown"), "the dummy digest never authenticates");
    }

    @Test
    void malformedEntriesNameThePlaceNotTheSecret() {
        String m = assertThrows(IllegalArgumentException.class, () -> parse("a:b:c,crm:hunter2", null)).getMessage();
        assertEquals("BACKEND_CLIENTS entry 2: expected clientId:clientSecret:scopes", m);
        m = assertThrows(IllegalArgumentException.class, () -> parse(null, "bad id:x:calls:read")).getMessage();
        assertTrue(m.startsWith("BACKEND_CLIENTS_FILE /s entry 1: the client id"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parse("crm hunter2:calls:write", null)).getMessage();
        assertFalse(m.contains("hunter2"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parse("crm::calls:read", null)).getMessage();
        assertTrue(m.contains("secret of client crm is empty"), m);
        m = assertThrows(IllegalArgumentException.class, () -> parse("crm:hunter2:calls:read++x", null)).getMessage();
        assertTrue(m.contains("scope '' of client crm"), m);
        assertFalse(m.contains("hunter2"));
        m = assertThrows(IllegalArgumentException.class, () -> parse("crm:a:x", "crm:b:y")).getMessage();
        assertTrue(m.contains("client crm is defined twice"), m);
    }
}
