package org.opencalling.usersigservice.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads a configuration file named by an environment variable, failing with a clear message. */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    public static Optional<String> read(String variable, Optional<String> path) {
        if (path.isEmpty() || path.get().isBlank()) {
            return Optional.empty();
        }
        Path p = Path.of(path.get().trim());
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(variable + "=" + p + " cannot be read: " + e, e);
        }
    }
}
