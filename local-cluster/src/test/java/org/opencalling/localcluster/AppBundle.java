package org.opencalling.localcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        copy(SOURCE, DIR);
        Path log = DIR.resolve("build.log");
        run(log, "npm", "ci", "--no-audit", "--no-fund");
        run(log, "npm", "install", "--no-save", "--no-audit", "--no-fund", "trtc-calling-js@file:" + tarball.toAbsolutePath());
        run(log, "node", "build.js");
        if (!Files.isRegularFile(DIR.resolve("dist/app.js"))) {
            throw new IllegalStateException("webpack made no dist/app.js; see " + log);
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

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void run(Path log, String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).directory(DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException(String.join(" ", command) + " failed (node and npm are needed: apt-get install"
                    + " nodejs npm). Last lines of " + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
    }
}
