package org.opencalling.usersigservice.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.opencalling.usersig.ConfigEntries;

/**
 * Backend clients allowed to take tokens: entries {@code clientId:clientSecret:scopes}, split at
 * the first two colons, scopes joined by {@code +}, entries separated by commas or line breaks.
 */
public final class BackendClients {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    public record Client(String id, byte[] secretDigest, Set<String> scopes) {
    }

    private final Map<String, Client> clients;

    private BackendClients(Map<String, Client> clients) {
        this.clients = Collections.unmodifiableMap(clients);
    }

    public int size() {
        return clients.size();
    }

    /** The client if id and secret match, else {@code null}; compares in constant time. */
    public Client authenticate(String id, String secret) {
        Client c = clients.get(id);
        byte[] given = sha256(secret);
        // Compare digests even for unknown ids so timing does not reveal which ids exist.
        byte[] expected = c == null ? sha256("\u0000unknown") : c.secretDigest();
        boolean match = MessageDigest.isEqual(expected, given);
        return c != null && match ? c : null;
    }

    public static BackendClients parse(Map<String, String> sources) {
        Map<String, Client> clients = new LinkedHashMap<>();
        ConfigEntries.forEach(sources, (where, entry) -> {
            int a = entry.indexOf(':');
            int b = a < 0 ? -1 : entry.indexOf(':', a + 1);
            if (b < 0) {
                throw new IllegalArgumentException(where + ": expected clientId:clientSecret:scopes");
            }
            String id = entry.substring(0, a);
            String secret = entry.substring(a + 1, b);
            String scopeText = entry.substring(b + 1);
            if (!ID.matcher(id).matches()) {
                // Not echoed: with a mistyped separator the "id" may hold the secret.
                throw new IllegalArgumentException(where + ": the client id (before the first ':') "
                        + "must be 1-64 letters, digits, '.', '_' or '-'");
            }
            if (secret.isEmpty()) {
                throw new IllegalArgumentException(where + ": the secret of client " + id + " is empty");
            }
            Set<String> scopes = new LinkedHashSet<>();
            for (String s : scopeText.split("\\+")) {
                if (!SCOPE.matcher(s).matches()) {
                    throw new IllegalArgumentException(where + ": scope '" + s + "' of client " + id
                            + " is not a valid scope (e.g. calls:write+calls:read)");
                }
                scopes.add(s);
            }
            if (clients.putIfAbsent(id, new Client(id, sha256(secret), Set.copyOf(scopes))) != null) {
                throw new IllegalArgumentException(where + ": client " + id + " is defined twice");
            }
        });
        return new BackendClients(clients);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
