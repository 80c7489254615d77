package org.opencalling.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service reads, found in its sources: the keys of its application.properties, the
 * variables they name ({@code ${VAR:default}}), and every property its code (and the shared
 * libraries) asks for. A property {@code a.b-c} is read from the environment as {@code A_B_C}
 * (SmallRye Config's rule).
 */
final class ServiceConfig {
    static final Path ROOT = findRoot();
    /** The libraries whose configuration every service may read. */
    static final List<String> LIBRARIES = List.of("service-common", "event-log", "redis-lua", "usersig-codec", "stun-codec");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern IN_CODE = Pattern.compile(
            "(?:@ConfigProperty\\(name\\s*=\\s*|ConfigFiles\\.raw\\(|getOptionalValue\\(|getValue\\()\"([a-z0-9.\\-]+)\"");
    private static final Pattern SECRET = Pattern.compile("ConfigFiles\\.secret\\(\"([a-z0-9.\\-]+)\"");

    final String module;
    final Properties properties = new Properties();
    final Set<String> variables = new TreeSet<>();

    private ServiceConfig(String module) {
        this.module = module;
        try (var in = Files.newBufferedReader(ROOT.resolve(module).resolve("src/main/resources/application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith("%")) {
                variables.add(env(key));
            }
            Matcher m = VARIABLE.matcher(properties.getProperty(key));
            while (m.find()) {
                variables.add(m.group(1));
            }
        }
        scan(ROOT.resolve(module).resolve("src/main/java"));
        for (String library : LIBRARIES) {
            scan(ROOT.resolve(library).resolve("src/main/java"));
        }
    }

    static ServiceConfig of(String module) {
        return new ServiceConfig(module);
    }

    private void scan(Path sources) {
        if (!Files.isDirectory(sources)) {
            return;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String code = Files.readString(f);
                Matcher m = IN_CODE.matcher(code);
                while (m.find()) {
                    variables.add(env(m.group(1)));
                }
                Matcher s = SECRET.matcher(code);
                while (s.find()) {
                    variables.add(env(s.group(1)));
                    variables.add(env(s.group(1) + ".file"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment variable SmallRye Config reads a property from. */
    static String env(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Whether the service reads this variable (Quarkus' own and the JVM's always count). */
    boolean reads(String variable) {
        return variables.contains(variable) || variable.startsWith("QUARKUS_") || variable.startsWith("JAVA_");
    }

    int httpPort() {
        return Integer.parseInt(properties.getProperty("quarkus.http.port"));
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("mvnw")) && Files.exists(p.resolve("docker-compose.yml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root");
    }
}
