package org.opencalling.localcluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The test app of {@code src/test/app} built as its developer would: copied to {@code target/app},
 * its webpack installed from its lockfile ({@code npm ci}), OpenCalling's SDK installed from the
 * tarball the web-client build leaves ({@code npm install trtc-calling-js@file:…}: the alias is
 * the only change an app makes), and bundled ({@code node build.js}). Needs node and npm.
 */
final class AppBundle {
    static final Path SOURCE = Path.of("src/test/app");
    static final Path DIR = Path.of("target/app");

    private AppBundle() {
    }

    /** Builds the app; returns its directory (index.html, script.html, dist/, src/). */
    static Path build() throws Exception {
        Path tarball = sdkTarball();
        NodeProject app = NodeProject.copy(SOURCE, DIR);
        Duration limit = Duration.ofMinutes(5);
        app.run(limit, Map.of(), "npm", "ci", "--no-audit", "--no-fund");
        app.run(limit, Map.of(), "npm", "install", "--no-save", "--no-audit", "--no-fund", "trtc-calling-js@file:" + tarball.toAbsolutePath());
        app.run(limit, Map.of(), "node", "build.js");
        if (!Files.isRegularFile(DIR.resolve("dist/app.js"))) {
            throw new IllegalStateException("webpack made no dist/app.js; see " + app.log);
        }
        return DIR;
    }

    /** The npm package web-client's build made (./mvnw package). */
    static Path sdkTarball() throws Exception {
        Path target = LocalCluster.findRoot().resolve("web-client/target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("opencalling-trtc-calling-.*\\.tgz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no SDK tarball in " + target + ": build web-client first"));
        }
    }
}
