package org.opencalling.relay.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The address browsers reach a host-network relay pod at: its Kubernetes node's ExternalIP, else
 * its InternalIP (bare metal, kind, minikube). On EKS, GKE or AKS the node itself only sees its
 * private address (the public one is a 1:1 NAT), so the pod asks the API server
 * ({@code GET /api/v1/nodes/{name}}, RBAC: get nodes) with its service account.
 */
final class NodeAddress {
    static final Path ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private NodeAddress() {
    }

    /** In the cluster: the API server from KUBERNETES_SERVICE_HOST/PORT, this pod's token and CA. */
    static String ofNode(String node) throws IOException, InterruptedException {
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        String port = System.getenv().getOrDefault("KUBERNETES_SERVICE_PORT", "443");
        if (host == null || host.isBlank()) {
            throw new IOException("not in a Kubernetes pod (no KUBERNETES_SERVICE_HOST)");
        }
        String base = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        HttpClient client;
        try {
            client = HttpClient.newBuilder().sslContext(trusting(ACCOUNT.resolve("ca.crt")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (GeneralSecurityException e) {
            throw new IOException("the service account's CA: " + e.getMessage(), e);
        }
        return ofNode(client, base, Files.readString(ACCOUNT.resolve("token")).trim(), node);
    }

    static String ofNode(HttpClient client, String apiServer, String token, String node) throws IOException, InterruptedException {
        if (!node.matches("[a-z0-9]([a-z0-9.\\-]{0,251}[a-z0-9])?")) {
            throw new IOException("not a node name: '" + node + "'");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiServer + "/api/v1/nodes/" + node))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("GET node " + node + ": HTTP " + response.statusCode()
                        + (response.statusCode() == 403 ? " (the pod's service account needs RBAC 'get' on nodes)" : ""));
            }
            String address = choose(new ObjectMapper().readTree(body.readNBytes(1 << 20)));
            if (address == null) {
                throw new IOException("node " + node + " lists no ExternalIP or InternalIP");
            }
            return address;
        }
    }

    /** ExternalIP over InternalIP; IPv4 over IPv6 of the same type (what most browsers can reach). */
    static String choose(JsonNode node) {
        String best = null;
        int bestRank = Integer.MAX_VALUE;
        for (JsonNode a : node.path("status").path("addresses")) {
            String type = a.path("type").asText();
            String address = a.path("address").asText();
            int rank = switch (type) {
                case "ExternalIP" -> 0;
                case "InternalIP" -> 2;
                default -> -1;
            };
            if (rank < 0 || address.isBlank()) {
                continue;
            }
            if (address.contains(":")) {
                rank++;
            }
            if (rank < bestRank) {
                best = address;
                bestRank = rank;
            }
        }
        return best;
    }

    private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
