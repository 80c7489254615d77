package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.Chromium;
import org.opencalling.testsupport.TestHost;

/**
 * Firefox beside Chromium, against the whole local cluster: Debian's firefox-esr driven over
 * WebDriver BiDi and Debian's chromium over CDP, both by puppeteer-core in the Node tests of
 * {@code src/test/browsers} (1v1 peer to peer and relay-only, a mixed group call through the SFU,
 * the seed's flows in the demo), on the cluster BrowserIT used ({@link BrowserCluster}). The relay
 * and the SFU are on the test host ({@link TestHost}), an address that is not loopback, so Firefox
 * runs as users have it; where no network namespace can be made, on 127.0.0.1 with Firefox's
 * loopback pref, and the output says which.
 */
class FirefoxIT {
    static final Path FIREFOX = Path.of(System.getProperty("firefox.path", "/usr/bin/firefox-esr"));

    static BrowserCluster shared;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(FIREFOX), "Firefox is needed at " + FIREFOX + " (apt-get install firefox-esr; .ci/run does it)");
        shared = BrowserCluster.get();
    }

    @AfterAll
    static void stop() {
        BrowserCluster.stop(); // the last of the browser tests
    }

    @Test
    void firefoxAndMixedCallsDecodeEverywhere() throws Exception {
        NodeProject tests = NodeProject.copy(Path.of("src/test/browsers"), Path.of("target/browsers"));
        tests.run(Duration.ofMinutes(5), Map.of("PUPPETEER_SKIP_DOWNLOAD", "1"), "npm", "ci", "--no-audit", "--no-fund");
        Map<String, String> env = Map.of(
                "DEMO_BASE", shared.base(),
                "RELAY_METRICS", "http://localhost:" + (8093 + shared.offset) + "/q/metrics",
                "TEST_HOST_VARIANT", shared.host.variant() == TestHost.Variant.NETNS ? "netns" : "loopback",
                "FIREFOX_PATH", FIREFOX.toString(),
                "CHROMIUM_PATH", Chromium.EXECUTABLE.toString(),
                "SFU_MAX_VIDEO_KBPS", Integer.toString(BrowserCluster.SFU_MAX_VIDEO_KBPS));
        try {
            tests.run(Duration.ofMinutes(8), env, "node", "--test", "--test-concurrency=1", "--test-reporter=spec",
                    "calls.test.mjs", "group.test.mjs", "flows.test.mjs");
        } finally {
            System.out.println(tests.tail(60));
        }
        // The spec reporter's summary: every test ran and passed (none skipped or left out).
        String out = Files.readString(tests.log);
        Matcher pass = Pattern.compile("(?m)^. pass (\\d+)$").matcher(out);
        Matcher fail = Pattern.compile("(?m)^. fail (\\d+)$").matcher(out);
        assertTrue(pass.find() && fail.find(), "no summary in " + tests.log);
        assertEquals(0, Integer.parseInt(fail.group(1)));
        assertEquals(10, Integer.parseInt(pass.group(1)), "every Firefox test ran");
    }
}
