package org.opencalling.presence;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link PresenceApiTest} against the packaged artifact: the fast-jar here, the native
 * executable where {@code -Dnative} builds one (.github/workflows/native.yml). Every call runs
 * the Lua scripts, which a native image must carry as resources.
 */
@QuarkusIntegrationTest
class PresenceApiIT extends PresenceApiTest {
}
