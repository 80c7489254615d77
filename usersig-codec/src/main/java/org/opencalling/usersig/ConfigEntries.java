package org.opencalling.usersig;

import java.util.Map;

/**
 * The list format shared by {@code TRTC_APPS} and {@code BACKEND_CLIENTS} (and their files):
 * entries separated by commas or line breaks, blank entries and {@code #} comments skipped.
 * Each entry is handed over with where it came from ("TRTC_APPS entry 2") for error messages.
 */
public final class ConfigEntries {
    private ConfigEntries() {
    }

    @FunctionalInterface
    public interface Consumer {
        void accept(String where, String entry);
    }

    /** @param sources source name (e.g. the variable) → its text; null texts are skipped */
    public static void forEach(Map<String, String> sources, Consumer consumer) {
        for (Map.Entry<String, String> source : sources.entrySet()) {
            if (source.getValue() == null) {
                continue;
            }
            int position = 0;
            for (String raw : source.getValue().split("[,\\r\\n]")) {
                String entry = raw.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                position++;
                consumer.accept(source.getKey() + " entry " + position, entry);
            }
        }
    }
}
