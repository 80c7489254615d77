package org.opencalling.deployment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What a native image needs that the JVM finds by itself, checked where no GraalVM runs: every
 * service that loads resources by name (the Lua scripts) lists them for native-image, and every
 * service has its native Dockerfile and an integration test that runs against the packaged
 * artifact (the native executable in .github/workflows/native.yml).
 */
class NativeConfigTest {
    @Test
    void servicesCarryTheirLuaScriptsAndTestTheirPackagedArtifact() throws Exception {
        for (String service : ComposeFileTest.SERVICES) {
            Path module = ServiceConfig.ROOT.resolve(service);
            String properties = Files.readString(module.resolve("src/main/resources/application.properties"));
            if (Files.isDirectory(module.resolve("src/main/resources/lua"))) {
                assertTrue(properties.contains("quarkus.native.resources.includes=lua/*.lua"),
                        service + " loads Lua scripts by name: native-image must include them");
            }
            try (var tests = Files.walk(module.resolve("src/test/java"))) {
                assertTrue(tests.filter(f -> f.toString().endsWith("IT.java")).anyMatch(f -> read(f).contains("@QuarkusIntegrationTest")),
                        service + " has a @QuarkusIntegrationTest");
            }
            String workflow = Files.readString(ServiceConfig.ROOT.resolve(".github/workflows/native.yml"));
            assertTrue(workflow.contains(service), "the native workflow builds " + service);
        }
    }

    static String read(Path f) {
        return ComposeFileTest.read(f);
    }
}
