package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigResult;
import org.opencalling.usersig.UserSigVerifier;

/**
 * The README's run command, end to end: the launcher starts the services, prints where they
 * are, the README's curl gets a UserSig in demo mode, and a stop signal stops every process.
 */
class LocalClusterIT {

    static int freeOffset() {
        for (int offset = 20000; offset < 40000; offset += 137) {
            if (LocalCluster.portFree(8080 + offset) && LocalCluster.portFree(8090 + offset) && LocalCluster.portFree(8091 + offset)
                    && LocalCluster.portFree(8092 + offset) && LocalCluster.portFree(8093 + offset)
                    && LocalCluster.portFree(6379 + offset)) {
                return offset;
            }
        }
        throw new IllegalStateException("no free port offset");
    }

    @Test
    void startsPrintsServesAndStopsEverything() throws Exception {
        int offset = freeOffset();
        Process launcher = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-jar", Path.of("target/local-cluster.jar").toAbsolutePath().toString(),
                "--port-offset", Integer.toString(offset))
                .redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.contains("Press Ctrl-C")) {
                    break;
                }
            }
            assertTrue(out.toString().contains("Press Ctrl-C"), "launcher ended early:\n" + out);
            int port = 8090 + offset;
            assertTrue(out.toString().contains("usersig-service      http://localhost:" + port), out.toString());

            // The README's curl, in Java.
            Matcher m = Pattern.compile("curl -s -X POST (\\S+) ").matcher(out);
            assertTrue(m.find(), out.toString());
            HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sdkAppId\":" + DemoDefaults.SDK_APP_ID
                            + ",\"userId\":\"alice\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, resp.statusCode(), resp.body());
            Matcher sig = Pattern.compile("\"userSig\":\"([^\"]+)\"").matcher(resp.body());
            assertTrue(sig.find(), resp.body());
            var verifier = new UserSigVerifier(Applications.parse(Map.of("demo",
                    DemoDefaults.SDK_APP_ID + ":" + DemoDefaults.SECRET_KEY)));
            assertEquals(UserSigResult.VALID,
                    verifier.verify(DemoDefaults.SDK_APP_ID, "alice", sig.group(1), System.currentTimeMillis() / 1000).result());

            // presence-service trusts usersig-service's tokens through its JWKS, over Redis.
            assertTrue(out.toString().contains("presence-service     http://localhost:" + (8092 + offset)), out.toString());
            assertTrue(out.toString().contains("redis://127.0.0.1:" + (6379 + offset)), out.toString());
            assertTrue(out.toString().contains("signaling-service    http://localhost:" + (8091 + offset)), out.toString());
            assertTrue(out.toString().contains("media-relay          http://localhost:" + (8093 + offset)), out.toString());
            // The relay answers STUN on the first of the seed's UDP ports (moved by the offset), at
            // the address it says: by default this machine's own, which Firefox accepts too.
            Matcher relayAt = Pattern.compile("The relay and the SFU are at ([0-9.]+): ").matcher(out);
            assertTrue(relayAt.find(), out.toString());
            java.net.InetAddress relayHost = java.net.InetAddress.getByName(relayAt.group(1));
            assertEquals(RelayHost.of("auto").address(), relayHost.getHostAddress());
            try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
                udp.setSoTimeout(5000);
                byte[] binding = new byte[20];
                binding[1] = 1; // Binding request, no attributes
                binding[4] = 0x21;
                binding[5] = 0x12;
                binding[6] = (byte) 0xA4;
                binding[7] = 0x42;
                udp.send(new java.net.DatagramPacket(binding, 20, relayHost, 8000 + offset));
                java.net.DatagramPacket answer = new java.net.DatagramPacket(new byte[256], 256);
                udp.receive(answer);
                assertEquals(0x0101, ((answer.getData()[0] & 0xFF) << 8) | (answer.getData()[1] & 0xFF), "Binding success");
            }
            HttpClient http = HttpClient.newHttpClient();
            String basic = java.util.Base64.getEncoder().encodeToString((DemoDefaults.BACKEND_CLIENT + ":"
                    + DemoDefaults.BACKEND_SECRET).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/v1/token"))
                    .header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, token.statusCode(), token.body());
            Matcher t = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(token.body());
            assertTrue(t.find());
            HttpResponse<String> presence = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                            + (8092 + offset) + "/v1/presence/" + DemoDefaults.SDK_APP_ID + "/alice"))
                    .header("Authorization", "Bearer " + t.group(1)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, presence.statusCode(), presence.body());
            assertTrue(presence.body().contains("\"online\":false"), presence.body());

            // The demo's path: a UserSig from usersig-service logs in on signaling-service's socket.
            java.util.concurrent.CompletableFuture<String> firstFrame = new java.util.concurrent.CompletableFuture<>();
            java.net.http.WebSocket ws = http.newWebSocketBuilder().header("Origin", "http://localhost:" + (8080 + offset))
                    .buildAsync(URI.create("ws://localhost:" + (8091 + offset) + "/v1/signaling"),
                            new java.net.http.WebSocket.Listener() {
                                StringBuilder text = new StringBuilder();

                                @Override
                                public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w,
                                                                                      CharSequence data, boolean last) {
                                    text.append(data);
                                    if (last) {
                                        firstFrame.complete(text.toString());
                                    }
                                    w.request(1);
                                    return null;
                                }
                            }).get(10, TimeUnit.SECONDS);
            ws.sendText("{\"type\":\"login\",\"sdkAppId\":" + DemoDefaults.SDK_APP_ID + ",\"userId\":\"alice\","
                    + "\"userSig\":\"" + sig.group(1) + "\"}", true).get(5, TimeUnit.SECONDS);
            String loginAnswer = firstFrame.get(10, TimeUnit.SECONDS);
            assertTrue(loginAnswer.contains("\"type\":\"login-ok\""), loginAnswer);
            ws.abort();

            // The README's backend call: ring alice through the REST invite API with the same token.
            HttpResponse<String> call = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                            + (8091 + offset) + "/v1/calls"))
                    .header("Authorization", "Bearer " + t.group(1)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sdkAppId\":" + DemoDefaults.SDK_APP_ID
                            + ",\"caller\":\"crm-agent\",\"callees\":[\"alice\"],\"type\":\"audio\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, call.statusCode(), call.body());
            assertTrue(call.body().contains("\"state\":\"ringing\""), call.body());

            // The README's relay admin call: the relay trusts usersig-service's tokens too.
            HttpResponse<String> allocations = http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                            + (8093 + offset) + "/v1/allocations"))
                    .header("Authorization", "Bearer " + t.group(1)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, allocations.statusCode(), allocations.body());
            assertTrue(allocations.body().contains("\"count\":0"), allocations.body());

            // The demo and the SDK are on 8080 (moved by the offset), and so is the forwarded UserSig API.
            assertTrue(out.toString().contains("web-client           http://localhost:" + (8080 + offset)), out.toString());
            HttpResponse<String> demo = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + (8080 + offset) + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, demo.statusCode());
            assertTrue(demo.body().contains("OpenCalling"), demo.body());
            HttpResponse<String> sdk = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + (8080 + offset)
                    + "/sdk/trtc-calling.js")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, sdk.statusCode());
            assertTrue(sdk.body().contains("as default") && sdk.body().contains("onInvited")
                    && sdk.body().contains("sourceMappingURL=trtc-calling.js.map"), "the ES module, minified, with its map");
            assertTrue(sdk.headers().firstValue("Content-Type").orElse("").contains("javascript"));
            HttpResponse<String> script = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + (8080 + offset)
                    + "/sdk/trtc-calling-js.js")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, script.statusCode());
            assertTrue(script.body().contains("root.TRTCCalling=factory()"), "the classic script (UMD)");

            List<ProcessHandle> children = launcher.descendants().toList();
            assertFalse(children.isEmpty(), "the services run as child processes");
            // SIGTERM through the handle (Process.destroy would also close our end of its output);
            // Ctrl-C (SIGINT) takes the same path in the launcher.
            launcher.toHandle().destroy();
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "launcher did not stop");
            for (ProcessHandle c : children) {
                assertTrue(c.onExit().get(10, TimeUnit.SECONDS) != null && !c.isAlive(), "left running: " + c.pid());
            }
            String rest = String.join("\n", r.lines().toList());
            assertTrue(rest.contains("Stopped."), rest);
            assertTrue(LocalCluster.portFree(port), "port still bound after stop");
            assertTrue(LocalCluster.portFree(6379 + offset), "Redis still bound after stop");
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }
}
