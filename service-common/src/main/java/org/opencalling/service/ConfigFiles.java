package org.opencalling.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import io.smallrye.config.Expressions;
import org.eclipse.microprofile.config.ConfigProvider;

/** Reads a configuration file named by an environment variable, failing with a clear message. */
public final class ConfigFiles {
    private static final java.util.regex.Pattern WHOLE_EXPRESSION = java.util.regex.Pattern.compile("\\$\\{[^${}]*\\}");

    private ConfigFiles() {
    }

    /**
     * The two sources of a list setting, inline and from a file, keyed by how errors should
     * name them (e.g. "TRTC_APPS", "TRTC_APPS_FILE /run/secrets/apps").
     */
    public static Map<String, String> inlineAndFile(String inlineVariable, Optional<String> inline,
                                                    String fileVariable, Optional<String> file) {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put(inlineVariable, inline.orElse(null));
        sources.put(fileVariable + " " + file.orElse(""), read(fileVariable, file).orElse(null));
        return sources;
    }

    /**
     * A setting's text exactly as given: secrets may contain {@code $} or {@code ${...}}, which
     * SmallRye Config would otherwise expand as expressions.
     */
    public static Optional<String> raw(String property) {
        return Expressions.withoutExpansion(
                () -> ConfigProvider.getConfig().getOptionalValue(property, String.class));
    }

    /**
     * A secret given inline ({@code property}, e.g. TURN_SECRET) or in a file ({@code property}
     * + {@code .file}, e.g. TURN_SECRET_FILE: a mounted secret; one trailing line break is not
     * part of it). Inline wins; neither: empty. A property whose whole text is an expression
     * ({@code turn.secret=${TURN_SECRET:}} in a properties file) is expanded, not taken as the
     * secret: read raw, it would be the non-blank text {@code ${TURN_SECRET:}} and hide the file.
     */
    public static Optional<String> secret(String property, String variable) {
        Optional<String> inline = raw(property)
                .flatMap(v -> WHOLE_EXPRESSION.matcher(v).matches()
                        ? ConfigProvider.getConfig().getOptionalValue(property, String.class) : Optional.of(v))
                .filter(v -> !v.isBlank());
        if (inline.isPresent()) {
            return inline;
        }
        Optional<String> file = ConfigProvider.getConfig().getOptionalValue(property + ".file", String.class);
        return read(variable + "_FILE", file).map(v -> v.replaceFirst("\\r?\\n$", "")).filter(v -> !v.isBlank());
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
