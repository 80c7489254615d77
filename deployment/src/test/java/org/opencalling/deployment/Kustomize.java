package org.opencalling.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a k8s/ overlay with the real {@code kubectl kustomize} (the one on PATH, or $KUBECTL).
 * The manifests are written for every kustomize from v2.0.3 (Debian's kubernetes-client, which
 * .ci/run installs when kubectl is missing) to v5.
 */
final class Kustomize {
    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** Every object the overlay renders, in order. */
    static List<JsonNode> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Kustomize::run);
    }

    static String kubectl() {
        String configured = System.getenv("KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("kubectl is needed to render k8s/ (Debian/Ubuntu: apt-get install "
                + "kubernetes-client, or any kubectl 1.14+; or set KUBECTL)");
    }

    private static List<JsonNode> run(String overlay) {
        Path dir = ServiceConfig.ROOT.resolve("k8s/overlays").resolve(overlay);
        try {
            Path out = Files.createTempFile("kustomize-" + overlay, ".yaml");
            Path err = Files.createTempFile("kustomize-" + overlay, ".err");
            try {
                Process p = new ProcessBuilder(kubectl(), "kustomize", dir.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + dir + " took over 120 s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + dir + " failed (" + p.exitValue() + "):\n"
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                List<JsonNode> objects = new ArrayList<>();
                try (MappingIterator<JsonNode> docs = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
                        .readValues(out.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                            objects.add(doc);
                        }
                    }
                }
                return List.copyOf(objects);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("kubectl kustomize " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
