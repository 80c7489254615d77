package org.opencalling.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class StreamFramingTest {
    @Test
    void stunMessagesAreTheirHeaderAndLength() {
        byte[] stun = Rfc5769Test.SAMPLE_REQUEST;
        assertEquals(stun.length, StreamFraming.frameLength(stun, 0, stun.length));
        assertEquals(stun.length, StreamFraming.messageLength(stun, 0, stun.length));
        assertEquals(StreamFraming.NEED_MORE, StreamFraming.frameLength(stun, 0, stun.length - 1));
        assertEquals(StreamFraming.NEED_MORE, StreamFraming.frameLength(stun, 0, 3));
    }

    @Test
    void channelDataIsPaddedOnStreamsButHandedOnWithoutThePadding() {
        byte[] frame = HexFormat.of().parseHex("4001000501020304050000009999");
        assertEquals(12, StreamFraming.frameLength(frame, 0, frame.length), "4 + 5 rounded up to 8");
        assertEquals(9, StreamFraming.messageLength(frame, 0, 12));
        assertEquals(StreamFraming.NEED_MORE, StreamFraming.frameLength(frame, 0, 11));
    }

    @Test
    void anythingElseCannotBeFramed() {
        for (int first : new int[] {0x80, 0xC0, 0xFF}) {
            byte[] b = {(byte) first, 0, 0, 0};
            assertEquals(StreamFraming.UNFRAMEABLE, StreamFraming.frameLength(b, 0, 4));
        }
    }

    @Test
    void theLongestFramesFitTheLimit() {
        byte[] stun = {0, 1, (byte) 0xFF, (byte) 0xFF};
        assertEquals(StreamFraming.NEED_MORE, StreamFraming.frameLength(stun, 0, 4));
        byte[] longest = new byte[StreamFraming.MAX_FRAME];
        System.arraycopy(stun, 0, longest, 0, 4);
        assertEquals(StreamFraming.MAX_FRAME, StreamFraming.frameLength(longest, 0, longest.length));
        byte[] channel = new byte[4 + 0x10000];
        channel[0] = 0x40;
        channel[2] = (byte) 0xFF;
        channel[3] = (byte) 0xFF;
        assertEquals(4 + 0x10000, StreamFraming.frameLength(channel, 0, channel.length), "padded: 65535 → 65536");
    }
}
