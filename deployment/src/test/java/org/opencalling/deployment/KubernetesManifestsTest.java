package org.opencalling.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * k8s/: each overlay renders with the real {@code kubectl kustomize}, every rendered object parses
 * strictly against the Kubernetes API model, and the objects agree with one another and with the
 * services: ports, probes and variables are what each service reads, Services and Ingress paths
 * reach real ports, NetworkPolicies let in what is needed, the relay is reachable on its node's
 * address, signaling drains before it stops, and secrets come only from where they should.
 */
class KubernetesManifestsTest {
    static final String NAMESPACE = "opencalling";
    /** The relay's own namespace: host network and NET_BIND_SERVICE need the "privileged" level. */
    static final String RELAY_NAMESPACE = "opencalling-relay";
    /** Scaled by HorizontalPodAutoscalers: everything but the relay, whose allocations are its own. */
    static final List<String> STATELESS = List.of("usersig-service", "presence-service", "signaling-service", "web-client");
    private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

    /** One overlay, rendered and parsed. */
    record Rendered(String overlay, List<JsonNode> raw, List<HasMetadata> objects) {
        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T named(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + name));
        }

        /** A namespaced object as a pod in that namespace would find it. */
        <T extends HasMetadata> T named(Class<T> type, String namespace, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)
                    && namespace.equals(o.getMetadata().getNamespace())).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + namespace + "/" + name));
        }

        String namespaceOf(String workload) {
            return all(Deployment.class).stream().filter(d -> d.getMetadata().getName().equals(workload))
                    .map(d -> d.getMetadata().getNamespace()).findFirst()
                    .orElseGet(() -> named(DaemonSet.class, workload).getMetadata().getNamespace());
        }

        /** Pod templates by workload name (Deployments and DaemonSets). */
        Map<String, PodTemplateSpec> workloads() {
            Map<String, PodTemplateSpec> w = new TreeMap<>();
            all(Deployment.class).forEach(d -> w.put(d.getMetadata().getName(), d.getSpec().getTemplate()));
            all(DaemonSet.class).forEach(d -> w.put(d.getMetadata().getName(), d.getSpec().getTemplate()));
            return w;
        }

        Container container(String service) {
            PodTemplateSpec t = workloads().get(service);
            assertNotNull(t, overlay + ": a workload runs " + service);
            return t.getSpec().getContainers().stream().filter(c -> c.getName().equals(service)).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": " + service + " has a container named after it"));
        }

        /** The generated ConfigMap a workload reads its RELAY_UDP_PORTS from (signaling: the services'; the relay's own). */
        ConfigMap config(String workload) {
            String name = container(workload).getEnv().stream()
                    .filter(e -> e.getName().equals("RELAY_UDP_PORTS")).findFirst().orElseThrow()
                    .getValueFrom().getConfigMapKeyRef().getName();
            return named(ConfigMap.class, namespaceOf(workload), name);
        }

        ConfigMap config() {
            return config("signaling-service");
        }

        /** The keys a Secret has: rendered here, or (created by hand) documented in operations.md. */
        Set<String> secretKeys(String namespace, String name) {
            for (Secret s : all(Secret.class)) {
                if (s.getMetadata().getName().equals(name) && namespace.equals(s.getMetadata().getNamespace())) {
                    return s.getData().keySet();
                }
            }
            Set<String> documented = documentedSecrets().get(name.replaceAll("-[a-z0-9]{10}$", ""));
            assertNotNull(documented, overlay + ": secret " + name + " is neither rendered nor documented in operations.md");
            return documented;
        }
    }

    static Rendered rendered(String overlay) {
        return CACHE.computeIfAbsent(overlay, o -> {
            List<JsonNode> raw = Kustomize.render(o);
            return new Rendered(o, raw, raw.stream().map(StrictKubernetesModel::parse).toList());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyObjectParsesStrictlyAgainstTheKubernetesApi(String overlay) {
        Rendered r = rendered(overlay);
        Set<String> kinds = r.objects().stream().map(HasMetadata::getKind).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(kinds.containsAll(Set.of("Namespace", "ConfigMap", "Service", "Deployment", "DaemonSet",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "NetworkPolicy")), overlay + ": " + kinds);
        assertEquals("restricted", r.named(Namespace.class, NAMESPACE).getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
        assertEquals("privileged", r.named(Namespace.class, RELAY_NAMESPACE).getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
        for (HasMetadata o : r.objects()) {
            String where = overlay + ": " + o.getKind() + " " + o.getMetadata().getName();
            if (o instanceof Namespace || o.getKind().startsWith("Cluster")) {
                assertEquals(null, o.getMetadata().getNamespace(), where + " is cluster-wide");
            } else {
                boolean relay = "media-relay".equals(o.getMetadata().getLabels().get("app.kubernetes.io/name"))
                        || o.getMetadata().getName().startsWith("opencalling-relay") || o.getKind().equals("ServiceAccount");
                assertEquals(relay ? RELAY_NAMESPACE : NAMESPACE, o.getMetadata().getNamespace(), where);
            }
            assertEquals("opencalling", o.getMetadata().getLabels().get("app.kubernetes.io/part-of"),
                    overlay + ": " + o.getKind() + " " + o.getMetadata().getName() + " is labelled");
        }
        Set<String> names = new TreeSet<>();
        for (HasMetadata o : r.objects()) {
            assertTrue(names.add(o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()),
                    overlay + ": one " + o.getKind() + " " + o.getMetadata().getName());
        }
    }

    @Test
    void theStrictParseRefusesWhatTheApiServerWould() {
        JsonNode deployment = Kustomize.render("dev").stream()
                .filter(o -> o.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
        ObjectNode typo = deployment.deepCopy();
        ((ObjectNode) typo.at("/spec/template/spec/containers/0")).set("readinesProbe", typo.at("/spec/template/spec/containers/0/readinessProbe"));
        Exception e = assertThrows(IllegalArgumentException.class, () -> StrictKubernetesModel.parse(typo));
        assertTrue(e.getMessage().contains("readinesProbe"), e.getMessage());
        ObjectNode nested = deployment.deepCopy();
        ((ObjectNode) nested.at("/spec/template/spec/containers/0/resources")).putObject("request").put("cpu", "1");
        e = assertThrows(IllegalArgumentException.class, () -> StrictKubernetesModel.parse(nested));
        assertTrue(e.getMessage().contains("request"), e.getMessage());
        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.get("spec")).put("replicas", "two");
        assertThrows(IllegalArgumentException.class, () -> StrictKubernetesModel.parse(wrongType));
        ObjectNode wrongVersion = deployment.deepCopy();
        wrongVersion.put("apiVersion", "extensions/v1beta1");
        assertThrows(IllegalArgumentException.class, () -> StrictKubernetesModel.parse(wrongVersion));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceRunsWithItsOwnPortProbesVariablesAndLimits(String overlay) throws Exception {
        Rendered r = rendered(overlay);
        for (String service : ComposeFileTest.SERVICES) {
            ServiceConfig config = ServiceConfig.of(service);
            PodSpec pod = r.workloads().get(service).getSpec();
            Container c = r.container(service);
            String where = overlay + ": " + service;
            assertTrue(c.getImage().matches("(.+/)?opencalling/" + service + ":[\\w.-]+"), where + " image " + c.getImage());
            ContainerPort http = c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow();
            assertEquals(config.httpPort(), http.getContainerPort(), where + ": the http port is the service's");
            assertHttpProbe(where + " readiness", c.getReadinessProbe(), "/q/health/ready");
            assertHttpProbe(where + " liveness", c.getLivenessProbe(), "/q/health/live");
            assertHttpProbe(where + " startup", c.getStartupProbe(), "/q/health/live");
            for (String resource : List.of("cpu", "memory")) {
                Quantity request = c.getResources().getRequests().get(resource);
                Quantity limit = c.getResources().getLimits().get(resource);
                assertTrue(request != null && limit != null, where + ": " + resource + " request and limit");
                assertTrue(request.getNumericalAmount().compareTo(limit.getNumericalAmount()) <= 0, where + ": " + resource + " request <= limit");
            }
            assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), where);
            assertTrue(c.getSecurityContext().getCapabilities().getDrop().contains("ALL"), where + " drops every capability");
            assertEquals(Boolean.FALSE, pod.getEnableServiceLinks(), where + ": no service-link variables");

            Set<String> names = new TreeSet<>();
            for (EnvVar e : c.getEnv()) {
                assertTrue(names.add(e.getName()), where + ": " + e.getName() + " set once");
                assertTrue(config.reads(e.getName()), where + " is given " + e.getName() + ", which it never reads");
                assertResolves(r, r.namespaceOf(service), pod, c, e, where);
            }
            // Nothing compose gives a service is missing here (the same contract, MISSION.md's names);
            // a relay pod finds its public address from its node's name instead.
            Set<String> compose = new TreeSet<>();
            ComposeFileTest.compose().get("services").get(service).get("environment").fieldNames().forEachRemaining(compose::add);
            compose.removeAll(names);
            if (names.contains("RELAY_PUBLIC_HOST_NODE")) {
                compose.remove("RELAY_PUBLIC_HOST");
            }
            assertTrue(compose.isEmpty(), where + " lacks variables docker-compose.yml sets: " + compose);
        }
    }

    private static void assertHttpProbe(String where, Probe probe, String path) {
        assertNotNull(probe, where + " probe");
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, where + " is an HTTP probe");
        assertEquals(path, get.getPath(), where);
        assertEquals("http", get.getPort().getStrVal(), where + " probes the http port");
    }

    /** A variable's value comes from somewhere that has it: a ConfigMap key, a Secret key, a secret file. */
    private static void assertResolves(Rendered r, String namespace, PodSpec pod, Container c, EnvVar e, String where) {
        String what = where + " " + e.getName();
        if (e.getValueFrom() == null) {
            assertNotNull(e.getValue(), what + " has a value");
            if (e.getName().endsWith("_FILE")) {
                Path file = Path.of(e.getValue());
                VolumeMount mount = c.getVolumeMounts().stream()
                        .filter(m -> file.getParent().equals(Path.of(m.getMountPath()))).findFirst()
                        .orElseThrow(() -> new AssertionError(what + ": nothing is mounted at " + file.getParent()));
                Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
                assertNotNull(volume.getSecret(), what + " is read from a Secret");
                KeyToPath item = volume.getSecret().getItems().stream()
                        .filter(i -> i.getPath().equals(file.getFileName().toString())).findFirst()
                        .orElseThrow(() -> new AssertionError(what + ": the secret volume has no " + file.getFileName()));
                assertTrue(r.secretKeys(namespace, volume.getSecret().getSecretName()).contains(item.getKey()),
                        what + ": secret " + volume.getSecret().getSecretName() + " has " + item.getKey());
            }
            assertFalse(e.getName().contains("SECRET") && !e.getName().endsWith("_FILE"), what + " must come from a secret");
            return;
        }
        var from = e.getValueFrom();
        if (from.getConfigMapKeyRef() != null) {
            ConfigMap map = r.named(ConfigMap.class, namespace, from.getConfigMapKeyRef().getName());
            assertTrue(map.getData().containsKey(from.getConfigMapKeyRef().getKey()), what + ": " + map.getMetadata().getName()
                    + " has " + from.getConfigMapKeyRef().getKey());
        } else if (from.getSecretKeyRef() != null) {
            assertTrue(r.secretKeys(namespace, from.getSecretKeyRef().getName()).contains(from.getSecretKeyRef().getKey()),
                    what + ": secret " + from.getSecretKeyRef().getName() + " has " + from.getSecretKeyRef().getKey());
        } else {
            assertNotNull(from.getFieldRef(), what + " comes from a ConfigMap, a Secret or the pod");
            assertTrue(Set.of("metadata.name", "spec.nodeName", "status.podIP").contains(from.getFieldRef().getFieldPath()), what);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceObjectReachesOneWorkloadOnARealPort(String overlay) {
        Rendered r = rendered(overlay);
        for (Service s : r.all(Service.class)) {
            List<String> matched = r.workloads().entrySet().stream()
                    .filter(w -> matches(s.getSpec().getSelector(), w.getValue().getMetadata().getLabels()))
                    .map(Map.Entry::getKey).toList();
            assertEquals(List.of(s.getMetadata().getName()), matched, overlay + ": Service " + s.getMetadata().getName() + " selects its workload");
            PodSpec pod = r.workloads().get(matched.get(0)).getSpec();
            for (ServicePort p : s.getSpec().getPorts()) {
                ContainerPort target = containerPort(pod, p.getTargetPort());
                assertNotNull(target, overlay + ": " + s.getMetadata().getName() + " port " + p.getName() + " targets a container port");
                assertEquals(p.getProtocol(), target.getProtocol(), overlay + ": " + s.getMetadata().getName() + " protocol");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theStatelessServicesScaleAndSurviveDisruptions(String overlay) {
        Rendered r = rendered(overlay);
        Set<String> scaled = new TreeSet<>();
        for (HorizontalPodAutoscaler hpa : r.all(HorizontalPodAutoscaler.class)) {
            var target = hpa.getSpec().getScaleTargetRef();
            assertEquals("Deployment", target.getKind());
            Deployment d = r.named(Deployment.class, target.getName());
            scaled.add(target.getName());
            assertTrue(hpa.getSpec().getMinReplicas() >= 1 && hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas(),
                    overlay + ": " + target.getName() + " replicas range");
            // CPU utilization is measured against the request: there must be one.
            hpa.getSpec().getMetrics().forEach(m -> assertEquals("cpu", m.getResource().getName()));
            d.getSpec().getTemplate().getSpec().getContainers().forEach(c ->
                    assertNotNull(c.getResources().getRequests().get("cpu"), overlay + ": " + c.getName() + " cpu request"));
            // The autoscaler owns the replica count: a Deployment that names one is reset to it by every apply.
            assertEquals(null, d.getSpec().getReplicas(), overlay + ": " + target.getName() + " leaves replicas to its autoscaler");
        }
        assertEquals(new TreeSet<>(STATELESS), scaled, overlay + ": autoscaled");
        Set<String> budgeted = new TreeSet<>();
        for (PodDisruptionBudget pdb : r.all(PodDisruptionBudget.class)) {
            List<String> covered = r.all(Deployment.class).stream()
                    .filter(d -> matches(pdb.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels()))
                    .map(d -> d.getMetadata().getName()).toList();
            assertEquals(1, covered.size(), overlay + ": PDB " + pdb.getMetadata().getName() + " covers one Deployment");
            // maxUnavailable, not minAvailable: a one-pod dev deployment must still let a node drain.
            assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal(), overlay + ": " + covered);
            budgeted.addAll(covered);
        }
        assertEquals(new TreeSet<>(STATELESS), budgeted, overlay + ": disruption budgets");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theIngressRoutesWhatTheWebClientForwards(String overlay) {
        Rendered r = rendered(overlay);
        Ingress ingress = r.named(Ingress.class, "opencalling");
        assertEquals(1, ingress.getSpec().getRules().size());
        Map<String, String> routes = new LinkedHashMap<>();
        for (HTTPIngressPath p : ingress.getSpec().getRules().get(0).getHttp().getPaths()) {
            String service = p.getBackend().getService().getName();
            Service s = r.named(Service.class, service);
            String port = p.getBackend().getService().getPort().getName();
            assertTrue(s.getSpec().getPorts().stream().anyMatch(sp -> sp.getName().equals(port)), overlay + ": " + service + " has port " + port);
            routes.put(p.getPath(), service);
        }
        Map<String, String> forwarded = forwarderRoutes();
        assertTrue(forwarded.size() >= 6, "operations.md lists the forwarder's routes: " + forwarded);
        forwarded.forEach((path, service) -> assertEquals(service, routes.get(path), overlay + ": the Ingress sends " + path));
        assertEquals("web-client", routes.get("/"), overlay + ": everything else to the web client");
        String origins = r.config().getData().get("ALLOWED_ORIGINS");
        String host = ingress.getSpec().getRules().get(0).getHost();
        if (overlay.equals("prod")) {
            assertNotNull(host, "prod names its host");
            assertEquals(List.of(host), ingress.getSpec().getTls().get(0).getHosts(), "prod serves its host over TLS");
            assertTrue(List.of(origins.split(",")).contains("https://" + host), "signaling accepts pages from https://" + host + ": " + origins);
        } else {
            assertTrue(List.of(origins.split(",")).contains("http://localhost:8080"), "dev: the port-forwarded demo's origin: " + origins);
        }
    }

    /** The web-client table in operations.md: `| `/path…` … | service-name (`VAR`) |`. */
    static Map<String, String> forwarderRoutes() {
        Map<String, String> routes = new LinkedHashMap<>();
        String doc = ComposeFileTest.read(ServiceConfig.ROOT.resolve("docs/operations.md"));
        String table = doc.substring(doc.indexOf("| path | goes to |"));
        table = table.substring(0, table.indexOf("\n\n"));
        Matcher row = Pattern.compile("(?m)^\\| (.+?) \\| ([a-z]+-service)\\b").matcher(table);
        while (row.find()) {
            Matcher path = Pattern.compile("`([^`]+)`").matcher(row.group(1));
            while (path.find()) {
                routes.put(path.group(1).replaceAll("(…|/…)$", ""), row.group(2));
            }
        }
        return routes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void networkPoliciesLetInWhatIsNeededAndNothingElse(String overlay) {
        Rendered r = rendered(overlay);
        List<NetworkPolicy> policies = r.all(NetworkPolicy.class);
        assertTrue(policies.stream().anyMatch(p -> NAMESPACE.equals(p.getMetadata().getNamespace())
                && empty(p.getSpec().getPodSelector().getMatchLabels())
                && empty(p.getSpec().getPodSelector().getMatchExpressions())
                && p.getSpec().getPolicyTypes().contains("Ingress")
                && empty(p.getSpec().getIngress())), overlay + ": ingress denied by default");
        for (Service s : r.all(Service.class)) {
            PodTemplateSpec pod = r.workloads().get(s.getMetadata().getName());
            if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
                continue; // NetworkPolicies do not apply to the host's network
            }
            assertEquals(NAMESPACE, s.getMetadata().getNamespace());
            for (ServicePort port : s.getSpec().getPorts()) {
                ContainerPort target = containerPort(pod.getSpec(), port.getTargetPort());
                List<NetworkPolicyIngressRule> rules = policies.stream()
                        .filter(p -> p.getMetadata().getNamespace().equals(s.getMetadata().getNamespace())
                                && matches(p.getSpec().getPodSelector(), pod.getMetadata().getLabels()))
                        .flatMap(p -> p.getSpec().getIngress() == null ? java.util.stream.Stream.empty() : p.getSpec().getIngress().stream())
                        .filter(rule -> rule.getPorts().stream().anyMatch(pp -> allows(pp, target)))
                        .toList();
                assertFalse(rules.isEmpty(), overlay + ": some policy lets traffic in to " + s.getMetadata().getName() + ":" + port.getName());
                // Redis and Kafka: from exactly the services configured to use them.
                String variable = Map.of("redis", "REDIS_URL", "kafka", "KAFKA_BOOTSTRAP_SERVERS").get(s.getMetadata().getName());
                if (variable != null) {
                    Map<Boolean, Set<String>> users = r.workloads().entrySet().stream()
                            .filter(w -> w.getValue().getSpec().getContainers().stream()
                                    .anyMatch(c -> c.getEnv() != null && c.getEnv().stream().anyMatch(e -> e.getName().equals(variable))))
                            .collect(Collectors.partitioningBy(w -> Boolean.TRUE.equals(w.getValue().getSpec().getHostNetwork()),
                                    Collectors.mapping(Map.Entry::getKey, Collectors.toCollection(TreeSet::new))));
                    Set<String> allowed = new TreeSet<>();
                    boolean addresses = false;
                    for (NetworkPolicyIngressRule rule : rules) {
                        assertFalse(rule.getFrom() == null || rule.getFrom().isEmpty(), overlay + ": " + s.getMetadata().getName() + " open to all");
                        for (NetworkPolicyPeer peer : rule.getFrom()) {
                            assertEquals(null, peer.getNamespaceSelector(), overlay + ": from this namespace only");
                            if (peer.getIpBlock() != null) {
                                assertFalse(peer.getIpBlock().getCidr().endsWith("/0"), overlay + ": not from everywhere");
                                addresses = true;
                                continue;
                            }
                            r.workloads().forEach((name, t) -> {
                                if (matches(peer.getPodSelector(), t.getMetadata().getLabels())) {
                                    allowed.add(name);
                                }
                            });
                        }
                    }
                    assertEquals(users.get(false), allowed, overlay + ": which pods may reach " + s.getMetadata().getName());
                    // A host-network user (the relay) comes from its node's address: only an address block lets it in.
                    assertEquals(!users.get(true).isEmpty(), addresses, overlay + ": address blocks for " + users.get(true));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theRelayServesItsPortsOnItsNodesAddress(String overlay) {
        Rendered r = rendered(overlay);
        DaemonSet relay = r.named(DaemonSet.class, "media-relay");
        PodSpec pod = relay.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.TRUE, pod.getHostNetwork(), overlay + ": the relay uses its node's network");
        assertEquals("ClusterFirstWithHostNet", pod.getDnsPolicy(), overlay + ": and still resolves cluster names");
        Container c = r.container("media-relay");
        EnvVar node = c.getEnv().stream().filter(e -> e.getName().equals("RELAY_PUBLIC_HOST_NODE")).findFirst().orElseThrow();
        assertEquals("spec.nodeName", node.getValueFrom().getFieldRef().getFieldPath(), overlay + ": advertises its node's address");
        assertTrue(c.getEnv().stream().noneMatch(e -> e.getName().equals("RELAY_PUBLIC_HOST")), overlay + ": not one address for every node");
        // ... which it may ask the API server for, and nothing more.
        String account = pod.getServiceAccountName();
        r.named(io.fabric8.kubernetes.api.model.ServiceAccount.class, RELAY_NAMESPACE, account);
        var binding = r.all(io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream().anyMatch(sub -> sub.getKind().equals("ServiceAccount")
                        && sub.getName().equals(account) && RELAY_NAMESPACE.equals(sub.getNamespace())))
                .findFirst().orElseThrow(() -> new AssertionError(overlay + ": the relay's account is bound to a role"));
        var role = r.named(io.fabric8.kubernetes.api.model.rbac.ClusterRole.class, binding.getRoleRef().getName());
        assertEquals(1, role.getRules().size());
        assertEquals(List.of("nodes"), role.getRules().get(0).getResources(), overlay + ": nodes only");
        assertEquals(List.of("get"), role.getRules().get(0).getVerbs(), overlay + ": read only");
        Map<String, String> config = r.config("media-relay").getData();
        assertFalse(r.config("media-relay").getMetadata().getName().startsWith("opencalling-config"),
                overlay + ": the relay has its own settings (a change to the services' must not restart the relays)");
        for (String key : List.of("RELAY_UDP_PORTS", "RELAY_TCP_PORTS", "JWT_ISSUER")) {
            assertEquals(r.config().getData().get(key), config.get(key), overlay + ": " + key + " the same for the relay and the services");
        }
        assertEquals(r.config().getData().get("JWKS_URL").replace("usersig-service:", "usersig-service." + NAMESPACE + ".svc:"),
                config.get("JWKS_URL"), overlay + ": the relay finds usersig-service across namespaces");
        assertEquals("None", r.named(Service.class, RELAY_NAMESPACE, "media-relay").getSpec().getClusterIP(),
                overlay + ": each relay answers for its own allocations: its admin API is addressed pod by pod");
        Set<String> expected = new TreeSet<>();
        expected.add(ServiceConfig.of("media-relay").httpPort() + "/TCP");
        for (String p : config.get("RELAY_UDP_PORTS").split(",")) {
            expected.add(p.trim() + "/UDP");
        }
        for (String p : config.get("RELAY_TCP_PORTS").split(",")) {
            expected.add(p.trim() + "/TCP");
        }
        Set<String> served = new TreeSet<>();
        boolean low = false;
        for (ContainerPort p : c.getPorts()) {
            assertEquals(p.getContainerPort(), p.getHostPort(), overlay + ": host port = container port");
            served.add(p.getContainerPort() + "/" + p.getProtocol());
            low |= p.getContainerPort() < 1024;
        }
        assertEquals(expected, served, overlay + ": the relay's ports are the ones it serves (and signaling hands out)");
        assertEquals(low, c.getSecurityContext().getCapabilities().getAdd() != null
                && c.getSecurityContext().getCapabilities().getAdd().contains("NET_BIND_SERVICE"), overlay + ": NET_BIND_SERVICE iff a port < 1024");
        // Signaling hands out the ports the relay serves: the same keys (and values, above).
        for (String v : List.of("RELAY_UDP_PORTS", "RELAY_TCP_PORTS")) {
            assertEquals(configKey(r.container("media-relay"), v), configKey(r.container("signaling-service"), v), overlay + ": " + v);
        }
        assertFalse(r.config().getData().get("RELAY_PUBLIC_HOST").isBlank(), overlay + ": signaling tells browsers where the relays are");
        assertTrue(r.all(HorizontalPodAutoscaler.class).stream().noneMatch(h -> h.getSpec().getScaleTargetRef().getName().equals("media-relay")));
        assertEquals(1, relay.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(), "one relay node at a time");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void signalingDrainsItsSocketsBeforeItStops(String overlay) {
        Rendered r = rendered(overlay);
        Deployment d = r.named(Deployment.class, "signaling-service");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = r.container("signaling-service");
        List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
        assertEquals("sleep", preStop.get(0), overlay + ": waits for load balancers to forget the pod first");
        int wait = Integer.parseInt(preStop.get(1));
        String delay = env(c, "SIGNALING_DRAIN_DELAY");
        assertTrue(delay.matches("\\d+s"), delay);
        int drain = Integer.parseInt(delay.substring(0, delay.length() - 1));
        // preStop, then the drain delay, then up to 10 s for the rest of Quarkus' shutdown.
        assertTrue(wait + drain + 10 <= pod.getTerminationGracePeriodSeconds(), overlay + ": grace period "
                + pod.getTerminationGracePeriodSeconds() + " s covers " + wait + " + " + drain + " + 10 s");
        assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(), overlay + ": a new pod first");
        EnvVar podName = c.getEnv().stream().filter(e -> e.getName().equals("POD_NAME")).findFirst().orElseThrow();
        assertEquals("metadata.name", podName.getValueFrom().getFieldRef().getFieldPath(), overlay + ": unique pod names");
        for (String service : STATELESS) {
            assertNotNull(r.container(service).getLifecycle().getPreStop(), overlay + ": " + service + " leaves load balancers before it stops");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void podsOutsideTheRelaysNamespaceMeetTheRestrictedPodSecurityLevel(String overlay) {
        Rendered r = rendered(overlay);
        Set<String> checked = new TreeSet<>();
        for (Map.Entry<String, PodTemplateSpec> w : r.workloads().entrySet()) {
            String namespace = r.namespaceOf(w.getKey());
            PodSpec pod = w.getValue().getSpec();
            String where = overlay + ": " + w.getKey();
            if (RELAY_NAMESPACE.equals(namespace)) {
                assertEquals("media-relay", w.getKey(), where + ": the privileged namespace holds the relay alone");
                continue;
            }
            checked.add(w.getKey());
            // The "restricted" level (kubernetes.io/docs/concepts/security/pod-security-standards).
            assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC()), where + ": no host namespaces");
            var podContext = pod.getSecurityContext();
            for (Container c : pod.getContainers()) {
                var sc = c.getSecurityContext();
                assertNotNull(sc, where + ": a security context");
                Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podContext.getRunAsNonRoot();
                assertEquals(Boolean.TRUE, nonRoot, where + ": runAsNonRoot");
                Long user = sc.getRunAsUser() != null ? sc.getRunAsUser() : podContext.getRunAsUser();
                assertTrue(user == null || user != 0, where + ": not uid 0");
                var seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile() : podContext.getSeccompProfile();
                assertTrue(seccomp != null && Set.of("RuntimeDefault", "Localhost").contains(seccomp.getType()), where + ": seccomp");
                assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), where + ": no privilege escalation");
                assertFalse(Boolean.TRUE.equals(sc.getPrivileged()), where + ": not privileged");
                assertTrue(sc.getCapabilities().getDrop().contains("ALL"), where + ": drops ALL");
                assertTrue(empty(sc.getCapabilities().getAdd()) || Set.of("NET_BIND_SERVICE").containsAll(sc.getCapabilities().getAdd()),
                        where + ": adds nothing but NET_BIND_SERVICE");
                c.getPorts().forEach(p -> assertTrue(p.getHostPort() == null || p.getHostPort() == 0, where + ": no host ports"));
            }
            for (Volume v : pod.getVolumes()) {
                assertTrue(v.getEmptyDir() != null || v.getSecret() != null || v.getConfigMap() != null || v.getProjected() != null
                        || v.getDownwardAPI() != null || v.getPersistentVolumeClaim() != null || v.getEphemeral() != null
                        || v.getCsi() != null, where + ": volume " + v.getName() + " is of an allowed type");
            }
            assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where + ": no API token it does not use");
        }
        assertTrue(checked.containsAll(STATELESS), overlay + ": " + checked);
    }

    @Test
    void devSecretsAreTheComposeDemoValuesAndProdShipsNone() throws Exception {
        Rendered dev = rendered("dev");
        Secret secret = dev.all(Secret.class).stream().filter(s -> s.getMetadata().getName().startsWith("opencalling-secrets"))
                .findFirst().orElseThrow();
        for (String key : List.of("trtc_apps", "backend_clients", "signaling_client", "turn_secret")) {
            String value = new String(Base64.getMimeDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
            String example = Files.readString(ServiceConfig.ROOT.resolve("deploy/compose-secrets.example").resolve(key)).strip();
            assertEquals(example, value, "dev's " + key + " is the compose demo value");
            assertTrue(value.contains("DO-NOT-USE-IN-PRODUCTION"), key + " is marked as a demo value");
        }
        assertEquals(documentedSecrets().get("opencalling-secrets"), secret.getData().keySet(), "dev generates what prod documents");
        Secret relay = dev.all(Secret.class).stream().filter(s -> s.getMetadata().getName().startsWith("opencalling-relay-secrets"))
                .findFirst().orElseThrow();
        assertEquals(RELAY_NAMESPACE, relay.getMetadata().getNamespace());
        assertEquals(secret.getData().get("turn_secret"), relay.getData().get("turn_secret"), "one TURN secret for signaling and the relays");
        assertEquals(documentedSecrets().get("opencalling-relay-secrets"), relay.getData().keySet(), "dev generates what prod documents");
        assertTrue(rendered("prod").all(Secret.class).isEmpty(), "prod ships no secret");
        for (String overlay : List.of("dev", "prod")) {
            assertTrue(rendered(overlay).all(Secret.class).stream().noneMatch(s -> s.getMetadata().getName().contains("jwt")),
                    overlay + ": no signing key is ever shipped");
        }
    }

    /** The {@code kubectl create secret generic NAME --from-file=KEY=...} commands in operations.md. */
    static Map<String, Set<String>> documentedSecrets() {
        String doc = ComposeFileTest.read(ServiceConfig.ROOT.resolve("docs/operations.md")).replace("\\\n", " ");
        Map<String, Set<String>> secrets = new TreeMap<>();
        Matcher command = Pattern.compile("create secret generic (\\S+)([^\\n]*)").matcher(doc);
        while (command.find()) {
            Matcher key = Pattern.compile("--from-(?:file|literal)=([^=\\s]+)=").matcher(command.group(2));
            Set<String> keys = secrets.computeIfAbsent(command.group(1), k -> new TreeSet<>());
            while (key.find()) {
                keys.add(key.group(1));
            }
        }
        return secrets;
    }

    private static boolean empty(Object collection) {
        return collection == null || (collection instanceof Map<?, ?> m ? m.isEmpty() : ((java.util.Collection<?>) collection).isEmpty());
    }

    private static String configKey(Container c, String variable) {
        return c.getEnv().stream().filter(e -> e.getName().equals(variable)).findFirst().orElseThrow()
                .getValueFrom().getConfigMapKeyRef().getKey();
    }

    private static String env(Container c, String variable) {
        return c.getEnv().stream().filter(e -> e.getName().equals(variable)).findFirst().orElseThrow().getValue();
    }

    private static ContainerPort containerPort(PodSpec pod, IntOrString port) {
        for (Container c : pod.getContainers()) {
            for (ContainerPort p : c.getPorts()) {
                if (port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort())) {
                    return p;
                }
            }
        }
        return null;
    }

    private static boolean allows(NetworkPolicyPort allowed, ContainerPort target) {
        String protocol = allowed.getProtocol() == null ? "TCP" : allowed.getProtocol(); // the API's default
        if (!protocol.equals(target.getProtocol() == null ? "TCP" : target.getProtocol())) {
            return false;
        }
        IntOrString p = allowed.getPort();
        return p == null || (p.getStrVal() != null ? p.getStrVal().equals(target.getName()) : p.getIntVal().equals(target.getContainerPort()));
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement req : selector.getMatchExpressions()) {
                String value = labels.get(req.getKey());
                boolean ok = switch (req.getOperator()) {
                    case "In" -> value != null && req.getValues().contains(value);
                    case "NotIn" -> value == null || !req.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> throw new AssertionError("operator " + req.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
