package org.opencalling.signaling.socket;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.ServiceSpec;

/** The packaged services (the modules' quarkus-run.jar) a multi-process test starts, stopped together. */
final class PackagedServices implements AutoCloseable {
    private final Path logs;
    private final List<ServiceProcess> started = new ArrayList<>();

    PackagedServices(String logPrefix) throws Exception {
        this.logs = Files.createTempDirectory(logPrefix);
    }

    /** Starts {@code module}'s jar as {@code name} on {@code port}; returns once it is ready. */
    ServiceProcess start(String name, String module, int port, Map<String, String> env) throws Exception {
        Path jar = Path.of("..").toAbsolutePath().normalize().resolve(module + "/target/quarkus-app/quarkus-run.jar");
        ServiceProcess p = new ServiceProcess(new ServiceSpec(name, jar, port, env, ""), logs);
        started.add(p);
        p.start(ProcessHandle.current().info().command().orElse("java"));
        if (!p.awaitReady(Duration.ofSeconds(60))) {
            throw new IllegalStateException(name + " did not start:\n" + p.tail(40));
        }
        return p;
    }

    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess p : started) {
            p.stop(Duration.ofSeconds(10));
        }
    }
}
