package org.opencalling.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of TURN-over-TCP framing: a stream read in whatever pieces the network
 * gives must split into the same frames as when read whole, and stop at the same place.
 */
class StreamFramingFuzzTest {
    /** Frames as (stream offset, frame length, message length), then the end: (offset, NEED_MORE or UNFRAMEABLE, 0). */
    static List<List<Integer>> frames(byte[] stream, int[] chunks) {
        List<List<Integer>> out = new ArrayList<>();
        byte[] buf = new byte[StreamFraming.MAX_FRAME + 4];
        int start = 0;
        int end = 0;
        int consumed = 0;
        int fed = 0;
        int chunk = 0;
        while (true) {
            int frame = StreamFraming.frameLength(buf, start, end - start);
            if (frame > 0) {
                int message = StreamFraming.messageLength(buf, start, frame);
                assertTrue(frame >= 4 && frame <= StreamFraming.MAX_FRAME + 1 && message >= 4 && message <= frame,
                        frame + "/" + message);
                out.add(List.of(consumed, frame, message));
                start += frame;
                consumed += frame;
                continue;
            }
            if (frame == StreamFraming.UNFRAMEABLE || fed == stream.length) {
                out.add(List.of(consumed, frame, 0));
                return out;
            }
            System.arraycopy(buf, start, buf, 0, end - start); // as ByteBuffer.compact()
            end -= start;
            start = 0;
            int n = Math.min(Math.min(stream.length - fed, buf.length - end), Math.max(1, chunks[chunk++ % chunks.length]));
            System.arraycopy(stream, fed, buf, end, n);
            end += n;
            fed += n;
        }
    }

    @com.code_intelligence.jazzer.junit.FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void aStreamInAnyPiecesFramesAsWhole(FuzzedDataProvider data) {
        int[] chunks = data.consumeInts(8);
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = 1 + Math.floorMod(chunks[i], 200);
        }
        byte[] stream = data.consumeRemainingAsBytes();
        assertEquals(frames(stream, new int[] {Integer.MAX_VALUE}), frames(stream, chunks.length == 0 ? new int[] {1} : chunks));
    }
}
