package org.opencalling.localcluster;

/**
 * DEMO-ONLY credentials for the local run. They are public (they are in the repository), so
 * nothing configured with them is secure: production reads its secrets from files (Kubernetes
 * secrets) and has no defaults at all.
 */
public final class DemoDefaults {
    public static final long SDK_APP_ID = 1400000000L;
    public static final String SECRET_KEY = "opencalling-demo-secret-DO-NOT-USE-IN-PRODUCTION";
    public static final String BACKEND_CLIENT = "demo-backend";
    public static final String BACKEND_SECRET = "demo-backend-secret-DO-NOT-USE-IN-PRODUCTION";
    public static final String BACKEND_SCOPES = "usersig:issue+calls:write+calls:read+presence:read+relay:read+relay:write";
    /** signaling-service's own client, for presence:write. */
    public static final String SIGNALING_CLIENT = "signaling";
    public static final String SIGNALING_SECRET = "signaling-secret-DO-NOT-USE-IN-PRODUCTION";
    public static final String TURN_SECRET = "turn-secret-DO-NOT-USE-IN-PRODUCTION";

    private DemoDefaults() {
    }
}
