package com.wedsync.hub.deploy;

import com.wedsync.hub.config.ConfigSource;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.http.OpenApiDocument;
import com.wedsync.hub.support.NodeScripts;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment files validate: every object of deploy/k8s against the Kubernetes API's schemas (node and the
 * kubernetes-models package, installed into src/test/k8s), and the rules that make them work with this hub — labels
 * and selectors agree, probes hit the hub's real /health and /ready on the port its configuration gives, every
 * environment name is one the hub's own {@link ConfigSource} accepts (a renamed key breaks this test), the grace
 * period outlasts the hub's shutdown — and compose.yaml's services, ports, healthchecks and Redis AOF.
 */
class DeployManifestsTest {
  private static final Path K8S = Path.of("deploy/k8s");
  private static final Set<String> KNOWN = Set.of("v1/ConfigMap", "v1/Secret", "v1/Service", "apps/v1/Deployment",
      "policy/v1/PodDisruptionBudget");
  private static final Map<String, Map<String, Object>> BY_KIND = new HashMap<>();
  private static final List<Map<String, Object>> ALL = new ArrayList<>();

  @BeforeAll
  static void parse() throws IOException {
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : yaml().loadAll(Files.readString(f))) {
          if (doc == null) continue;
          Map<String, Object> o = map(doc);
          String type = o.get("apiVersion") + "/" + o.get("kind");
          assertTrue(KNOWN.contains(type), f + ": unexpected " + type);
          assertNotNull(map(o.get("metadata")).get("name"), f + ": metadata.name");
          assertEquals(null, BY_KIND.put((String) o.get("kind"), o), "one " + o.get("kind"));
          ALL.add(o);
        }
      }
    }
    assertEquals(KNOWN.size(), ALL.size(), "ConfigMap, Secret, Service, Deployment and PodDisruptionBudget");
  }

  @Test
  void everyObjectValidatesAgainstTheKubernetesSchemas() throws IOException {
    Path out = Path.of("target/k8s-json").toAbsolutePath();
    Files.createDirectories(out);
    List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
    for (Map<String, Object> o : ALL) {
      Path file = out.resolve(o.get("kind") + ".json");
      Files.writeString(file, new JsonObject(o).encodePrettily());
      command.add(file.toString());
    }
    NodeScripts.in("src/test/k8s", "kubernetes-models").run(command, Map.of(), 120);
  }

  @Test
  void selectorsMatchThePodsAndTheServiceReachesTheHubPort() {
    Map<String, Object> deployment = BY_KIND.get("Deployment");
    Map<String, Object> spec = map(deployment.get("spec"));
    assertEquals(2, spec.get("replicas"));
    Map<String, Object> podLabels = map(map(map(spec.get("template")).get("metadata")).get("labels"));
    for (Map<String, Object> selector : List.of(map(map(spec.get("selector")).get("matchLabels")),
        map(map(BY_KIND.get("Service").get("spec")).get("selector")),
        map(map(map(BY_KIND.get("PodDisruptionBudget").get("spec")).get("selector")).get("matchLabels")))) {
      assertFalse(selector.isEmpty());
      selector.forEach((k, v) -> assertEquals(v, podLabels.get(k), "selector " + k + " matches the pod labels"));
    }
    HubConfig config = podConfig();
    Map<String, Object> container = container();
    Map<String, Object> port = map(list(container.get("ports")).get(0));
    assertEquals(config.http().port(), port.get("containerPort"), "the container port is the hub's http.port");
    Map<String, Object> servicePort = map(list(map(BY_KIND.get("Service").get("spec")).get("ports")).get(0));
    assertEquals(port.get("name"), servicePort.get("targetPort"), "the Service targets the hub's named port");
    assertEquals(1, map(BY_KIND.get("PodDisruptionBudget").get("spec")).get("minAvailable"));
  }

  @Test
  void probesHitTheHubsHealthAndReadyOnItsPort() {
    Map<String, String> paths = Map.of("/health", "getHealth", "/ready", "getReady");
    Map<String, Object> container = container();
    Map<String, Object> port = map(list(container.get("ports")).get(0));
    HubConfig config = podConfig();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
      String path = (String) get.get("path");
      assertTrue(paths.containsKey(path), probe + " path " + path);
      assertEquals(path, OpenApiDocument.operations().get(paths.get(path)).path(), probe + " is a route of the hub");
      assertEquals(port.get("name"), get.get("port"), probe + " port");
    }
    assertEquals("/ready", map(map(container.get("readinessProbe")).get("httpGet")).get("path"));
    assertEquals("/health", map(map(container.get("livenessProbe")).get("httpGet")).get("path"),
        "liveness must not fail because PostgreSQL or Redis is down (that is readiness)");
    int timeoutSeconds = (Integer) map(container.get("readinessProbe")).get("timeoutSeconds");
    assertTrue(timeoutSeconds * 1000 > config.http().readyTimeoutMs(), "the probe waits longer than /ready's checks");
  }

  @Test
  void thePodRunsNonRootReadOnlyAndOutlastsTheHubsShutdown() {
    Map<String, Object> pod = map(map(map(BY_KIND.get("Deployment").get("spec")).get("template")).get("spec"));
    Map<String, Object> security = map(pod.get("securityContext"));
    assertEquals(true, security.get("runAsNonRoot"));
    assertEquals(10001, security.get("runAsUser"), "the image's user");
    assertEquals(false, pod.get("enableServiceLinks"));
    Map<String, Object> container = map(container().get("securityContext"));
    assertEquals(true, container.get("readOnlyRootFilesystem"));
    assertEquals(false, container.get("allowPrivilegeEscalation"));
    List<String> mounts = list(container().get("volumeMounts")).stream().map(m -> (String) map(m).get("mountPath"))
        .toList();
    assertTrue(mounts.contains("/tmp") && mounts.contains("/var/lib/wedsync-hub/data"), "writable: " + mounts);
    HubConfig config = podConfig();
    assertEquals("data/spill", config.forms().spillDir().toString(), "the spill dir is under the mounted data/");
    long hubShutdownMs = config.http().shutdownDelayMs() + config.forms().drainMs() + 10_000L;
    int grace = (Integer) pod.get("terminationGracePeriodSeconds");
    assertTrue(grace * 1000L > hubShutdownMs, "grace " + grace + " s > the hub's shutdown " + hubShutdownMs + " ms");
    assertTrue(config.http().shutdownDelayMs() >= 3000, "/ready is 503 long enough for endpoints to be updated");
    // A Service whose name upper-cased is the prefix would inject WEDSYNC_HUB_SERVICE_HOST… into every pod.
    String service = (String) map(BY_KIND.get("Service").get("metadata")).get("name");
    assertFalse(("WEDSYNC_HUB_").startsWith(service.toUpperCase().replace('-', '_') + "_"), service);
  }

  @Test
  void thePodsEnvironmentIsAcceptedByTheHub() {
    HubConfig config = podConfig();
    assertTrue(config.cluster().clustered(), "two nodes share state through Redis");
    assertEquals(HubConfig.DatabaseMode.EXTERNAL, config.database().mode());
    assertFalse(config.demoData());
    assertFalse(config.auth().hs256Secret().startsWith("wedsync-dev-secret-"), "not the development secret");
  }

  @Test
  void composeRunsTwoHubsPostgresAndRedisWithAofBehindOnePort() throws IOException {
    Map<String, Object> compose = map(yaml().load(Files.readString(Path.of("compose.yaml"))));
    Map<String, Object> services = map(compose.get("services"));
    assertEquals(Set.of("hub-1", "hub-2", "front", "postgres", "redis"), services.keySet());
    services.forEach((name, s) -> assertNotNull(map(s).get("healthcheck"), name + " has a healthcheck"));
    services.forEach((name, s) -> assertEquals(name.equals("front"), map(s).containsKey("ports"),
        name + ": only the front publishes a port"));
    assertEquals(List.of("8080:8080"), map(services.get("front")).get("ports"));
    List<String> redis = list(map(services.get("redis")).get("command")).stream().map(String::valueOf).toList();
    assertEquals("yes", redis.get(redis.indexOf("--appendonly") + 1), "Redis keeps an append-only file");
    String nginx = Files.readString(Path.of("deploy/nginx.conf"));
    for (String node : List.of("hub-1", "hub-2")) {
      Map<String, Object> hub = map(services.get(node));
      Map<String, String> env = new HashMap<>();
      map(hub.get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v).replaceAll("\\$\\{[^:}]+:-([^}]*)}",
          "$1")));
      HubConfig config = HubConfig.load(ConfigSource.load(env));
      assertEquals(node, config.nodeId());
      assertTrue(config.cluster().clustered());
      assertTrue(nginx.contains("server " + node + ":" + config.http().port()), "the front balances to " + node);
      List<String> check = list(map(hub.get("healthcheck")).get("test")).stream().map(String::valueOf).toList();
      assertEquals("http://127.0.0.1:" + config.http().port() + "/ready", check.get(check.size() - 1));
      assertTrue(check.contains(com.wedsync.hub.ops.HealthProbe.class.getName()), "the probe class exists: " + check);
      long hubShutdownMs = config.http().shutdownDelayMs() + config.forms().drainMs() + 10_000L;
      String grace = (String) hub.get("stop_grace_period");
      assertTrue(Long.parseLong(grace.replace("s", "")) * 1000 > hubShutdownMs, node + " stop_grace_period " + grace);
    }
    assertTrue(nginx.contains("proxy_set_header Upgrade $http_upgrade") && !nginx.contains("ip_hash")
        && !nginx.contains("sticky"), "WebSocket upgrades, round-robin without stickiness");
  }

  /** The hub's configuration as a pod gets it: ConfigMap, Secret and the container's own env, read by the hub. */
  private static HubConfig podConfig() {
    Map<String, String> env = new HashMap<>();
    map(BY_KIND.get("ConfigMap").get("data")).forEach((k, v) -> env.put(k, (String) v));
    map(BY_KIND.get("Secret").get("stringData")).forEach((k, v) -> env.put(k, (String) v));
    for (Object e : list(container().get("env"))) {
      Map<String, Object> var = map(e);
      env.put((String) var.get("name"), var.containsKey("value") ? (String) var.get("value") : "wedsync-hub-7d9f-x2");
    }
    List<String> sources = list(container().get("envFrom")).stream().map(s -> {
      Map<String, Object> ref = map(s);
      return ref.containsKey("configMapRef") ? "ConfigMap/" + map(ref.get("configMapRef")).get("name")
          : "Secret/" + map(ref.get("secretRef")).get("name");
    }).toList();
    assertEquals(List.of("ConfigMap/" + map(BY_KIND.get("ConfigMap").get("metadata")).get("name"),
        "Secret/" + map(BY_KIND.get("Secret").get("metadata")).get("name")), sources);
    ConfigSource source = ConfigSource.load(env);
    assertEquals(List.of(), source.warnings());
    return HubConfig.load(source);
  }

  private static Map<String, Object> container() {
    Map<String, Object> pod = map(map(map(BY_KIND.get("Deployment").get("spec")).get("template")).get("spec"));
    return map(list(pod.get("containers")).get(0));
  }

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertTrue(o instanceof Map, "expected a mapping, got " + o);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertTrue(o instanceof List, "expected a list, got " + o);
    return (List<Object>) o;
  }
}
