package org.opencalling.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Podman and podman-compose as the tests run them: as root, with the project's containers.conf
 * (runc, no default ulimits), every command's output kept for the failure message. Docker users
 * never need this: the files stay Docker's.
 */
final class Podman {
    static final Path CONTAINERS_CONF = ServiceConfig.ROOT.resolve("deployment/src/test/containers/containers.conf");

    /** What a command printed (stdout and stderr together) and how it ended. */
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        Result orThrow(List<String> command) {
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ":\n" + tail(output));
            }
            return this;
        }
    }

    private final Map<String, String> env;

    /** {@code env}: variables the Compose file interpolates (RELAY_PUBLIC_HOST and the like). */
    Podman(Map<String, String> env) {
        this.env = env;
    }

    /** Why this machine cannot run the containers, or null if it can. */
    static String missing() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "Podman runs the containers as root here (rootless needs newuidmap and a systemd user session)";
        }
        for (String tool : List.of("podman", "podman-compose", "runc", "debootstrap")) {
            if (!onPath(tool)) {
                return tool + " is not installed (apt-get install -y podman runc podman-compose debootstrap)";
            }
        }
        return null;
    }

    /** On PATH, or in /usr/sbin (runc and debootstrap live there; a non-login PATH may lack it). */
    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin";
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    Result podman(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return run(command, timeout);
    }

    Result run(List<String> command, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ServiceConfig.ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("CONTAINERS_CONF", CONTAINERS_CONF.toString());
        pb.environment().put("PATH", pb.environment().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        try {
            Path out = Files.createTempFile("podman", ".log");
            try {
                Process p = pb.redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                    return new Result(-1, "timed out after " + timeout + ": " + String.join(" ", command) + "\n"
                            + Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes {@code debian:bookworm-slim} locally when no image of that name exists: a minimal
     * Debian bookworm by debootstrap, without the package caches and lists the official image
     * leaves out too. Where a registry is reachable and the image was pulled, it is used as is.
     */
    void ensureDebianBase(Path work) {
        if (podman(Duration.ofSeconds(30), "image", "exists", "debian:bookworm-slim").ok()) {
            return;
        }
        Path rootfs = work.resolve("debian-rootfs");
        List<String> debootstrap = List.of("debootstrap", "--variant=minbase", "bookworm", rootfs.toString(),
                "http://deb.debian.org/debian");
        run(List.of("rm", "-rf", rootfs.toString()), Duration.ofMinutes(1));
        run(debootstrap, Duration.ofMinutes(10)).orThrow(debootstrap);
        List<String> clean = List.of("sh", "-c", "rm -rf " + rootfs + "/var/cache/apt/*.bin " + rootfs
                + "/var/cache/apt/archives/*.deb " + rootfs + "/var/lib/apt/lists/* " + rootfs + "/usr/share/doc/* "
                + rootfs + "/usr/share/man/*");
        run(clean, Duration.ofMinutes(1)).orThrow(clean);
        List<String> imp = List.of("sh", "-c", "tar -C " + rootfs + " -c . | podman import - debian:bookworm-slim");
        run(imp, Duration.ofMinutes(5)).orThrow(imp);
        run(List.of("rm", "-rf", rootfs.toString()), Duration.ofMinutes(1));
    }

    static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 60), lines.length));
    }
}
