package org.opencalling.localcluster;

import java.nio.file.Path;
import java.util.Map;

/** One service to run: its packaged app, HTTP port, environment and a line about it for the table. */
record ServiceSpec(String name, Path jar, int port, Map<String, String> env, String note) {

    String url() {
        return "http://localhost:" + port;
    }
}
