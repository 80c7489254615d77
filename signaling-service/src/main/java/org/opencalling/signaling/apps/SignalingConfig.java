package org.opencalling.signaling.apps;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.opencalling.service.ConfigFiles;
import org.opencalling.signaling.turn.IceServers;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigVerifier;

/**
 * Everything signaling reads at start-up, checked at once so a bad setting stops the service
 * with a message naming it: the applications (UserSigs are verified locally with their keys),
 * the TURN secret and the relay's public address and ports.
 */
@Startup
@Singleton
public class SignalingConfig {
    @ConfigProperty(name = "trtc.apps.file")
    Optional<String> appsFile;

    @ConfigProperty(name = "relay.public-host")
    String publicHost;

    @ConfigProperty(name = "relay.udp-ports")
    String udpPortsText;

    @ConfigProperty(name = "relay.tcp-ports")
    String tcpPortsText;

    @ConfigProperty(name = "signaling.ice.udp-ports")
    Optional<String> iceUdpPortsText;

    @ConfigProperty(name = "signaling.ice.tcp-ports")
    Optional<String> iceTcpPortsText;

    @ConfigProperty(name = "allowed.origins")
    String originsText;

    @ConfigProperty(name = "signaling.turn-credential-ttl")
    Duration turnTtl;

    private Applications apps;
    private TurnCredentials turn;
    private List<Integer> udpPorts;
    private List<Integer> tcpPorts;
    private Set<String> origins;

    @PostConstruct
    void load() {
        try {
            apps = Applications.parse(ConfigFiles.inlineAndFile("TRTC_APPS", ConfigFiles.raw("trtc.apps"),
                    "TRTC_APPS_FILE", appsFile));
        } catch (Applications.ConfigurationException e) {
            throw new IllegalStateException("Invalid application configuration: " + e.getMessage());
        }
        if (apps.isEmpty()) {
            throw new IllegalStateException("No application configured: set TRTC_APPS or TRTC_APPS_FILE");
        }
        String secret = ConfigFiles.secret("turn.secret", "TURN_SECRET").orElse("");
        if (secret.isBlank()) {
            throw new IllegalStateException("TURN_SECRET (or TURN_SECRET_FILE) is not set: the relay and signaling must share it");
        }
        turn = new TurnCredentials(secret);
        List<Integer> relayUdp = IceServers.ports("RELAY_UDP_PORTS", udpPortsText);
        List<Integer> relayTcp = IceServers.ports("RELAY_TCP_PORTS", tcpPortsText);
        // By default the first UDP port and every TCP port (8000 and 8687): two TURN URLs.
        udpPorts = IceServers.handedOut("ICE_UDP_PORTS", iceUdpPortsText, "RELAY_UDP_PORTS", relayUdp,
                relayUdp.subList(0, Math.min(1, relayUdp.size())));
        tcpPorts = IceServers.handedOut("ICE_TCP_PORTS", iceTcpPortsText, "RELAY_TCP_PORTS", relayTcp, relayTcp);
        origins = Arrays.stream(originsText.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    @Produces
    @Singleton
    UserSigVerifier verifier() {
        return new UserSigVerifier(apps);
    }

    /** The browsers' frames, decoded and validated once (pure: the domain never sees JSON from them). */
    @Produces
    @Singleton
    org.opencalling.signaling.protocol.ClientDecoder clientDecoder(com.fasterxml.jackson.databind.ObjectMapper json) {
        return new org.opencalling.signaling.protocol.ClientDecoder(json);
    }

    /** The relay's TURN servers with fresh credentials; the username names the application and the user. */
    public List<IceServers.IceServer> iceServers(long sdkAppId, String userId, long nowSeconds) {
        return IceServers.of(publicHost, udpPorts, tcpPorts, turn.mint(sdkAppId, userId, turnTtl.toSeconds(), nowSeconds));
    }

    public long turnTtlSeconds() {
        return turnTtl.toSeconds();
    }

    public boolean originAllowed(String origin) {
        return origin != null && origins.contains(origin);
    }
}
