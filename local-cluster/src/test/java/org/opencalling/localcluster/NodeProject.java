package org.opencalling.localcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Node project of {@code src/test}, copied under {@code target/} (its node_modules stay out of
 * the sources) and run there; every command's output goes to one log. Needs node and npm.
 */
final class NodeProject {
    final Path dir;
    final Path log;

    private NodeProject(Path dir) {
        this.dir = dir;
        this.log = dir.resolve("run.log");
    }

    /** Copies {@code source} (without node_modules) to {@code dir}. */
    static NodeProject copy(Path source, Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path rel = source.relativize(p);
                if (rel.toString().startsWith("node_modules")) {
                    continue;
                }
                Path dest = dir.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        NodeProject project = new NodeProject(dir);
        Files.deleteIfExists(project.log); // one run's output only
        return project;
    }

    /** Runs a command in the project; throws with the log's last lines unless it exits 0 in time. */
    void run(Duration timeout, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        b.environment().putAll(env);
        Process p = b.start();
        boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (!ended || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + (ended ? " failed" : " timed out")
                    + " (node and npm are needed: apt-get install nodejs npm). Last lines of " + log + ":\n" + tail(80));
        }
    }

    String tail(int lines) throws IOException {
        List<String> all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
