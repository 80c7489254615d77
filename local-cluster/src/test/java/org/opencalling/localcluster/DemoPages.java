package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.util.ArrayList;
import java.util.List;
import org.opencalling.testsupport.Chromium;

/**
 * Browser profiles on a running local cluster's demo, each a fresh context (its own storage,
 * its own fake camera), all closed together. A page's console errors are printed, tagged.
 */
final class DemoPages implements AutoCloseable {
    private final Chromium chromium;
    private final String base;
    private final List<BrowserContext> contexts = new ArrayList<>();

    DemoPages(Chromium chromium, String base) {
        this.chromium = chromium;
        this.base = base;
    }

    /** A fresh context, closed with the others. */
    BrowserContext context(Browser.NewContextOptions options) {
        BrowserContext context = options == null ? chromium.browser().newContext() : chromium.browser().newContext(options);
        contexts.add(context);
        return context;
    }

    /** The demo's page (with a query such as {@code ?relay=1}, or null) in a fresh context. */
    Page open(String tag, String query) {
        Page page = context(null).newPage();
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                System.out.println("[" + tag + "] " + m.text());
            }
        });
        page.navigate(base + "/" + (query == null ? "" : query));
        return page;
    }

    /** A fresh profile on the demo, logged in as this user. */
    Page loggedIn(String userId, String query) {
        Page page = open(userId, query);
        page.fill("#userId", userId);
        page.click("#login-btn");
        page.waitForSelector("#screen-home", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.VISIBLE)
                .setTimeout(20_000));
        assertEquals(userId, page.textContent("#who-name"));
        return page;
    }

    @Override
    public void close() {
        contexts.forEach(BrowserContext::close);
        contexts.clear();
    }
}
