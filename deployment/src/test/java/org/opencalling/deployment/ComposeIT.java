package org.opencalling.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencalling.testsupport.DemoPages.answeredVideoCall;
import static org.opencalling.testsupport.DemoPages.awaitGroupMedia;
import static org.opencalling.testsupport.DemoPages.call;
import static org.opencalling.testsupport.DemoPages.visible;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.opencalling.testsupport.BackendTokens;
import org.opencalling.testsupport.Chromium;
import org.opencalling.testsupport.DemoPages;
import org.opencalling.testsupport.KafkaBroker;

/**
 * docker-compose.yml for real: every image built with Podman from the packaged services, the
 * file brought up with podman-compose (Redis and Kafka as local images, see
 * {@code src/test/containers/compose.test.yml}), and browsers calling through the containers:
 * peer to peer, relay-only, a group through the SFU; a backend ringing a user over REST; call
 * events read from the Kafka container; a container killed and brought back by its restart
 * policy; and {@code down} leaving nothing behind. The figures (image sizes, start times, RSS)
 * are printed and written to {@code target/compose-figures.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeIT {
    static final String PROJECT = "opencalling-it";
    static final List<String> ALL = List.of("redis", "kafka", "usersig-service", "presence-service",
            "signaling-service", "media-relay", "web-client");
    static final String BASE = "http://localhost:8080";
    static ComposeStack stack;
    static Chromium chromium;
    DemoPages demo;

    @BeforeAll
    static void up() throws Exception {
        String missing = Podman.missing();
        if (missing != null) {
            System.out.println("ComposeIT SKIPPED: " + missing + " (.ci/run installs it)");
        }
        Assumptions.assumeTrue(missing == null, missing);
        stack = new ComposeStack(PROJECT, Path.of("target").toAbsolutePath());
        stack.prepare();
        stack.buildImages();
        stack.up();
        stack.awaitHealthy(ALL, Duration.ofMinutes(5));
        chromium = Chromium.launch();
    }

    @AfterAll
    static void down() {
        if (chromium != null) {
            chromium.close();
        }
        if (stack != null) {
            stack.writeFigures();
            stack.down();
            // Nothing of the project is left: containers, pods, networks, volumes.
            assertEquals(List.of(), stack.leftovers(), "down leaves nothing behind");
        }
    }

    @BeforeEach
    void pages() {
        demo = new DemoPages(chromium, BASE);
    }

    @AfterEach
    void closePages() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @Order(1)
    void twoBrowsersMakeAVideoCallThroughTheWebClientContainer() throws Exception {
        Page ana = demo.loggedIn("ana", null);
        Page bo = demo.loggedIn("bo", null);
        answeredVideoCall(ana, "ana", bo, "bo", 30);
        ana.click("#hangup-btn");
        visible(bo, "#screen-home");
    }

    @Test
    @Order(2)
    void aRelayOnlyCallGoesThroughTheRelayContainer() throws Exception {
        Page cy = demo.loggedIn("cy", "?relay=1");
        Page di = demo.loggedIn("di", "?relay=1");
        try {
            answeredVideoCall(cy, "cy", di, "di", 30);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the relay's counters: " + stack.counters("media-relay", 8093, "relay_"), e);
        }
        for (Page p : List.of(cy, di)) {
            String other = p == cy ? "di" : "cy";
            Object local = p.evaluate("async (u) => { const r = await window.trtcCalling._peers.get(u).pc.getStats();"
                    + " let id = null; r.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) id = s.selectedCandidatePairId; });"
                    + " const pair = r.get(id); return r.get(pair.localCandidateId).candidateType + '/' + r.get(pair.remoteCandidateId).candidateType; }",
                    other);
            assertEquals("relay/relay", local, "both ends on relayed candidates");
        }
        assertTrue(stack.metric(8093, "relay_allocations_active") >= 2, "the relay container holds the allocations");
        cy.click("#hangup-btn");
        visible(di, "#screen-home");
    }

    @Test
    @Order(3)
    void aGroupCallGoesThroughTheSfuInTheRelayContainer() throws Exception {
        Map<String, Page> members = new LinkedHashMap<>();
        for (String u : List.of("ed", "flo", "gus")) {
            members.put(u, demo.loggedIn(u, null));
        }
        call(members.get("ed"), "flo, gus", true);
        for (String u : List.of("flo", "gus")) {
            visible(members.get(u), "#incoming");
            members.get(u).click("#accept-btn");
        }
        awaitGroupMedia(members);
        assertTrue(stack.metric(8093, "relay_sfu_packets_forwarded_total") > 100, "the media went through the SFU");
        members.get("flo").click("#hangup-btn");
        members.get("ed").waitForSelector(".tile[data-user-id=flo]",
                new Page.WaitForSelectorOptions().setState(com.microsoft.playwright.options.WaitForSelectorState.DETACHED));
        members.get("gus").click("#hangup-btn");
        visible(members.get("ed"), "#screen-home"); // the last one left alone: the call ends
    }

    @Test
    @Order(4)
    void aBackendRingsAUserOverRestAndTheCallsEventsReachKafka() throws Exception {
        Page ivy = demo.loggedIn("ivy", null);
        String token = backendToken();
        HttpResponse<String> created = http(HttpRequest.newBuilder(URI.create("http://localhost:8091/v1/calls"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"sdkAppId\":1400000000,\"caller\":\"crm-agent\",\"callees\":[\"ivy\"],\"type\":\"audio\"}")));
        assertEquals(201, created.statusCode(), created.body());
        String callId = new ObjectMapper().readTree(created.body()).get("callId").asText();
        visible(ivy, "#incoming");
        assertTrue(ivy.textContent("#incoming-sub").contains("crm-agent") || ivy.textContent("#incoming").contains("crm-agent"),
                "the page shows who rings: " + ivy.textContent("#incoming"));
        ivy.click("#reject-btn");
        visible(ivy, "#screen-home");
        // The call's events, read on the host from the Kafka container (committed transactions only).
        List<ConsumerRecord<String, String>> events = KafkaBroker.read("127.0.0.1:19092", "trtc.call-events",
                r -> callId.equals(r.key()), 3, Duration.ofSeconds(60));
        List<String> types = new ArrayList<>();
        for (ConsumerRecord<String, String> r : events) {
            types.add(new ObjectMapper().readTree(r.value()).get("type").asText());
        }
        assertEquals(List.of("invited", "rejected", "ended"), types, "the call's events reached Kafka, in order");
    }

    @Test
    @Order(5)
    void aKilledContainerIsRestartedByItsPolicyAndCallsWorkAfterwards() throws Exception {
        int before = stack.restartCount("signaling-service");
        // As a crash or the kernel's OOM killer would: SIGKILL to the process, not `podman kill`
        // (an engine's kill is a stop by the user, which no restart policy undoes).
        stack.killProcess("signaling-service");
        stack.awaitRestarted("signaling-service", before, Duration.ofMinutes(2));
        stack.awaitHealthy(List.of("signaling-service"), Duration.ofMinutes(3));
        Page jo = demo.loggedIn("jo", null);
        Page kai = demo.loggedIn("kai", null);
        answeredVideoCall(jo, "jo", kai, "kai", 30);
        jo.click("#hangup-btn");
        visible(kai, "#screen-home");
    }

    static String backendToken() throws Exception {
        return BackendTokens.fetch(HTTP, "http://localhost:8090", "demo-backend", "demo-backend-secret-DO-NOT-USE-IN-PRODUCTION")
                .get("access_token").asText();
    }

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> http(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
