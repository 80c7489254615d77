package org.opencalling.usersig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The configured applications, SDKAppID → secret key, read from {@code TRTC_APPS} (inline) and
 * {@code TRTC_APPS_FILE} (a mounted secret). Entries are {@code sdkAppId:secretKey}, separated
 * by commas or line breaks. A malformed entry is an error naming the source and the entry's
 * position, never the secret.
 */
public final class Applications {
    private final Map<Long, AppKey> keys;

    private Applications(Map<Long, AppKey> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    public AppKey find(long sdkAppId) {
        return keys.get(sdkAppId);
    }

    public Set<Long> ids() {
        return keys.keySet();
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** Thrown for configuration that cannot be used; the message says what and where. */
    public static final class ConfigurationException extends RuntimeException {
        public ConfigurationException(String message) {
            super(message);
        }
    }

    /**
     * Reads several sources (name → text, e.g. {@code "TRTC_APPS"} → its value); the same
     * SDKAppID may appear only once across all of them.
     */
    public static Applications parse(Map<String, String> sources) {
        Map<Long, AppKey> keys = new LinkedHashMap<>();
        Map<Long, String> origin = new LinkedHashMap<>();
        ConfigEntries.forEach(sources, (where, entry) -> {
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new ConfigurationException(where + ": expected sdkAppId:secretKey, found no ':'");
            }
            String idText = entry.substring(0, colon).strip();
            String secret = entry.substring(colon + 1).strip();
            long id;
            try {
                id = Long.parseLong(idText);
            } catch (NumberFormatException e) {
                // The text is not echoed: a mistyped separator can put part of a secret here.
                throw new ConfigurationException(where + ": the SDKAppID (before the first ':') is not a number");
            }
            if (!SdkAppIds.isValid(id)) {
                throw new ConfigurationException(where + ": SDKAppID " + id
                        + " must be positive and at most " + SdkAppIds.MAX_DIGITS + " digits");
            }
            if (secret.isEmpty()) {
                throw new ConfigurationException(where + ": the secret key of SDKAppID " + id + " is empty");
            }
            String previous = origin.putIfAbsent(id, where);
            if (previous != null) {
                throw new ConfigurationException(where + ": SDKAppID " + id + " is already defined by " + previous);
            }
            keys.put(id, new AppKey(id, secret));
        });
        return new Applications(keys);
    }
}
