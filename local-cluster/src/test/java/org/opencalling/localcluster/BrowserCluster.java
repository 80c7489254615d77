package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.opencalling.testsupport.TestHost;

/**
 * The local cluster the browser tests share (AppIT's app from its own origin, BrowserIT's
 * Chromium, then FirefoxIT's Firefox and mixed calls; failsafe runs them in that order): started
 * once per test JVM, its relay and SFU on the {@link TestHost}. The last user, FirefoxIT, stops
 * it; should a run end sooner, LocalCluster's and TestHost's shutdown hooks do.
 */
final class BrowserCluster {
    /** Low enough that the senders' REMB limit is what holds a noisy camera (FirefoxIT). */
    static final int SFU_MAX_VIDEO_KBPS = 400;

    private static BrowserCluster shared;

    final TestHost host;
    final LocalCluster cluster;
    final int offset;
    /** A loopback port whose origin the cluster lets in: where AppIT serves its app, as a dev server would. */
    final int appPort;

    private BrowserCluster(TestHost host, LocalCluster cluster, int offset, int appPort) {
        this.host = host;
        this.cluster = cluster;
        this.offset = offset;
        this.appPort = appPort;
    }

    static synchronized BrowserCluster get() throws Exception {
        if (shared == null) {
            TestHost host = TestHost.create();
            System.out.println("browser tests: relay and SFU on the " + host.describe());
            int offset = LocalClusterIT.freeOffset();
            int appPort;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                appPort = probe.getLocalPort();
            }
            LocalCluster cluster = new LocalCluster(LocalCluster.findRoot(), new Options(offset, false)
                    .withRelayHost(host.address()).allowing("http://localhost:" + appPort))
                    .withEnv("media-relay", Map.of("SFU_MAX_VIDEO_KBPS", Integer.toString(SFU_MAX_VIDEO_KBPS)));
            shared = new BrowserCluster(host, cluster, offset, appPort);
            assertEquals(0, cluster.start(), "the local cluster started");
        }
        return shared;
    }

    String base() {
        return "http://localhost:" + (8080 + offset);
    }

    static synchronized void stop() {
        if (shared != null) {
            shared.cluster.stop();
            shared.host.close();
            shared = null;
        }
    }
}
