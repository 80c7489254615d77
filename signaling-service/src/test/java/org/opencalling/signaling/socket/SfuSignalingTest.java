package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencalling.signaling.sfu.SfuOutbox;
import org.opencalling.signaling.sfu.SfuRooms;
import org.opencalling.testsupport.WsClient;

/**
 * Signaling's side of SFU rooms over a real Redis: which calls use the SFU, who may join, which
 * node a room goes to (the least loaded live one; a dead one is skipped and forgotten), the
 * commands queued for it, and offers from the node routed to the member's socket.
 */
@QuarkusTest
class SfuSignalingTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/signaling")
    URI uri;

    @Inject
    RedisDataSource redis;

    @BeforeEach
    void noNodes() {
        redis.key().del(SfuRooms.NODES, SfuRooms.NODE_PREFIX + "busy", SfuRooms.NODE_PREFIX + "idle",
                SfuRooms.COMMANDS_PREFIX + "busy", SfuRooms.COMMANDS_PREFIX + "idle", SfuRooms.COMMANDS_PREFIX + "dead");
    }

    JsonNode nextCommand(String node) throws Exception {
        long until = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < until) {
            String c = redis.list(String.class).lpop(SfuRooms.COMMANDS_PREFIX + node);
            if (c != null) {
                return JSON.readTree(c);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no command for " + node);
    }

    void alive(String node, int participants) {
        redis.value(String.class).set(SfuRooms.NODE_PREFIX + node, "{\"node\":\"" + node + "\"}",
                new SetArgs().ex(Duration.ofSeconds(30)));
        redis.sortedSet(String.class).zadd(SfuRooms.NODES, participants, node);
    }

    @Test
    void aGroupCallsRoomGoesToTheLeastLoadedLiveNodeAndItsOffersReachTheMembers() throws Exception {
        try (WsClient a = SignalingSocketTest.loggedIn(uri, "sfa"); WsClient b = SignalingSocketTest.loggedIn(uri, "sfb");
             WsClient e = SignalingSocketTest.loggedIn(uri, "sfe")) {
            a.sendOnly("{\"type\":\"invite\",\"id\":\"i\",\"callees\":[\"sfb\"],\"groupId\":\"team\",\"callType\":\"video\"}");
            JsonNode ok = a.expect("invite-ok");
            String callId = ok.get("callId").asText();
            assertEquals("sfu", ok.get("media").asText(), "a group call's media goes through the SFU");
            assertEquals("sfu", b.expect("invited").get("media").asText());

            a.sendOnly("{\"type\":\"sfu-join\",\"id\":\"j\",\"callId\":\"" + callId + "\"}");
            assertEquals("sfu-unavailable", a.expect("error").get("code").asText(), "no node yet");

            alive("busy", 40);
            alive("idle", 3);
            redis.sortedSet(String.class).zadd(SfuRooms.NODES, 0, "dead"); // listed, but its key expired
            a.sendOnly("{\"type\":\"sfu-join\",\"id\":\"v\",\"callId\":\"" + callId + "\",\"videoCodecs\":\"H264\"}");
            assertEquals("invalid-field", a.expect("error").get("code").asText(), "videoCodecs is a list");
            a.sendOnly("{\"type\":\"sfu-join\",\"id\":\"w\",\"callId\":\"" + callId + "\",\"videoCodecs\":[\"H264;x\"]}");
            assertEquals("invalid-field", a.expect("error").get("code").asText(), "of codec names");
            a.sendOnly("{\"type\":\"sfu-join\",\"id\":\"t\",\"callId\":\"" + callId + "\",\"transport\":\"a b\"}");
            assertEquals("invalid-field", a.expect("error").get("code").asText(), "a transport name is a token");
            a.sendOnly("{\"type\":\"sfu-join\",\"callId\":\"" + callId + "\",\"transport\":\"t1\",\"videoCodecs\":[\"H264\",\"VP8\"]}");
            JsonNode join = nextCommand("idle");
            assertEquals("join", join.get("op").asText());
            assertEquals("[\"H264\",\"VP8\"]", join.get("codecs").toString(), "the browser's codecs, in its order");
            assertEquals("t1", join.get("transport").asText());
            assertEquals(callId, join.get("room").asText());
            assertEquals("sfa", join.get("user").asText());
            assertTrue(join.get("video").asBoolean());
            assertEquals("idle", redis.value(String.class).get(SfuRooms.ROOM_PREFIX + callId));
            assertTrue(redis.sortedSet(String.class).zscore(SfuRooms.NODES, "dead").isEmpty(), "a dead node is forgotten");

            // Only members in the call: a ringing callee and a stranger are refused.
            b.sendOnly("{\"type\":\"sfu-join\",\"id\":\"r\",\"callId\":\"" + callId + "\"}");
            assertEquals("not-in-call", b.expect("error").get("code").asText());
            e.sendOnly("{\"type\":\"sfu-answer\",\"id\":\"s\",\"callId\":\"" + callId + "\",\"sdp\":\"v=0\"}");
            assertEquals("not-in-call", e.expect("error").get("code").asText());

            b.sendOnly("{\"type\":\"accept\",\"id\":\"a\",\"callId\":\"" + callId + "\"}");
            b.expect("accept-ok");
            // The room stays on its node even when another becomes less loaded.
            alive("busy", 0);
            b.sendOnly("{\"type\":\"sfu-join\",\"callId\":\"" + callId + "\"}");
            assertEquals("sfb", nextCommand("idle").get("user").asText());

            // The node's offer, queued in Redis, reaches the member's socket.
            redis.list(String.class).rpush(SfuOutbox.OUT, "{\"op\":\"offer\",\"room\":\"" + callId
                    + "\",\"app\":" + SignalingTestResource.APP + ",\"user\":\"sfb\",\"sdp\":\"v=0 offer\",\"node\":\"idle\",\"transport\":\"tb\"}");
            redis.list(String.class).rpush(SfuOutbox.OUT, "{\"op\":\"error\",\"room\":\"" + callId + "\",\"app\":"
                    + SignalingTestResource.APP + ",\"user\":\"sfb\",\"message\":\"this call's video is H264\",\"code\":\"sfu-codec\"}");
            assertEquals("sfu-codec", b.expect("error").get("code").asText(), "a codec refusal keeps its code");
            JsonNode offer = b.expect("sfu-offer");
            assertEquals(callId, offer.get("callId").asText());
            assertEquals("idle", offer.get("node").asText(), "the SDK learns which node its transport is on");
            assertEquals("tb", offer.get("transport").asText(), "and which of its transports the offer is for");
            assertEquals("v=0 offer", offer.get("sdp").asText());
            b.sendOnly("{\"type\":\"sfu-answer\",\"callId\":\"" + callId + "\",\"sdp\":\"v=0 answer\"}");
            JsonNode answer = nextCommand("idle");
            assertEquals("answer", answer.get("op").asText());
            assertEquals("v=0 answer", answer.get("sdp").asText());

            // A dead node: the next join moves the room, and the old node is told to drop it.
            redis.key().del(SfuRooms.NODE_PREFIX + "idle");
            a.sendOnly("{\"type\":\"sfu-join\",\"callId\":\"" + callId + "\"}");
            assertEquals("end", nextCommand("idle").get("op").asText());
            assertEquals("join", nextCommand("busy").get("op").asText());
            assertEquals("busy", redis.value(String.class).get(SfuRooms.ROOM_PREFIX + callId));
            // The other member, still on the dead node (its browser may not have noticed), is told.
            JsonNode gone = b.expect("sfu-gone");
            assertEquals(callId, gone.get("callId").asText());
            assertEquals("idle", gone.get("node").asText());

            // Leaving, then the end of the call, go to the room's node.
            b.sendOnly("{\"type\":\"hangup\",\"id\":\"h\",\"callId\":\"" + callId + "\"}");
            JsonNode leave = nextCommand("busy");
            assertEquals("leave", leave.get("op").asText());
            assertEquals("sfb", leave.get("user").asText());
            assertEquals("end", nextCommand("busy").get("op").asText(), "one member left: the call ended");
            assertEquals(null, redis.value(String.class).get(SfuRooms.ROOM_PREFIX + callId), "the room record goes with it");
        }
    }

    @Test
    void oneToOneCallsArePeerToPeer() throws Exception {
        try (WsClient c = SignalingSocketTest.loggedIn(uri, "sfc"); WsClient d = SignalingSocketTest.loggedIn(uri, "sfd")) {
            c.sendOnly("{\"type\":\"invite\",\"id\":\"i\",\"callees\":[\"sfd\"],\"callType\":\"audio\"}");
            JsonNode ok = c.expect("invite-ok");
            assertEquals("p2p", ok.get("media").asText());
            assertEquals("p2p", d.expect("invited").get("media").asText());
            c.sendOnly("{\"type\":\"sfu-join\",\"id\":\"j\",\"callId\":\"" + ok.get("callId").asText() + "\"}");
            assertEquals("not-sfu", c.expect("error").get("code").asText());
        }
    }
}
