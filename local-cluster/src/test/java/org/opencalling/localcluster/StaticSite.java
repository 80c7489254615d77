package org.opencalling.localcluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An app's own web server (as a dev server on another port would be): serves a directory on
 * loopback, with {@code __SERVER__} in its HTML pages replaced by the cluster's address.
 */
final class StaticSite implements AutoCloseable {
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "map", "application/json");
    private final HttpServer server;

    /** On this loopback port (0: any free one). */
    StaticSite(Path root, String clusterUrl, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        Path base = root.toAbsolutePath().normalize();
        server.createContext("/favicon.ico", exchange -> exchange.sendResponseHeaders(204, -1));
        server.createContext("/", exchange -> {
            Path file = base.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            byte[] body;
            int status = 200;
            if (!file.startsWith(base) || !Files.isRegularFile(file) || file.toString().contains("node_modules")) {
                status = 404;
                body = "not found".getBytes(StandardCharsets.UTF_8);
            } else {
                body = Files.readAllBytes(file);
                if (file.toString().endsWith(".html")) {
                    body = new String(body, StandardCharsets.UTF_8).replace("__SERVER__", clusterUrl).getBytes(StandardCharsets.UTF_8);
                }
            }
            String name = file.getFileName() == null ? "" : file.getFileName().toString();
            exchange.getResponseHeaders().set("Content-Type",
                    TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream"));
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** Its origin, as browsers send it. */
    String origin() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
