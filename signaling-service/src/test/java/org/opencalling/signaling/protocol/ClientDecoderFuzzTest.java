package org.opencalling.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.opencalling.usersig.UserIds;

/**
 * Coverage-guided fuzzing of the signaling frame decoder, which reads every browser frame: a
 * frame decodes to a message whose fields hold their rules, or to an error code and message;
 * nothing throws.
 */
class ClientDecoderFuzzTest {
    static final ClientDecoder DECODER = new ClientDecoder(new ObjectMapper());

    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void framesFromBrowsers(byte[] frame) {
        // Bytes, not a String parameter: the saved inputs are then plain frames anyone can read and add.
        ClientDecoder.Result r = DECODER.decode(new String(frame, StandardCharsets.UTF_8));
        if (!r.ok()) {
            assertNotNull(r.code());
            assertNotNull(r.error());
            return;
        }
        ClientMessage m = r.message();
        if (m instanceof ClientMessage.Invite i) {
            assertTrue(!i.callees().isEmpty() && i.callees().size() <= ClientDecoder.MAX_CALLEES, i.toString());
            assertTrue(i.callees().stream().allMatch(UserIds::isValid), i.toString());
            assertTrue(i.timeoutSeconds() >= 1 && i.timeoutSeconds() <= ClientDecoder.MAX_TIMEOUT_SECONDS, i.toString());
            assertTrue(i.groupId() == null || (!i.groupId().isEmpty() && i.groupId().length() <= ClientDecoder.MAX_GROUP_ID));
            assertNotNull(i.callType());
        } else if (m instanceof ClientMessage.Login l) {
            assertTrue(UserIds.isValid(l.userId()) && l.sdkAppId() > 0 && l.userSig() != null, l.toString());
        } else if (m instanceof ClientMessage.InviteMore more) {
            assertTrue(more.users().stream().allMatch(UserIds::isValid) && more.callId() != null, more.toString());
        } else if (m instanceof ClientMessage.Media media) {
            assertTrue(media.state().matches("(video|audio)-(on|off)"), media.toString());
        } else if (m instanceof ClientMessage.Sfu sfu) {
            assertTrue(sfu.callId() != null && (!sfu.answer() || sfu.sdp() != null), sfu.toString());
        } else if (m instanceof ClientMessage.Relay relay) {
            assertTrue(relay.callId() != null && relay.to() != null && relay.payload() != null, relay.toString());
        }
    }
}
