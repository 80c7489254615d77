package org.opencalling.signaling.socket;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link CallsApiTest} against the packaged artifact: the fast-jar here, the native executable
 * where {@code -Dnative} builds one (.github/workflows/native.yml). The REST invite API, the
 * WebSocket, the call scripts in Redis and the JSON records all run as they would in a pod.
 */
@QuarkusIntegrationTest
class CallsApiIT extends CallsApiTest {
}
