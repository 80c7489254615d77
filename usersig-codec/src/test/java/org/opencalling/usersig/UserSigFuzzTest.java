package org.opencalling.usersig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the UserSig decoder and verifier, which every login feeds with a
 * string from the browser. Half the inputs are taken as the ticket itself (base64, zlib), half
 * as the JSON document inside it, wrapped as a real ticket would be, so the fuzzer reaches the
 * document's parsing and checks too. Nothing may throw; a forged ticket never verifies.
 */
class UserSigFuzzTest {
    static final long APP = 1_400_000_000L;
    static final UserSigVerifier VERIFIER = new UserSigVerifier(Applications.parse(Map.of("fuzz", APP + ":fuzz-secret")));

    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void ticketsFromBrowsers(FuzzedDataProvider data) {
        boolean wrapped = data.consumeBoolean();
        String userSig;
        if (wrapped) {
            byte[] document = data.consumeRemainingAsBytes();
            byte[] z = SmallDeflate.zlib(document);
            userSig = SigBase64.encode(z, z.length);
        } else {
            userSig = data.consumeRemainingAsString();
        }
        DecodedUserSig decoded = UserSigCodec.decode(userSig);
        Verification v = VERIFIER.verify(APP, decoded == null ? "u" : decoded.identifier(), userSig, 1_700_000_000L);
        assertNotNull(v.result());
        if (decoded == null) {
            assertEquals(UserSigResult.MALFORMED, v.result());
        }
        // Without the secret key the fuzzer cannot sign: nothing it makes may pass.
        assertEquals(false, v.valid(), "a ticket the fuzzer made verified: " + userSig);
    }
}
