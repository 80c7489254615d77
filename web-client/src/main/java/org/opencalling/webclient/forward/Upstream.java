package org.opencalling.webclient.forward;

import java.net.URI;

/** A service the forwarder reaches: from a base URL such as {@code http://signaling:8091}. */
public record Upstream(String name, String host, int port, boolean ssl) {
    /** Several instances of one service: comma-separated base URLs (the local run's --replicas). */
    public static java.util.List<Upstream> list(String name, String urls) {
        java.util.List<Upstream> out = new java.util.ArrayList<>();
        for (String u : urls.split(",")) {
            if (!u.isBlank()) {
                out.add(of(name, u));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(name + " needs at least one URL");
        }
        return java.util.List.copyOf(out);
    }

    public static Upstream of(String name, String url) {
        URI u = URI.create(url.trim());
        if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new IllegalStateException(name + " must be an http(s) URL with a host: " + url);
        }
        boolean ssl = "https".equals(u.getScheme());
        return new Upstream(name, u.getHost(), u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80, ssl);
    }
}
