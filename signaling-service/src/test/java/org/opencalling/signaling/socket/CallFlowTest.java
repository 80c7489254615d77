package org.opencalling.signaling.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.WsClient;

/** Call flows over real sockets; every frame between users goes through Redis pub/sub. */
@QuarkusTest
class CallFlowTest {
    @jakarta.inject.Inject
    org.opencalling.signaling.calls.CallService calls;

    @jakarta.inject.Inject
    org.opencalling.signaling.calls.CallStore store;

    /**
     * A kick handled late (the user logged in elsewhere, and the new session was called and
     * answered before this pod heard of the takeover) must not take the new session out of its
     * call; a call from before the takeover is left.
     */
    @Test
    void aDisplacedSessionLeavesOnlyTheCallsItHadBeforeTheTakeover() throws Exception {
        try (WsClient lou = user("lou7"); WsClient kim = user("kim7")) {
            long before = System.currentTimeMillis() - 1;
            lou.sendOnly("{\"type\":\"invite\",\"callees\":[\"kim7\"]}");
            String callId = lou.expect("invite-ok").get("callId").asText();
            kim.expect("invited");
            kim.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            lou.expect("accepted");
            calls.leaveDisplaced(SignalingTestResource.APP, "kim7", before); // the takeover came before this call
            assertEquals("accepted", stateOf(callId, "kim7"), "the new session's call is kept");
            calls.leaveDisplaced(SignalingTestResource.APP, "kim7", System.currentTimeMillis() + 1);
            assertEquals("left", stateOf(callId, "kim7"), "a call from before the takeover is left");
            assertEquals("kim7", lou.expect("left").get("userId").asText());
        }
    }

    String stateOf(String callId, String user) {
        return store.load(callId).participants().stream().filter(p -> p.userId().equals(user)).findFirst().orElseThrow()
                .state().wire();
    }

    @TestHTTPResource("/v1/signaling")
    URI uri;

    WsClient user(String name) throws Exception {
        return SignalingSocketTest.loggedIn(uri, name);
    }

    @Test
    void inviteAcceptRelayMediaHangup() throws Exception {
        try (WsClient alice = user("alice1"); WsClient bob = user("bob1"); WsClient mallory = user("mallory1")) {
            alice.sendOnly("{\"type\":\"invite\",\"id\":\"i\",\"callees\":[\"bob1\"],\"callType\":\"video\"}");
            String callId = alice.expect("invite-ok").get("callId").asText();
            JsonNode invited = bob.expect("invited");
            assertEquals(callId, invited.get("callId").asText());
            assertEquals("alice1", invited.get("caller").asText());
            assertEquals("video", invited.get("callType").asText());
            assertEquals(30, invited.get("timeoutSeconds").asInt());

            bob.sendOnly("{\"type\":\"accept\",\"id\":\"a\",\"callId\":\"" + callId + "\"}");
            bob.expect("accept-ok");
            assertEquals("bob1", alice.expect("accepted").get("userId").asText());

            alice.sendOnly("{\"type\":\"sdp\",\"callId\":\"" + callId + "\",\"to\":\"bob1\",\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}");
            JsonNode sdp = bob.expect("sdp");
            assertEquals("alice1", sdp.get("from").asText());
            assertEquals("offer", sdp.get("description").get("type").asText());
            bob.sendOnly("{\"type\":\"ice\",\"callId\":\"" + callId + "\",\"to\":\"alice1\",\"candidate\":{\"candidate\":\"c\"}}");
            assertEquals("bob1", alice.expect("ice").get("from").asText());

            // Someone outside the call cannot reach into it.
            mallory.sendOnly("{\"type\":\"sdp\",\"id\":\"m\",\"callId\":\"" + callId + "\",\"to\":\"bob1\",\"description\":{}}");
            assertEquals("not-in-call", mallory.expect("error").get("code").asText());

            alice.sendOnly("{\"type\":\"media\",\"callId\":\"" + callId + "\",\"video\":false}");
            JsonNode media = bob.expect("media");
            assertEquals("alice1", media.get("userId").asText());
            assertEquals(false, media.get("video").asBoolean());

            bob.sendOnly("{\"type\":\"hangup\",\"id\":\"h\",\"callId\":\"" + callId + "\"}");
            bob.expect("hangup-ok");
            assertEquals("bob1", alice.expect("left").get("userId").asText());
            JsonNode ended = alice.expect("ended");
            assertEquals("hangup", ended.get("reason").asText());
            assertTrue(ended.get("duration").asLong() >= 0);
            assertTrue(bob.skipped.stream().noneMatch(f -> f.path("type").asText().equals("sdp")
                    && f.path("from").asText().equals("mallory1")), "nothing from outside the call");
        }
    }

    @Test
    void noAnswerTimesOutEvenWithoutTheCallerDoingAnything() throws Exception {
        try (WsClient carol = user("carol1"); WsClient dave = user("dave1")) {
            carol.sendOnly("{\"type\":\"invite\",\"callees\":[\"dave1\"],\"callType\":\"audio\",\"timeoutSeconds\":1}");
            String callId = carol.expect("invite-ok").get("callId").asText();
            dave.expect("invited");
            assertEquals(callId, dave.expect("timeout").get("callId").asText());
            JsonNode noAnswer = carol.expect("no-answer");
            assertEquals("dave1", noAnswer.get("userIds").get(0).asText());
            assertEquals("timeout", carol.expect("ended").get("reason").asText());
        }
    }

    @Test
    void aCalleeInAnotherCallIsBusyAtOnce() throws Exception {
        try (WsClient erin = user("erin1"); WsClient fred = user("fred1"); WsClient gina = user("gina1")) {
            erin.sendOnly("{\"type\":\"invite\",\"callees\":[\"fred1\"]}");
            erin.expect("invite-ok");
            fred.expect("invited");
            gina.sendOnly("{\"type\":\"invite\",\"callees\":[\"fred1\"]}");
            gina.expect("invite-ok");
            assertEquals("fred1", gina.expect("busy").get("userId").asText());
            assertEquals("busy", gina.expect("ended").get("reason").asText());
            assertTrue(fred.skipped.stream().filter(f -> f.path("type").asText().equals("invited")).count() == 0,
                    "the busy callee is not rung again");
        }
    }

    @Test
    void rejectAndCancel() throws Exception {
        try (WsClient hal = user("hal1"); WsClient ida = user("ida1")) {
            hal.sendOnly("{\"type\":\"invite\",\"callees\":[\"ida1\"]}");
            String c1 = hal.expect("invite-ok").get("callId").asText();
            ida.expect("invited");
            ida.sendOnly("{\"type\":\"reject\",\"callId\":\"" + c1 + "\"}");
            assertEquals("ida1", hal.expect("rejected").get("userId").asText());
            assertEquals("rejected", hal.expect("ended").get("reason").asText());

            hal.sendOnly("{\"type\":\"invite\",\"callees\":[\"ida1\"]}");
            String c2 = hal.expect("invite-ok").get("callId").asText();
            assertEquals(c2, ida.expect("invited").get("callId").asText());
            hal.sendOnly("{\"type\":\"cancel\",\"callId\":\"" + c2 + "\"}");
            assertEquals(c2, ida.expect("cancelled").get("callId").asText());
            ida.sendOnly("{\"type\":\"accept\",\"id\":\"late\",\"callId\":\"" + c2 + "\"}");
            assertEquals("call-ended", ida.expect("error").get("code").asText());
        }
    }

    @Test
    void anInvitationWaitsForAnOfflineUserUntilItTimesOut() throws Exception {
        try (WsClient jane = user("jane1")) {
            jane.sendOnly("{\"type\":\"invite\",\"callees\":[\"kim1\"],\"timeoutSeconds\":30}");
            String callId = jane.expect("invite-ok").get("callId").asText();
            try (WsClient kim = user("kim1")) { // logs in after the invitation
                JsonNode invited = kim.expect("invited");
                assertEquals(callId, invited.get("callId").asText());
                assertTrue(invited.get("timeoutSeconds").asInt() <= 30 && invited.get("timeoutSeconds").asInt() >= 25);
                kim.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
                assertEquals("kim1", jane.expect("accepted").get("userId").asText());
            }
        }
    }

    @Test
    void aTimedOutInvitationIsNotDeliveredLater() throws Exception {
        try (WsClient liz = user("liz1")) {
            liz.sendOnly("{\"type\":\"invite\",\"callees\":[\"max1\"],\"timeoutSeconds\":1}");
            String expired = liz.expect("invite-ok").get("callId").asText();
            assertEquals("timeout", liz.expect("ended").get("reason").asText());
            try (WsClient max = user("max1")) {
                // A new invitation takes the same ordered route (the pod's Redis channel) as a held
                // one would: the first invitation max sees must be the new one.
                liz.sendOnly("{\"type\":\"invite\",\"callees\":[\"max1\"]}");
                String fresh = liz.expect("invite-ok").get("callId").asText();
                String first = max.expect("invited").get("callId").asText();
                assertEquals(fresh, first, "the timed-out invitation " + expired + " must not arrive");
            }
        }
    }

    @Test
    void aFourUserGroupCallWithMixedAnswersAndOneMoreInvited() throws Exception {
        try (WsClient ann = user("ann1"); WsClient ben = user("ben1"); WsClient cat = user("cat1");
             WsClient dan = user("dan1"); WsClient eli = user("eli1")) {
            ann.sendOnly("{\"type\":\"invite\",\"callees\":[\"ben1\",\"cat1\",\"dan1\"],\"groupId\":\"team\","
                    + "\"callType\":\"video\",\"timeoutSeconds\":2}");
            String callId = ann.expect("invite-ok").get("callId").asText();
            for (WsClient w : new WsClient[] {ben, cat, dan}) {
                JsonNode inv = w.expect("invited");
                assertEquals("team", inv.get("groupId").asText());
                assertEquals(3, inv.get("userIds").size());
            }
            ben.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            assertEquals("ben1", ann.expect("accepted").get("userId").asText());
            cat.sendOnly("{\"type\":\"reject\",\"callId\":\"" + callId + "\"}");
            assertEquals("cat1", ann.expect("rejected").get("userId").asText());
            assertEquals("cat1", ben.expect("rejected").get("userId").asText());
            // dan does not answer: after 2 s everyone in the call learns it.
            assertEquals("dan1", ann.expect("no-answer").get("userIds").get(0).asText());
            assertEquals("dan1", ben.expect("no-answer").get("userIds").get(0).asText());
            dan.expect("timeout");
            // The call goes on with two; ben invites eli into it.
            ben.sendOnly("{\"type\":\"invite-more\",\"id\":\"m\",\"callId\":\"" + callId + "\",\"users\":[\"eli1\"]}");
            ben.expect("invite-more-ok");
            assertEquals(callId, eli.expect("invited").get("callId").asText());
            assertTrue(ann.expect("invitee-list").get("userIds").toString().contains("eli1"));
            eli.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            assertEquals("eli1", ann.expect("accepted").get("userId").asText());
            assertEquals("eli1", ben.expect("accepted").get("userId").asText());
            // SDP between group members flows; to the one who rejected it does not.
            eli.sendOnly("{\"type\":\"sdp\",\"callId\":\"" + callId + "\",\"to\":\"ann1\",\"description\":{\"type\":\"offer\"}}");
            assertEquals("eli1", ann.expect("sdp").get("from").asText());
            eli.sendOnly("{\"type\":\"sdp\",\"id\":\"x\",\"callId\":\"" + callId + "\",\"to\":\"cat1\",\"description\":{}}");
            assertEquals("not-in-call", eli.expect("error").get("code").asText());
        }
    }

    @Test
    void aOneToOneCallExtendedByInviteMoreBecomesAGroupCallAndStaysPeerToPeer() throws Exception {
        try (WsClient ann = user("ann7"); WsClient ben = user("ben7"); WsClient cat = user("cat7")) {
            String callId = activeCall(ann, ben, "ben7");
            ann.sendOnly("{\"type\":\"invite-more\",\"id\":\"m\",\"callId\":\"" + callId
                    + "\",\"users\":[\"cat7\"],\"groupId\":\"team7\"}");
            ann.expect("invite-more-ok");
            JsonNode invited = cat.expect("invited");
            assertEquals("team7", invited.get("groupId").asText());
            assertEquals("p2p", invited.get("media").asText(), "placed peer to peer, it stays so");
            assertEquals("[\"cat7\"]", invited.get("ringing").toString());
            for (WsClient w : new WsClient[] {ann, ben}) {
                JsonNode list = w.expect("invitee-list");
                assertEquals("[\"ben7\",\"cat7\"]", list.get("userIds").toString());
                assertEquals("[\"cat7\"]", list.get("ringing").toString());
                assertEquals("team7", list.get("groupId").asText());
            }
            cat.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
            assertEquals("cat7", ann.expect("accepted").get("userId").asText());
            assertEquals("cat7", ben.expect("accepted").get("userId").asText());
            ann.sendOnly("{\"type\":\"invite-more\",\"id\":\"x\",\"callId\":\"" + callId
                    + "\",\"users\":[\"dee7\"],\"groupId\":5}");
            assertEquals("invalid-field", ann.expect("error").get("code").asText());
        }
    }

    String activeCall(WsClient caller, WsClient callee, String calleeId) throws Exception {
        caller.sendOnly("{\"type\":\"invite\",\"callees\":[\"" + calleeId + "\"]}");
        String callId = caller.expect("invite-ok").get("callId").asText();
        callee.expect("invited");
        callee.sendOnly("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
        caller.expect("accepted");
        return callId;
    }

    @Test
    void aDroppedSocketResumesWithinTheGracePeriodAndKeepsItsCall() throws Exception {
        try (WsClient ann = user("ann2")) {
            WsClient bob = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN);
            bob.sendOnly(SignalingSocketTest.login("bob2", SignalingSocketTest.userSig("bob2", 600)));
            String session = bob.expect("login-ok").get("sessionId").asText();
            String callId = activeCall(ann, bob, "bob2");
            bob.close(); // the network drops
            try (WsClient again = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
                again.sendOnly("{\"type\":\"login\",\"sdkAppId\":" + SignalingTestResource.APP + ",\"userId\":\"bob2\","
                        + "\"userSig\":\"" + SignalingSocketTest.userSig("bob2", 600) + "\",\"resume\":\"" + session + "\"}");
                JsonNode ok = again.expect("login-ok");
                assertTrue(ok.get("resumed").asBoolean());
                assertEquals(session, ok.get("sessionId").asText());
                again.sendOnly("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
                again.expect("hangup-ok");
                assertEquals("bob2", ann.expect("left").get("userId").asText());
                assertEquals("hangup", ann.expect("ended").get("reason").asText(), "the call lived through the drop");
            }
        }
    }

    @Test
    void afterTheGracePeriodTheOthersGetUserLeave() throws Exception {
        try (WsClient ann = user("ann3")) {
            WsClient bob = user("bob3");
            activeCall(ann, bob, "bob3");
            bob.close(); // and never comes back
            assertEquals("bob3", ann.expect("left").get("userId").asText());
            assertEquals("hangup", ann.expect("ended").get("reason").asText());
        }
    }

    @Test
    void framesSentWhileTheSocketIsAwayArriveAfterTheResume() throws Exception {
        try (WsClient amy = user("amy4")) {
            WsClient bo = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN);
            bo.sendOnly(SignalingSocketTest.login("bo4", SignalingSocketTest.userSig("bo4", 600)));
            String session = bo.expect("login-ok").get("sessionId").asText();
            String callId = activeCall(amy, bo, "bo4");
            bo.close();
            awaitOpenConnections(1); // the server saw bo's socket go (only amy's is left)
            // While bo is away, amy turns her camera off and sends an ICE candidate.
            amy.sendOnly("{\"type\":\"media\",\"callId\":\"" + callId + "\",\"video\":false}");
            amy.sendOnly("{\"type\":\"ice\",\"callId\":\"" + callId + "\",\"to\":\"bo4\",\"candidate\":{\"candidate\":\"held\"}}");
            amy.sendOnly("{\"type\":\"ping\",\"id\":\"p\"}");
            amy.expect("pong"); // both were routed before the resume below
            try (WsClient again = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
                again.sendOnly("{\"type\":\"login\",\"sdkAppId\":" + SignalingTestResource.APP + ",\"userId\":\"bo4\","
                        + "\"userSig\":\"" + SignalingSocketTest.userSig("bo4", 600) + "\",\"resume\":\"" + session + "\"}");
                assertTrue(again.next().get("resumed").asBoolean(), "login-ok comes first");
                JsonNode media = again.next();
                assertEquals("media", media.get("type").asText(), media.toString());
                assertEquals(false, media.get("video").asBoolean());
                JsonNode ice = again.next();
                assertEquals("held", ice.get("candidate").get("candidate").asText(), "in the order they were sent");
            }
        }
    }

    @Test
    void logoutLeavesTheCallAndClosesTheSocket() throws Exception {
        try (WsClient cy = user("cy4"); WsClient di = user("di4")) {
            String callId = activeCall(cy, di, "di4");
            di.sendOnly("{\"type\":\"logout\",\"id\":\"bye\"}");
            assertEquals("bye", di.expect("logout-ok").get("id").asText());
            assertEquals(1000, di.closedWith.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("di4", cy.expect("left").get("userId").asText());
            assertEquals(callId, cy.expect("ended").get("callId").asText());
            // di is offline now: a new invitation is held, not delivered to a ghost socket.
            cy.sendOnly("{\"type\":\"invite\",\"callees\":[\"di4\"],\"timeoutSeconds\":30}");
            String next = cy.expect("invite-ok").get("callId").asText();
            try (WsClient back = user("di4")) {
                assertEquals(next, back.expect("invited").get("callId").asText());
            }
        }
    }

    @Test
    void invitingMoreSomeoneInAnotherCallIsAnsweredBusy() throws Exception {
        try (WsClient amy = user("amy6"); WsClient bea = user("bea6"); WsClient cid = user("cid6"); WsClient dot = user("dot6")) {
            amy.sendOnly("{\"type\":\"invite\",\"callees\":[\"bea6\"],\"groupId\":\"g6\"}");
            String group = amy.expect("invite-ok").get("callId").asText();
            bea.expect("invited");
            bea.sendOnly("{\"type\":\"accept\",\"callId\":\"" + group + "\"}");
            amy.expect("accepted");
            activeCall(cid, dot, "dot6"); // dot is in another call
            bea.sendOnly("{\"type\":\"invite-more\",\"id\":\"m\",\"callId\":\"" + group + "\",\"users\":[\"dot6\"]}");
            bea.expect("invite-more-ok");
            assertEquals("dot6", amy.expect("busy").get("userId").asText());
            assertEquals("dot6", bea.expect("busy").get("userId").asText());
            // The group call goes on; dot was never rung for it.
            amy.sendOnly("{\"type\":\"media\",\"callId\":\"" + group + "\",\"audio\":false}");
            assertEquals("amy6", bea.expect("media").get("userId").asText());
            assertTrue(dot.skipped.stream().noneMatch(f -> group.equals(f.path("callId").asText())), "dot: " + dot.skipped);
        }
    }

    @Test
    void aResumeTakesOverASocketTheServerStillThinksOpen() throws Exception {
        try (WsClient eva = user("eva7"); WsClient fin = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")),
                SignalingSocketTest.ORIGIN)) {
            fin.sendOnly(SignalingSocketTest.login("fin7", SignalingSocketTest.userSig("fin7", 600)));
            String session = fin.expect("login-ok").get("sessionId").asText();
            String callId = activeCall(eva, fin, "fin7");
            // The client believes its socket dead (the server does not know yet) and resumes on a new one.
            try (WsClient again = new WsClient(URI.create(uri.toString().replaceFirst("^http", "ws")), SignalingSocketTest.ORIGIN)) {
                again.sendOnly("{\"type\":\"login\",\"sdkAppId\":" + SignalingTestResource.APP + ",\"userId\":\"fin7\","
                        + "\"userSig\":\"" + SignalingSocketTest.userSig("fin7", 600) + "\",\"resume\":\"" + session + "\"}");
                JsonNode ok = again.expect("login-ok");
                assertTrue(ok.get("resumed").asBoolean(), ok.toString());
                assertEquals(session, ok.get("sessionId").asText());
                assertEquals(org.opencalling.signaling.protocol.CloseCode.RESUMED_ELSEWHERE.code(),
                        fin.closedWith.get(5, java.util.concurrent.TimeUnit.SECONDS));
                eva.sendOnly("{\"type\":\"media\",\"callId\":\"" + callId + "\",\"video\":false}");
                assertEquals("eva7", again.expect("media").get("userId").asText(), "the call goes on, on the new socket");
                assertTrue(eva.skipped.stream().noneMatch(f -> f.path("type").asText().equals("left")), "fin never left");
            }
        }
    }

    @Test
    void twoCallsRacingForOneCalleeRingItOnce() throws Exception {
        try (WsClient gia = user("gia7"); WsClient hugo = user("hugo7"); WsClient ines = user("ines7")) {
            // Both invitations leave at once; whichever is stored first rings ines, the other is busy.
            gia.ws.sendText("{\"type\":\"invite\",\"callees\":[\"ines7\"]}", true);
            hugo.ws.sendText("{\"type\":\"invite\",\"callees\":[\"ines7\"]}", true);
            String g = gia.expect("invite-ok").get("callId").asText();
            String h = hugo.expect("invite-ok").get("callId").asText();
            String rung = ines.expect("invited").get("callId").asText();
            WsClient loser = rung.equals(g) ? hugo : gia;
            assertEquals("ines7", loser.expect("busy").get("userId").asText());
            assertTrue(rung.equals(g) || rung.equals(h));
            // A caller in a call cannot start another one.
            ines.sendOnly("{\"type\":\"accept\",\"callId\":\"" + rung + "\"}");
            ines.expect("accept-ok");
            ines.sendOnly("{\"type\":\"invite\",\"id\":\"again\",\"callees\":[\"hugo7\"]}");
            assertEquals("already-in-call", ines.expect("error").get("code").asText());
        }
    }

    @Test
    void aSessionDisplacedByANewLoginLeavesItsCall() throws Exception {
        try (WsClient kit = user("kit9"); WsClient lou = user("lou9")) {
            String callId = activeCall(kit, lou, "lou9");
            try (WsClient louAgain = user("lou9")) { // a fresh login (no resume) elsewhere
                lou.expect("kicked");
                assertEquals(org.opencalling.signaling.protocol.CloseCode.KICKED.code(),
                        lou.closedWith.get(5, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals("lou9", kit.expect("left").get("userId").asText());
                assertEquals(callId, kit.expect("ended").get("callId").asText());
                // The new session is free to take calls.
                kit.sendOnly("{\"type\":\"invite\",\"callees\":[\"lou9\"]}");
                String next = kit.expect("invite-ok").get("callId").asText();
                assertEquals(next, louAgain.expect("invited").get("callId").asText());
            }
        }
    }

    /** Waits (up to 10 s) until the server counts exactly n open sockets. */
    static void awaitOpenConnections(int n) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = io.restassured.RestAssured.get("/q/metrics").asString().lines()
                    .filter(l -> l.startsWith("signaling_connections ")).findFirst().orElse("");
            if (last.equals("signaling_connections " + n + ".0")) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("expected " + n + " open connections, metrics say: " + last);
    }
}
