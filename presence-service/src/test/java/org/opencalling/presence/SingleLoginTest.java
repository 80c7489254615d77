package org.opencalling.presence;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PresenceTestResource.class)
class SingleLoginTest {
    @Inject
    RedisDataSource redis;

    @Test
    void fiftyRacingLoginsOnTwoPodsLeaveExactlyOne() throws Exception {
        String user = "racer";
        try (KickListener podA = new KickListener(redis, "pod-a"); KickListener podB = new KickListener(redis, "pod-b")) {
            ExecutorService pool = Executors.newFixedThreadPool(50);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> displaced = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String pod = i % 2 == 0 ? "pod-a" : "pod-b";
                String sid = pod + "-s" + i;
                displaced.add(pool.submit(() -> {
                    go.await();
                    return Api.register(user, pod, sid).statusCode(201).extract().path("displaced.sessionId");
                }));
            }
            go.countDown();
            Set<String> displacedIds = new HashSet<>();
            for (Future<String> f : displaced) {
                String d = f.get();
                if (d != null) {
                    displacedIds.add(d);
                }
            }
            pool.shutdown();

            String survivor = Api.presence(user).statusCode(200).body("online", equalTo(true))
                    .extract().path("sessionId");
            Set<String> all = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                all.add((i % 2 == 0 ? "pod-a" : "pod-b") + "-s" + i);
            }
            Set<String> losers = new HashSet<>(all);
            losers.remove(survivor);
            assertEquals(losers, displacedIds, "each loser was displaced by exactly one login, the survivor by none");

            assertTrue(podA.await(m -> m.size() + podB.messages.size() >= 49, Duration.ofSeconds(10)));
            Set<String> kicked = new HashSet<>();
            for (KickListener pod : List.of(podA, podB)) {
                for (JsonNode m : pod.messages) {
                    assertEquals("kicked", m.get("type").asText());
                    assertEquals(user, m.get("userId").asText());
                    assertTrue(m.get("sessionId").asText().startsWith(pod.pod + "-"),
                            "kick for " + m.get("sessionId") + " went to " + pod.pod);
                    assertTrue(kicked.add(m.get("sessionId").asText()), "kicked twice: " + m);
                }
            }
            assertEquals(losers, kicked, "every loser, and only they, told over pub/sub");
            assertFalse(kicked.contains(survivor));
        }
    }

    @Test
    void theKickGoesToTheDisplacedSessionsPodOnly() throws Exception {
        try (KickListener a = new KickListener(redis, "pod-1"); KickListener b = new KickListener(redis, "pod-2");
             KickListener c = new KickListener(redis, "pod-3")) {
            Api.register("dana", "pod-1", "first").statusCode(201).body("displaced", nullValue());
            Api.register("dana", "pod-2", "second").statusCode(201)
                    .body("displaced.sessionId", equalTo("first")).body("displaced.pod", equalTo("pod-1"));
            assertTrue(a.await(m -> m.size() == 1, Duration.ofSeconds(5)));
            JsonNode kick = a.messages.get(0);
            assertEquals("first", kick.get("sessionId").asText());
            assertEquals("second", kick.get("bySessionId").asText());
            assertEquals("pod-2", kick.get("byPod").asText());
            assertEquals(1, kick.get("schema").asInt());
            // Pub/sub is ordered: a marker published now reaches pod-2 and pod-3 after any kick
            // published before it, so seeing the marker alone proves they got no kick.
            redis.pubsub(String.class).publish("trtc:presence:kick:pod-2", "{\"type\":\"marker\"}");
            redis.pubsub(String.class).publish("trtc:presence:kick:pod-3", "{\"type\":\"marker\"}");
            assertTrue(b.await(m -> !m.isEmpty(), Duration.ofSeconds(5)));
            assertTrue(c.await(m -> !m.isEmpty(), Duration.ofSeconds(5)));
            assertEquals(List.of("marker"), b.messages.stream().map(m -> m.get("type").asText()).toList());
            assertEquals(List.of("marker"), c.messages.stream().map(m -> m.get("type").asText()).toList());
        }
    }

    @Test
    void kicksCarryLongSdkAppIdsExactly() throws Exception {
        long app = 999_999_999_999_999L; // 15 digits: Lua's number formatting would round it
        try (KickListener a = new KickListener(redis, "pod-long")) {
            for (String sid : List.of("l1", "l2")) {
                io.restassured.RestAssured.given().auth().oauth2(PresenceTestResource.writer())
                        .contentType(io.restassured.http.ContentType.JSON)
                        .body(java.util.Map.of("sdkAppId", app, "userId", "lena", "pod", "pod-long", "sessionId", sid))
                        .post("/v1/sessions").then().statusCode(201);
            }
            assertTrue(a.await(m -> m.size() == 1, Duration.ofSeconds(5)));
            assertEquals(app, a.messages.get(0).get("sdkAppId").asLong());
            assertEquals("999999999999999", a.messages.get(0).get("sdkAppId").asText());
        }
    }

    @Test
    void aRefreshNeverRevivesAnEndedOrDisplacedSession() {
        Api.register("gwen", "pod-t", "g1").statusCode(201);
        Api.end("gwen", "g1").statusCode(200).body("ended", equalTo(true));
        // The pod's refresh was already on its way with g1 in it.
        Api.refresh("pod-t", List.of(Api.ref("gwen", "g1"))).statusCode(200)
                .body("lost[0].sessionId", equalTo("g1")).body("restored", org.hamcrest.Matchers.hasSize(0));
        assertFalse(Api.online("gwen"));

        Api.register("hugo", "pod-t", "h1").statusCode(201);
        Api.register("hugo", "pod-u", "h2").statusCode(201);
        Api.end("hugo", "h2").statusCode(200);
        Api.refresh("pod-t", List.of(Api.ref("hugo", "h1"))).statusCode(200).body("lost[0].sessionId", equalTo("h1"));
        assertFalse(Api.online("hugo"), "the kicked session stays gone after its successor ended");
        // A session ended and then registered again (same id, e.g. a resumed socket) is live again.
        Api.register("gwen", "pod-t", "g1").statusCode(201);
        Api.refresh("pod-t", List.of(Api.ref("gwen", "g1"))).statusCode(200).body("lost", org.hamcrest.Matchers.hasSize(0));
        assertTrue(Api.online("gwen"));
    }

    @Test
    void reRegisteringTheSameSessionKicksNobodyAndKeepsItsStart() throws Exception {
        try (KickListener a = new KickListener(redis, "pod-r")) {
            long since = ((Number) Api.register("erin", "pod-r", "same").statusCode(201).extract().path("since")).longValue();
            Api.register("erin", "pod-r", "same").statusCode(201).body("displaced", nullValue())
                    .body("since", equalTo(since));
            redis.pubsub(String.class).publish("trtc:presence:kick:pod-r", "{\"type\":\"marker\"}");
            assertTrue(a.await(m -> !m.isEmpty(), Duration.ofSeconds(5)));
            assertEquals("marker", a.messages.get(0).get("type").asText());
        }
    }

    @Test
    void endingTakesTheUserOfflineOnlyForTheLiveSession() {
        Api.register("fred", "pod-e", "old").statusCode(201);
        Api.register("fred", "pod-e", "new").statusCode(201);
        Api.end("fred", "old").statusCode(200).body("ended", equalTo(false));
        assertTrue(Api.online("fred"), "ending a displaced session leaves the new one");
        Api.end("fred", "new").statusCode(200).body("ended", equalTo(true));
        assertFalse(Api.online("fred"));
    }
}
