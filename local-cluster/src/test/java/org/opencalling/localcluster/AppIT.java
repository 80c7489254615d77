package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.Chromium;
import org.opencalling.testsupport.DemoPages;

/**
 * An app written for trtc-calling-js 1.x, switched to OpenCalling by the npm alias alone and
 * bundled with webpack, and the same app on the classic {@code <script>} route: calls between two
 * Chromium pages through the local cluster. The app is served from an origin of its own (a dev
 * server, say), which {@code --allowed-origin} lets in; from an origin not allowed, login fails
 * with an ERROR that says so.
 */
class AppIT {
    static String base;
    static int offset;
    static Chromium chromium;
    static StaticSite allowed;
    static StaticSite refused;
    DemoPages pages;

    @BeforeAll
    static void start() throws Exception {
        Path app = AppBundle.build();
        BrowserCluster shared = BrowserCluster.get(); // BrowserIT and FirefoxIT use it next
        offset = shared.offset;
        base = shared.base();
        allowed = new StaticSite(app, base, shared.appPort);
        refused = new StaticSite(app, base, 0);
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        for (StaticSite s : new StaticSite[] {allowed, refused}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @BeforeEach
    void open() {
        pages = new DemoPages(chromium, base);
    }

    @AfterEach
    void close() {
        pages.close();
    }

    /** The app's page ({@code index.html}: webpack; {@code script.html}: the classic script) on a site, logged in. */
    Page app(StaticSite site, String file, String userId, String answer) throws Exception {
        Page page = pages.context(null).newPage();
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                System.out.println("[" + userId + "] " + m.text());
            }
        });
        page.navigate(site.origin() + "/" + file + "?sdkAppId=" + DemoDefaults.SDK_APP_ID + "&server=" + base + "&answer=" + answer);
        page.waitForFunction("() => window.app && window.log");
        page.evaluate("([u, s]) => window.app.login(u, s)", List.of(userId, userSig(userId)));
        page.waitForFunction("() => window.log.some(e => e.what === 'logged-in' || e.what === 'login-failed')");
        return page;
    }

    /** A UserSig from usersig-service (demo mode); in production the app's backend asks for it. */
    static String userSig(String userId) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + (8090 + offset) + "/v1/usersig")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sdkAppId\":" + DemoDefaults.SDK_APP_ID + ",\"userId\":\"" + userId + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"userSig\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        return m.group(1);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> log(Page page) {
        return (List<Map<String, Object>>) page.evaluate("() => window.log");
    }

    static List<String> what(Page page) {
        return log(page).stream().map(e -> (String) e.get("what")).toList();
    }

    static void awaitLog(Page page, String what) {
        page.waitForFunction("w => window.log.some(e => e.what === w)", what, new Page.WaitForFunctionOptions().setTimeout(20_000));
    }

    @Test
    void theWebpackAppCallsAnswersHangsUpAndIsRefusedAsWithTheRealPackage() throws Exception {
        Page ann = app(allowed, "index.html", "app-ann", "accept");
        Page bob = app(allowed, "index.html", "app-bob", "accept");
        ann.evaluate("() => window.app.call('app-bob', true)");
        DemoPages.awaitFrames(ann, "app-bob", 20);
        DemoPages.awaitFrames(bob, "app-ann", 20);
        assertEquals("connected", ann.evaluate("() => window.app.status()"));
        ann.evaluate("() => window.app.hangup()");
        awaitLog(bob, "onCallEnd");
        awaitLog(ann, "onCallEnd");
        assertEquals(List.of("logged-in", "calling", "onUserAccept", "onUserEnter", "onCallEnd"), what(ann));
        assertEquals(List.of("logged-in", "onInvited", "accept-result", "onUserEnter", "onUserLeave", "onCallEnd"), what(bob));
        Map<String, Object> invited = log(bob).get(1);
        assertEquals(Map.of("sponsor", "app-ann", "callType", 2, "isFromGroup", false), invited.get("data"));
        assertEquals(0, ((Number) log(bob).get(2).get("data")).intValue(), "accept() resolves with code 0");
        assertEquals(0, bob.locator("#remote video").count(), "the call's end took the remote view down");

        // Refused: REJECT alone on the caller's side (no CALLING_END), as the real package does.
        Page cat = app(allowed, "index.html", "app-cat", "reject");
        ann.evaluate("() => window.app.call('app-cat', false)");
        awaitLog(ann, "onReject");
        awaitLog(cat, "reject-result");
        Thread.sleep(1000); // a CALLING_END, if one wrongly came, would come right after the REJECT
        assertEquals(List.of("calling", "onReject"), what(ann).subList(5, what(ann).size()));
        assertEquals(List.of("logged-in", "onInvited", "reject-result"), what(cat));
        assertEquals("idle", ann.evaluate("() => window.app.status()"));
    }

    @Test
    void theClassicScriptPageCallsTheWebpackApp() throws Exception {
        Page dan = app(allowed, "script.html", "app-dan", "accept");
        assertEquals("function", dan.evaluate("() => typeof window.TRTCCalling"), "the classic script sets the global");
        assertEquals("onInvited", dan.evaluate("() => window.TRTCCalling.EVENT.INVITED"));
        Page eve = app(allowed, "index.html", "app-eve", "accept");
        dan.evaluate("() => window.app.call('app-eve', true)");
        DemoPages.awaitFrames(dan, "app-eve", 20);
        DemoPages.awaitFrames(eve, "app-dan", 20);
        eve.evaluate("() => window.app.hangup()");
        awaitLog(dan, "onCallEnd");
        assertEquals(List.of("logged-in", "calling", "onUserAccept", "onUserEnter", "onUserLeave", "onCallEnd"), what(dan));
    }

    @Test
    void aPageFromAnOriginNotAllowedIsToldWhy() throws Exception {
        Page fay = app(refused, "index.html", "app-fay", "accept");
        @SuppressWarnings("unchecked")
        Map<String, Object> failed = (Map<String, Object>) log(fay).stream().filter(e -> "login-failed".equals(e.get("what")))
                .findFirst().orElseThrow(() -> new AssertionError("login did not fail: " + log(fay))).get("data");
        assertEquals(61001, ((Number) failed.get("code")).intValue());
        assertTrue(((String) failed.get("msg")).contains(refused.origin()) && ((String) failed.get("msg")).contains("ALLOWED_ORIGINS"),
                String.valueOf(failed.get("msg")));
        assertEquals(List.of("onError", "login-failed"), what(fay), "an ERROR event, and login() rejects");
    }
}
