package org.opencalling.signaling.turn;

import org.opencalling.stun.TurnCredentials;

import java.util.ArrayList;
import java.util.List;

/**
 * The ICE servers a browser is given at login: one TURN URL per handed-out relay port, UDP and
 * TCP, at the relay's public address, all with the same short-lived credential. The shape is
 * WebRTC's {@code RTCIceServer}.
 */
public final class IceServers {
    @io.quarkus.runtime.annotations.RegisterForReflection // sent as JSON
    public record IceServer(List<String> urls, String username, String credential) {
    }

    private IceServers() {
    }

    public static List<IceServer> of(String publicHost, List<Integer> udpPorts, List<Integer> tcpPorts,
                                     TurnCredentials.Credential credential) {
        String host = publicHost.contains(":") && !publicHost.startsWith("[") ? "[" + publicHost + "]" : publicHost;
        List<String> urls = new ArrayList<>();
        for (int p : udpPorts) {
            urls.add("turn:" + host + ":" + p + "?transport=udp");
        }
        for (int p : tcpPorts) {
            urls.add("turn:" + host + ":" + p + "?transport=tcp");
        }
        return List.of(new IceServer(List.copyOf(urls), credential.username(), credential.password()));
    }

    /**
     * The relay ports a login names in its TURN URLs: those {@code text} lists (each one the relay
     * listens on), or {@code byDefault} when it is empty. Browsers slow down with five or more ICE
     * servers, and Chromium allocates on each TURN URL it reaches, so a login hands out fewer
     * ports than the relay serves (docs/operations.md, "TURN URLs").
     */
    public static List<Integer> handedOut(String variable, java.util.Optional<String> text, String relayVariable,
                                          List<Integer> relayPorts, List<Integer> byDefault) {
        if (text.isEmpty() || text.get().isBlank()) {
            return byDefault;
        }
        List<Integer> chosen = ports(variable, text.get());
        for (int p : chosen) {
            if (!relayPorts.contains(p)) {
                throw new IllegalArgumentException(variable + ": " + p + " is not one of the relay's ports ("
                        + relayVariable + "=" + relayPorts.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")) + ")");
            }
        }
        return chosen;
    }

    /** Parses a comma-separated port list such as RELAY_UDP_PORTS. */
    public static List<Integer> ports(String variable, String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int port;
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(variable + ": '" + p + "' is not a port number");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(variable + ": " + port + " is not a port number");
            }
            out.add(port);
        }
        return List.copyOf(out);
    }
}
