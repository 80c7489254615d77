package org.opencalling.localcluster;

import java.net.URI;
import java.util.Map;
import org.opencalling.testsupport.WsClient;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigCodec;

/** Users of the local cluster's demo application on signaling's WebSocket, as tests drive them. */
final class SignalingUsers {
    private SignalingUsers() {
    }

    /** A socket to the first signaling instance, logged in; fails (and closes) when the login is refused. */
    static WsClient login(int offset, String user) throws Exception {
        WsClient c = new WsClient(URI.create("ws://localhost:" + (8091 + offset) + "/v1/signaling"),
                "http://localhost:" + (8080 + offset));
        var key = Applications.parse(Map.of("demo", DemoDefaults.SDK_APP_ID + ":" + DemoDefaults.SECRET_KEY))
                .find(DemoDefaults.SDK_APP_ID);
        String sig = UserSigCodec.issue(key, user, 600, System.currentTimeMillis() / 1000, null);
        c.sendOnly("{\"type\":\"login\",\"id\":\"l\",\"sdkAppId\":" + DemoDefaults.SDK_APP_ID + ",\"userId\":\"" + user
                + "\",\"userSig\":\"" + sig + "\"}");
        String type = c.next().path("type").asText();
        if (!type.equals("login-ok")) {
            c.close();
            throw new IllegalStateException("login " + user + ": " + type);
        }
        return c;
    }

    static void close(WsClient c) {
        if (c != null) {
            c.close();
        }
    }
}
