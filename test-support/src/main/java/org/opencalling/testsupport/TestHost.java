package org.opencalling.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An address for the relay and the SFU that browsers treat as a real network address, not
 * loopback: Firefox drops loopback ICE candidates unless {@code media.peerconnection.ice.loopback}
 * is set, so a relay on 127.0.0.1 would test a Firefox nobody runs.
 *
 * <p>The test host is one end of a veth pair whose other end lives in a network namespace made
 * for the test ({@code ip netns}, iproute2; needs root or CAP_NET_ADMIN). Its address is a
 * private /30 on this machine only; traffic to it never leaves the machine. Where that cannot be
 * made (no {@code ip}, no privilege, a container without NET_ADMIN), the variant is
 * {@link Variant#LOOPBACK}: the address is 127.0.0.1 and Firefox must be given the loopback
 * pref. Tests print which variant ran.
 */
public final class TestHost implements AutoCloseable {
    public enum Variant {
        /** A veth pair into a network namespace: an address browsers accept as it is. */
        NETNS,
        /** 127.0.0.1: Firefox needs media.peerconnection.ice.loopback. */
        LOOPBACK
    }

    private final Variant variant;
    private final String address;
    private final String namespace;
    private final String link;
    private final String why;

    private TestHost(Variant variant, String address, String namespace, String link, String why) {
        this.variant = variant;
        this.address = address;
        this.namespace = namespace;
        this.link = link;
        this.why = why;
    }

    /** The namespace variant where it can be made, else loopback (with the reason kept). */
    public static TestHost create() {
        long pid = ProcessHandle.current().pid();
        String ns = "oc-test-" + pid;
        String link = "ocv" + (pid % 1_000_000) + "h"; // interface names have at most 15 characters
        String peer = "ocv" + (pid % 1_000_000) + "n";
        for (int attempt = 0; attempt < 8; attempt++) {
            int subnet = (int) ((pid + attempt * 37L) % 250) + 1;
            String hostAddress = "10.213." + subnet + ".1";
            String peerAddress = "10.213." + subnet + ".2";
            if (inUse(hostAddress) || inUse(peerAddress)) {
                continue;
            }
            List<String> failure = new ArrayList<>();
            boolean made = ip(failure, "netns", "add", ns)
                    && ip(failure, "link", "add", link, "type", "veth", "peer", "name", peer, "netns", ns)
                    && ip(failure, "addr", "add", hostAddress + "/30", "dev", link)
                    && ip(failure, "link", "set", link, "up")
                    && ip(failure, "-n", ns, "addr", "add", peerAddress + "/30", "dev", peer)
                    && ip(failure, "-n", ns, "link", "set", peer, "up")
                    && ip(failure, "-n", ns, "link", "set", "lo", "up");
            if (made) {
                TestHost host = new TestHost(Variant.NETNS, hostAddress, ns, link, "");
                Runtime.getRuntime().addShutdownHook(new Thread(host::close, "test-host-cleanup"));
                return host;
            }
            remove(ns, link);
            return new TestHost(Variant.LOOPBACK, "127.0.0.1", null, null, String.join("; ", failure));
        }
        return new TestHost(Variant.LOOPBACK, "127.0.0.1", null, null, "no free 10.213.x.0/30 subnet");
    }

    public Variant variant() {
        return variant;
    }

    /** Where the relay binds and what it advertises. */
    public String address() {
        return address;
    }

    /** One line for the test's output: which variant ran, and why not the namespace if not. */
    public String describe() {
        return variant == Variant.NETNS
                ? "test host " + address + " (veth " + link + " into network namespace " + namespace + ")"
                : "loopback 127.0.0.1 with Firefox's media.peerconnection.ice.loopback pref (no network namespace: "
                        + why + ")";
    }

    @Override
    public synchronized void close() {
        if (namespace != null) {
            remove(namespace, link);
        }
    }

    /** Deleting the host end deletes the pair; the namespace goes on its own. Both tolerate "not there". */
    private static void remove(String ns, String link) {
        ip(new ArrayList<>(), "link", "del", link);
        ip(new ArrayList<>(), "netns", "del", ns);
    }

    private static boolean inUse(String address) {
        try {
            return NetworkInterface.getByInetAddress(InetAddress.getByName(address)) != null;
        } catch (IOException e) {
            return true;
        }
    }

    /** Runs ip with these arguments; on failure adds its message to {@code failure} and returns false. */
    private static boolean ip(List<String> failure, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                failure.add(String.join(" ", command) + ": timed out");
                return false;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                failure.add(String.join(" ", command) + ": " + out);
                return false;
            }
            return true;
        } catch (IOException e) {
            failure.add("ip: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.add("interrupted");
            return false;
        }
    }

    private static String executable() {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (new java.io.File(dir, "ip").canExecute()) {
                return dir + "/ip";
            }
        }
        return "ip";
    }
}
