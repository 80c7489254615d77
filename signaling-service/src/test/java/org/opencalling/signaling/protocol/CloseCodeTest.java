package org.opencalling.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CloseCodeTest {
    /** The SDK reconnects or not by these numbers (docs/protocol.md): they are the wire contract. */
    @Test
    void theCodesAreTheProtocolsAndDistinct() {
        Map<CloseCode, Integer> codes = Arrays.stream(CloseCode.values()).collect(Collectors.toMap(c -> c, CloseCode::code));
        assertEquals(Map.of(CloseCode.LOGGED_OUT, 1000, CloseCode.POLICY, 1008, CloseCode.FRAME_TOO_LARGE, 1009,
                CloseCode.INTERNAL, 1011, CloseCode.SERVICE_RESTART, 1012, CloseCode.KICKED, 4001,
                CloseCode.RESUMED_ELSEWHERE, 4002, CloseCode.KEEP_ALIVE_TIMEOUT, 4003), codes);
        assertEquals(codes.size(), codes.values().stream().distinct().count());
        assertEquals("too many messages", CloseCode.POLICY.close("too many messages").getMessage());
        assertEquals(4001, CloseCode.KICKED.close().getCode());
    }
}
