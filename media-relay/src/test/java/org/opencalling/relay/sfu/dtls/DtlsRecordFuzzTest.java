package org.opencalling.relay.sfu.dtls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.opencalling.relay.sfu.srtp.SrtpKeys;

/**
 * Coverage-guided fuzzing of the DTLS entry: datagrams a member sends to the SFU before and
 * during its handshake go through the record checks into a real handshake (BouncyCastle's DTLS
 * server). Offering never throws; what the fuzzer sends never completes a handshake, and the
 * handshake ends (as the socket's failure, an IOException) as soon as the server is closed.
 */
class DtlsRecordFuzzTest {
    static final DtlsIdentity SERVER = DtlsIdentity.generate();
    static final String CLIENT_FINGERPRINT = DtlsIdentity.generate().fingerprint();
    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dtls-fuzz");
        t.setDaemon(true);
        return t;
    });

    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "20m")
    void datagramsFromMembers(FuzzedDataProvider data) throws Exception {
        DtlsServer server = new DtlsServer(SERVER, CLIENT_FINGERPRINT, d -> { });
        CompletableFuture<SrtpKeys> handshake = server.start(POOL);
        int datagrams = data.consumeInt(1, 4);
        for (int i = 0; i < datagrams; i++) {
            server.offer(i == datagrams - 1 ? data.consumeRemainingAsBytes() : data.consumeBytes(1500));
        }
        // Until the handshake thread has read every datagram (or gave up on them).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (server.transportHasQueued() && !handshake.isDone() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        server.close();
        try {
            handshake.get(5, TimeUnit.SECONDS);
            assertFalse(true, "a handshake completed from fuzzed datagrams");
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof IOException, "the handshake ended with " + e.getCause());
        }
    }
}
