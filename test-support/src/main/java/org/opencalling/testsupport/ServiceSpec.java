package org.opencalling.testsupport;

import java.nio.file.Path;
import java.util.Map;

/** One service to run: its packaged app, HTTP port, environment and a line about it for the table. */
public record ServiceSpec(String name, Path jar, int port, Map<String, String> env, String note) {

    public String url() {
        return "http://localhost:" + port;
    }
}
