package org.opencalling.stun;

/**
 * Coverage-guided fuzzing (Jazzer) of what the relay reads from the network: STUN/TURN messages
 * and ChannelData. In {@code ./mvnw verify} it replays the saved inputs
 * ({@code StunDecoderFuzzTestInputs/}); {@code bench/fuzz} runs it for a million inputs.
 */
class StunDecoderFuzzTest {
    final StunDecoder decoder = new StunDecoder();

    // Spelled out: this package has a FuzzTest of its own (random packets, no coverage guidance).
    @com.code_intelligence.jazzer.junit.FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void packetsFromOutside(byte[] packet) {
        FuzzTest.exercise(decoder, packet);
    }
}
