package org.opencalling.usersigservice;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link UserSigResourceTest} against the packaged artifact: the fast-jar here, the native
 * executable where {@code -Dnative} builds one (.github/workflows/native.yml).
 */
@QuarkusIntegrationTest
class UserSigResourceIT extends UserSigResourceTest {
}
