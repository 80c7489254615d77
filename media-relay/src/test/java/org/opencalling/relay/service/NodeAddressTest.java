package org.opencalling.relay.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeAddressTest {
    static String node(String... typeAndAddress) {
        StringBuilder b = new StringBuilder("{\"kind\":\"Node\",\"status\":{\"addresses\":[");
        for (int i = 0; i < typeAndAddress.length; i += 2) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"").append(typeAndAddress[i]).append("\",\"address\":\"")
                    .append(typeAndAddress[i + 1]).append("\"}");
        }
        return b.append("]}}").toString();
    }

    static String choose(String json) throws IOException {
        return NodeAddress.choose(new ObjectMapper().readTree(json));
    }

    @Test
    void theExternalAddressWinsThenTheInternalOneIpv4First() throws Exception {
        // A GKE/EKS node: private InternalIP, public ExternalIP (1:1 NAT).
        assertEquals("203.0.113.7", choose(node("InternalIP", "10.128.0.5", "Hostname", "gke-pool-1", "ExternalIP", "203.0.113.7")));
        // kind, minikube, bare metal: only an InternalIP.
        assertEquals("192.168.49.2", choose(node("Hostname", "minikube", "InternalIP", "192.168.49.2")));
        assertEquals("198.51.100.2", choose(node("ExternalIP", "2001:db8::2", "ExternalIP", "198.51.100.2", "InternalIP", "10.0.0.2")));
        assertEquals("2001:db8::2", choose(node("InternalIP", "10.0.0.2", "ExternalIP", "2001:db8::2")));
        assertNull(choose(node("Hostname", "n1", "ExternalDNS", "n1.example.com")));
        assertNull(choose("{\"status\":{}}"));
    }

    @Test
    void asksTheApiServerWithTheServiceAccountToken() throws Exception {
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicReference<String> auth = new AtomicReference<>();
        AtomicReference<String> path = new AtomicReference<>();
        api.createContext("/api/v1/nodes/", x -> {
            auth.set(x.getRequestHeaders().getFirst("Authorization"));
            path.set(x.getRequestURI().getPath());
            boolean known = x.getRequestURI().getPath().endsWith("/worker-1");
            byte[] body = (known ? node("InternalIP", "10.0.0.9", "ExternalIP", "203.0.113.9") : "{\"kind\":\"Status\"}")
                    .getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(known ? 200 : 403, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        api.start();
        try {
            String base = "http://127.0.0.1:" + api.getAddress().getPort();
            HttpClient client = HttpClient.newHttpClient();
            assertEquals("203.0.113.9", NodeAddress.ofNode(client, base, "tok3n", "worker-1"));
            assertEquals("Bearer tok3n", auth.get());
            assertEquals("/api/v1/nodes/worker-1", path.get());
            IOException denied = assertThrows(IOException.class, () -> NodeAddress.ofNode(client, base, "tok3n", "worker-2"));
            assertTrue(denied.getMessage().contains("RBAC"), denied.getMessage());
            IOException bad = assertThrows(IOException.class, () -> NodeAddress.ofNode(client, base, "t", "../secrets"));
            assertTrue(bad.getMessage().contains("not a node name"), bad.getMessage());
        } finally {
            api.stop(0);
        }
    }
}
