package org.opencalling.deployment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard queries only metrics the services export (as docs/operations.md lists them). */
class GrafanaDashboardTest {
    @Test
    void everyQueriedMetricIsADocumentedOne() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(
                ServiceConfig.ROOT.resolve("deploy/grafana/opencalling-dashboard.json").toFile());
        String operations = Files.readString(ServiceConfig.ROOT.resolve("docs/operations.md"));
        Pattern metric = Pattern.compile("\\b((?:signaling|relay|web|presence|usersig)_[a-z_]+)\\b");
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = metric.matcher(target.get("expr").asText());
                while (m.find()) {
                    queried.add(m.group(1).replaceFirst("_(bucket|count|sum)$", ""));
                }
            }
        }
        assertTrue(queried.size() >= 8, "the dashboard covers the key metrics: " + queried);
        Set<String> undocumented = new TreeSet<>();
        for (String q : queried) {
            if (!operations.contains(q)) {
                undocumented.add(q);
            }
        }
        assertTrue(undocumented.isEmpty(), "queried but not documented (exported) metrics: " + undocumented);
    }
}
