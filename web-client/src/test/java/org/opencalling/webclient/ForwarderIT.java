package org.opencalling.webclient;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link ForwarderTest} against the packaged artifact: the fast-jar here, the native executable
 * where {@code -Dnative} builds one (.github/workflows/native.yml).
 */
@QuarkusIntegrationTest
class ForwarderIT extends ForwarderTest {
}
