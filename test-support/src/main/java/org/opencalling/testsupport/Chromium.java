package org.opencalling.testsupport;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's chromium, headless, driven by Playwright, with a fake camera and microphone that
 * need no permission prompt. One per test class: the Playwright driver unpacks itself on each
 * start (about 1.5 s). Never downloads a browser: the driver is told so itself, so a bench tool
 * run from a plain shell (no surefire environment) does not try either.
 */
public final class Chromium implements AutoCloseable {
    /** Where Debian's package puts the binary (.ci/run installs it). */
    public static final Path EXECUTABLE = Path.of(System.getProperty("chromium.path", "/usr/lib/chromium/chromium"));

    private static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    public static Chromium launch() {
        return launch(List.of());
    }

    /** With more command-line switches (say, --autoplay-policy=no-user-gesture-required). */
    public static Chromium launch(List<String> extraArgs) {
        List<String> args = new java.util.ArrayList<>(ARGS);
        args.addAll(extraArgs);
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("Chromium is needed at " + EXECUTABLE
                    + " (apt-get install chromium; .ci/run does it)");
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(args));
            return new Chromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    public Browser browser() {
        return browser;
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
