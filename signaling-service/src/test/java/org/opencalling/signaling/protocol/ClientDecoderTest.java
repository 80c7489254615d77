package org.opencalling.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencalling.signaling.calls.CallType;

class ClientDecoderTest {
    final ClientDecoder decoder = new ClientDecoder(new ObjectMapper());

    ClientDecoder.Result refused(String text, String code) {
        ClientDecoder.Result r = decoder.decode(text);
        assertFalse(r.ok(), text);
        assertNull(r.message());
        assertEquals(code, r.code(), text + ": " + r.error());
        return r;
    }

    @Test
    void anInvitationWithItsFieldsTyped() {
        ClientDecoder.Result r = decoder.decode("{\"type\":\"invite\",\"id\":\"7\",\"callees\":[\"bob\",\"carol\",\"bob\"],"
                + "\"callType\":\"audio\",\"groupId\":\"team\",\"timeoutSeconds\":45}");
        assertTrue(r.ok(), r.error());
        ClientMessage.Invite i = assertInstanceOf(ClientMessage.Invite.class, r.message());
        assertEquals("7", i.id());
        assertEquals(List.of("bob", "carol"), i.callees(), "repeats dropped, order kept");
        assertEquals(CallType.AUDIO, i.callType());
        assertEquals("team", i.groupId());
        assertEquals(45, i.timeoutSeconds());
        ClientMessage.Invite plain = (ClientMessage.Invite) decoder.decode("{\"type\":\"invite\",\"callees\":[\"bob\"]}").message();
        assertEquals(CallType.VIDEO, plain.callType());
        assertEquals(30, plain.timeoutSeconds());
        assertNull(plain.groupId());
    }

    @Test
    void everyCallMessageDecodes() {
        assertInstanceOf(ClientMessage.Ping.class, decoder.decode("{\"type\":\"ping\"}").message());
        assertEquals("resume-me", ((ClientMessage.Login) decoder.decode("{\"type\":\"login\",\"sdkAppId\":1400000000,"
                + "\"userId\":\"alice\",\"userSig\":\"x\",\"resume\":\"resume-me\"}").message()).resume());
        assertEquals("accept", ((ClientMessage.Answer) decoder.decode("{\"type\":\"accept\",\"callId\":\"c\"}").message()).type());
        assertEquals(CallType.AUDIO, ((ClientMessage.SwitchType) decoder.decode(
                "{\"type\":\"switch-type\",\"callId\":\"c\",\"callType\":\"audio\"}").message()).callType());
        ClientMessage.InviteMore more = (ClientMessage.InviteMore) decoder.decode(
                "{\"type\":\"invite-more\",\"callId\":\"c\",\"users\":[\"dave\"]}").message();
        assertEquals(List.of("dave"), more.users());
        assertNull(more.groupId());
        assertEquals("video-off", ((ClientMessage.Media) decoder.decode(
                "{\"type\":\"media\",\"callId\":\"c\",\"video\":false}").message()).state());
        ClientMessage.Relay ice = (ClientMessage.Relay) decoder.decode(
                "{\"type\":\"ice\",\"callId\":\"c\",\"to\":\"bob\",\"candidate\":[{\"candidate\":\"x\"}]}").message();
        assertTrue(ice.payload().isArray());
        ClientMessage.Sfu sfu = (ClientMessage.Sfu) decoder.decode(
                "{\"type\":\"sfu-answer\",\"callId\":\"c\",\"sdp\":\"v=0\",\"videoCodecs\":[\"H264\"],\"transport\":\"t-1\"}").message();
        assertTrue(sfu.answer());
        assertEquals(List.of("H264"), sfu.videoCodecs());
        assertInstanceOf(ClientMessage.Logout.class, decoder.decode("{\"type\":\"logout\"}").message());
    }

    @Test
    void badFramesAreErrorValuesNamingTheProblem() {
        refused("not json", "malformed-json");
        refused("[1,2]", "malformed-message");
        refused("{\"id\":\"1\"}", "missing-field");
        assertEquals("1", refused("{\"type\":\"teleport\",\"id\":\"1\"}", "unknown-type").id());
        assertEquals("invite", refused("{\"type\":\"invite\"}", "invalid-field").type(), "the type is known even so");
        refused("{\"type\":\"invite\",\"callees\":[\"b o b\"]}", "invalid-user-id");
        refused("{\"type\":\"invite\",\"callees\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\","
                + "\"n\",\"o\",\"p\",\"q\"]}", "invalid-field");
        refused("{\"type\":\"invite\",\"callees\":[\"bob\"],\"timeoutSeconds\":301}", "invalid-field");
        refused("{\"type\":\"invite\",\"callees\":[\"bob\"],\"callType\":\"hologram\"}", "invalid-field");
        refused("{\"type\":\"invite\",\"callees\":[\"bob\"],\"groupId\":\"" + "g".repeat(65) + "\"}", "invalid-field");
        refused("{\"type\":\"login\",\"userId\":\"alice\"}", "missing-field");
        refused("{\"type\":\"login\",\"sdkAppId\":\"1\",\"userId\":\"alice\",\"userSig\":\"x\"}", "invalid-field");
        refused("{\"type\":\"login\",\"sdkAppId\":1,\"userId\":\"al ice\",\"userSig\":\"x\"}", "invalid-user-id");
        refused("{\"type\":\"login\",\"sdkAppId\":1,\"userId\":\"alice\",\"userSig\":5}", "invalid-field");
        refused("{\"type\":\"hangup\"}", "missing-field");
        refused("{\"type\":\"sdp\",\"callId\":\"c\",\"to\":\"bob\"}", "missing-field");
        refused("{\"type\":\"sfu-answer\",\"callId\":\"c\"}", "missing-field");
        refused("{\"type\":\"sfu-join\",\"callId\":\"c\",\"videoCodecs\":[\"VP8;drop\"]}", "invalid-field");
        refused("{\"type\":\"sfu-join\",\"callId\":\"c\",\"transport\":\"" + "t".repeat(41) + "\"}", "invalid-field");
        refused("{\"type\":\"media\",\"callId\":\"c\",\"video\":\"off\"}", "invalid-field");
        refused("{\"type\":\"invite-more\",\"callId\":\"c\",\"users\":[]}", "invalid-field");
        refused("{\"type\":\"invite-more\",\"callId\":\"c\",\"users\":[\"dave\"],\"groupId\":7}", "invalid-field");
        refused("{\"type\":\"switch-type\",\"callId\":\"c\"}", "invalid-field");
        refused("[".repeat(5000) + "]".repeat(5000), "malformed-json");
    }
}
