package com.wedsync.hub.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Everything the hub is told, typed and validated once at start-up. */
public record HubConfig(
    String nodeId,
    Http http,
    Database database,
    boolean demoData,
    Auth auth,
    Socket socket,
    Presence presence,
    Forms forms,
    Cluster cluster,
    Log log,
    Delivery delivery,
    History history,
    PostgresChanges postgresChanges) {

  /**
   * @param transport       the event loops' I/O transport (see {@link com.wedsync.hub.http.IoTransport})
   * @param readyTimeoutMs  a {@code /ready} check not answered this soon counts as failed (the probe answers 503)
   * @param shutdownDelayMs on a graceful shutdown, {@code /ready} answers 503 this long before the sockets close, so
   *                        load balancers take the node out of rotation first
   */
  public record Http(String host, int port, String publicUrl, int verticles,
                     com.wedsync.hub.http.IoTransport.Choice transport, int readyTimeoutMs, int shutdownDelayMs) {}

  /** The same configuration listening on {@code port} (the free port picked for {@code http.port} 0). */
  public HubConfig withPort(int port) {
    return new HubConfig(nodeId, new Http(http.host(), port, http.publicUrl(), http.verticles(), http.transport(),
        http.readyTimeoutMs(), http.shutdownDelayMs()),
        database, demoData, auth, socket, presence, forms, cluster, log, delivery, history, postgresChanges);
  }

  /** Event loops: {@code http.verticles}, or one per core. */
  public int eventLoops() {
    return http.verticles() > 0 ? http.verticles() : Runtime.getRuntime().availableProcessors();
  }

  public enum DatabaseMode { EMBEDDED, EXTERNAL }

  public record Database(DatabaseMode mode, Path dataDir, int embeddedPort, String url, String user, String password,
                         int poolSize) {}

  /**
   * @param issuer                  when set, a token's {@code iss} must equal it
   * @param audience                when set, a token's {@code aud} (a string or a list) must include it
   * @param maxTokenLifetimeSeconds a token living longer ({@code exp} − {@code iat}, or − now) is refused
   */
  public record Auth(String hs256Secret, String rs256PublicKeyPem, String jwksUrl, List<String> anonKeys,
                     int leewaySeconds, String issuer, String audience, int maxTokenLifetimeSeconds) {}

  /**
   * @param maxConnectionsPerIp open TCP connections (HTTP and WebSocket) from one address
   * @param connectRatePerIp    new WebSockets per second from one address (token bucket with {@code connectBurstPerIp})
   * @param connectRatePerUser  new WebSockets per second for one user (token bucket with {@code connectBurstPerUser})
   * @param requestTimeoutMs    a connection must send a complete request (or upgrade) this soon after it opens, and
   *                            a kept-alive HTTP connection its next one; a request must be answered this soon
   */
  public record Socket(int maxChannelsPerConnection, int maxConnectionsPerUser, int maxFrameBytes,
                       int outboundQueueBytes, int idleTimeoutMs, int pingIntervalMs, List<String> allowedOrigins,
                       int ratePerSecond, int rateBurst, int maxConnectionsPerIp, int connectRatePerIp,
                       int connectBurstPerIp, int connectRatePerUser, int connectBurstPerUser,
                       int requestTimeoutMs) {}

  /** @param lastSeenFlushMs how often {@code users.last_seen_at} sightings are written (client status) */
  public record Presence(int diffIntervalMs, int lastSeenFlushMs) {}

  /**
   * @param lockLeaseMs      how long a field lock lasts without renewal
   * @param saveIntervalMs   the write-behind batch window: pending field changes are written at least this often
   * @param saveRetryMaxMs   the longest wait between retries while PostgreSQL refuses a batch
   * @param typingThrottleMs at most one typing signal per user and field in this interval
   * @param textOpsKept      text ops kept per field for transforming late ops; older bases get a conflict
   */
  /**
   * @param saveBacklogReadyMs {@code /ready} answers 503 when an accepted change has waited this long to be saved
   * @param spillDir           where one node keeps changes it could not save before stopping (written at next start)
   * @param drainMs            how long a graceful shutdown keeps trying to save before it spills
   */
  public record Forms(int lockLeaseMs, int saveIntervalMs, int saveRetryMaxMs, int typingThrottleMs, int textOpsKept,
                      int saveBacklogReadyMs, Path spillDir, int drainMs) {}

  /** @param config a logback configuration file to use instead of {@code format}/{@code level} ("" for none) */
  public record Log(String format, String level, String config) {}

  /**
   * @param clustered     false: one node with in-process state; true: shared state in Redis between nodes
   * @param presenceTtlMs a presence entry not refreshed by its node for this long is gone
   * @param nodeTtlMs     a node silent for this long is dead: survivors remove its presences
   * @param redisCluster  Redis is a Redis Cluster ({@code cluster.redisMode=cluster}): pub/sub is then always sharded
   * @param redisNodes    the cluster's seed nodes ({@code cluster.redisNodes}, else {@code redisUrl})
   * @param redisWaitReplicas replicas an accepted change or granted lock must reach before it is answered (cluster)
   */
  public record Cluster(boolean clustered, String redisUrl, int redisPoolSize, boolean sharded, int presenceTtlMs,
                        int nodeTtlMs, boolean redisCluster, List<String> redisNodes, int redisWaitReplicas) {}

  /**
   * Email, SMS and push deliveries of notifications: each channel posts to its webhook (an empty URL disables the
   * channel, and no delivery is queued for it). Failed posts are retried with exponential backoff; after
   * {@code maxAttempts} the delivery is {@code dead}.
   *
   * @param pollIntervalMs   how often every node looks for due deliveries
   * @param batchSize        deliveries claimed per poll
   * @param backoffBaseMs    wait after the first failure; doubled per further failure
   * @param backoffMaxMs     the longest wait between attempts
   * @param requestTimeoutMs a webhook that has not answered by then has failed this attempt
   */
  public record Delivery(String emailUrl, String smsUrl, String pushUrl, int pollIntervalMs, int batchSize,
                         int maxAttempts, int backoffBaseMs, int backoffMaxMs, int requestTimeoutMs) {

    /** The channels with a webhook, in a fixed order. */
    public List<String> channels() {
      List<String> out = new java.util.ArrayList<>();
      if (!emailUrl.isEmpty()) out.add("email");
      if (!smsUrl.isEmpty()) out.add("sms");
      if (!pushUrl.isEmpty()) out.add("push");
      return out;
    }

    public String url(String channel) {
      return switch (channel) {
        case "email" -> emailUrl;
        case "sms" -> smsUrl;
        case "push" -> pushUrl;
        default -> "";
      };
    }
  }

  /**
   * History recovery (docs/protocol.md §7): an event is dropped from a channel's history only once it is neither among the
   * last {@code keepEvents} nor younger than {@code keepMs}; a channel with no publication for {@code idleTtlMs}
   * loses its whole history (and so its epoch).
   */
  public record History(int keepEvents, int keepMs, int idleTtlMs) {}

  /**
   * Supabase-style {@code postgres_changes} (docs/protocol.md §12): row changes of the listed tables, read from a
   * logical replication slot, kept {@code keepMs} in the change log for recovery.
   */
  public record PostgresChanges(boolean enabled, String slot, String publication, int keepMs,
                                List<PublishedTable> tables) {}

  /**
   * A table whose row changes are published, and who may see a row: the team of the supplier in column
   * {@code supplier}, the members of the couple in {@code couple}, the user in {@code user}, or — through
   * {@code wedding} — the wedding's couple and every supplier connected to it. Empty: not mapped that way.
   *
   * @param columns the columns that may leave the hub (empty: every column)
   */
  public record PublishedTable(String schema, String table, String supplier, String couple, String user,
                               String wedding, List<String> columns) {
    public String name() {
      return schema + "." + table;
    }
  }

  public static HubConfig load() {
    return load(System.getenv());
  }

  /** Builds the configuration from {@code conf/hub.json} and the given environment (tests pass their own map). */
  public static HubConfig load(Map<String, String> env) {
    return load(ConfigSource.load(env));
  }

  /** Builds the configuration from an already read source (whose {@link ConfigSource#warnings()} start-up logs). */
  public static HubConfig load(ConfigSource c) {
    String nodeId = c.string("node.id");
    if (nodeId.isEmpty()) nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
    else if (!nodeId.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException("node.id", "use 1-64 letters, digits, '.', '_' or '-', got '" + nodeId + "'");
    }

    Http http = new Http(c.string("http.host"), c.integer("http.port", 0, 65535), c.string("http.publicUrl"),
        c.integer("http.verticles", 0, 64),
        com.wedsync.hub.http.IoTransport.Choice.parse(c.string("http.transport")),
        c.integer("http.readyTimeoutMs", 100, 60_000), c.integer("http.shutdownDelayMs", 0, 600_000));

    DatabaseMode mode = switch (c.string("database.mode").toLowerCase()) {
      case "embedded" -> DatabaseMode.EMBEDDED;
      case "external" -> DatabaseMode.EXTERNAL;
      default -> throw new ConfigException("database.mode", "expected 'embedded' or 'external', got '"
          + c.string("database.mode") + "'");
    };
    String url = c.string("database.url");
    if (mode == DatabaseMode.EXTERNAL && !url.startsWith("postgres")) {
      throw new ConfigException("database.url", "external mode needs a postgresql://user:pass@host:port/db URL, got '"
          + url + "'");
    }
    Database database = new Database(mode, Path.of(c.string("database.dataDir")), c.integer("database.embeddedPort",
        0, 65535), url, c.string("database.user"), c.string("database.password"),
        c.integer("database.poolSize", 1, 256));

    String secret = c.string("auth.hs256Secret");
    String secretFile = c.string("auth.hs256SecretFile");
    if (secret.isEmpty() && !secretFile.isEmpty()) secret = ConfigFiles.read("auth.hs256SecretFile", secretFile).trim();
    String pemFile = c.string("auth.rs256PublicKeyFile");
    String pem = pemFile.isEmpty() ? "" : ConfigFiles.read("auth.rs256PublicKeyFile", pemFile);
    String jwks = c.string("auth.jwksUrl");
    if (secret.isEmpty() && pem.isEmpty() && jwks.isEmpty()) {
      throw new ConfigException("auth.hs256Secret", "no way to verify tokens: set a secret, a public key or a JWKS URL");
    }
    if (!secret.isEmpty() && secret.length() < 32) {
      throw new ConfigException("auth.hs256Secret", "must be at least 32 characters for HS256");
    }
    Auth auth = new Auth(secret, pem, jwks, c.list("auth.anonKeys"), c.integer("auth.leewaySeconds", 0, 300),
        c.string("auth.issuer"), c.string("auth.audience"),
        c.integer("auth.maxTokenLifetimeSeconds", 60, 366 * 86_400));

    Socket socket = new Socket(
        c.integer("socket.maxChannelsPerConnection", 1, 10_000),
        c.integer("socket.maxConnectionsPerUser", 1, 10_000),
        c.integer("socket.maxFrameBytes", 256, 16 * 1024 * 1024),
        c.integer("socket.outboundQueueBytes", 4096, 256 * 1024 * 1024),
        c.integer("socket.idleTimeoutMs", 1000, 3_600_000),
        c.integer("socket.pingIntervalMs", 500, 3_600_000),
        c.list("socket.allowedOrigins"),
        c.integer("socket.ratePerSecond", 1, 1_000_000),
        c.integer("socket.rateBurst", 1, 1_000_000),
        c.integer("socket.maxConnectionsPerIp", 1, 10_000_000),
        c.integer("socket.connectRatePerIp", 1, 1_000_000),
        c.integer("socket.connectBurstPerIp", 1, 1_000_000),
        c.integer("socket.connectRatePerUser", 1, 1_000_000),
        c.integer("socket.connectBurstPerUser", 1, 1_000_000),
        c.integer("socket.requestTimeoutMs", 100, 3_600_000));

    Presence presence = new Presence(c.integer("presence.diffIntervalMs", 1, 10_000),
        c.integer("presence.lastSeenFlushMs", 100, 600_000));
    Forms forms = new Forms(c.integer("forms.lockLeaseMs", 1000, 3_600_000),
        c.integer("forms.saveIntervalMs", 10, 600_000), c.integer("forms.saveRetryMaxMs", 100, 3_600_000),
        c.integer("forms.typingThrottleMs", 0, 60_000), c.integer("forms.textOpsKept", 10, 1_000_000),
        c.integer("forms.saveBacklogReadyMs", 1000, 86_400_000), Path.of(c.string("forms.spillDir")),
        c.integer("forms.drainMs", 0, 600_000));
    boolean clustered = switch (c.string("cluster.mode").toLowerCase()) {
      case "embedded" -> false;
      case "cluster" -> true;
      default -> throw new ConfigException("cluster.mode", "expected 'embedded' or 'cluster', got '"
          + c.string("cluster.mode") + "'");
    };
    String redisUrl = c.string("cluster.redisUrl");
    if (clustered && !redisUrl.matches("rediss?://.+")) {
      throw new ConfigException("cluster.redisUrl", "cluster mode needs a redis://host:port URL, got '" + redisUrl + "'");
    }
    if (clustered && mode == DatabaseMode.EMBEDDED) {
      throw new ConfigException("database.mode", "cluster mode needs one shared PostgreSQL: set database.mode "
          + "to external and database.url");
    }
    RedisTopology redis = RedisTopology.read(c, redisUrl);
    Cluster cluster = new Cluster(clustered, redisUrl, c.integer("cluster.redisPoolSize", 1, 1024),
        c.bool("cluster.sharded") || redis.cluster(), c.integer("cluster.presenceTtlMs", 1000, 600_000),
        c.integer("cluster.nodeTtlMs", 1000, 600_000), redis.cluster(), redis.nodes(),
        c.integer("cluster.redisWaitReplicas", 0, 16));
    String format = c.string("log.format");
    if (!format.equals("json") && !format.equals("text")) {
      throw new ConfigException("log.format", "expected 'json' or 'text', got '" + format + "'");
    }
    String level = c.string("log.level").toUpperCase();
    if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
      throw new ConfigException("log.level", "expected one of TRACE, DEBUG, INFO, WARN, ERROR, got '" + level + "'");
    }
    String logConfig = c.string("log.config");
    if (!logConfig.isEmpty() && !java.nio.file.Files.isReadable(Path.of(logConfig))) {
      throw new ConfigException("log.config", "no readable logback configuration file at '" + logConfig + "'");
    }
    Delivery delivery = new Delivery(webhook(c, "delivery.emailUrl"), webhook(c, "delivery.smsUrl"),
        webhook(c, "delivery.pushUrl"), c.integer("delivery.pollIntervalMs", 10, 600_000),
        c.integer("delivery.batchSize", 1, 1000), c.integer("delivery.maxAttempts", 1, 100),
        c.integer("delivery.backoffBaseMs", 1, 3_600_000), c.integer("delivery.backoffMaxMs", 1, 86_400_000),
        c.integer("delivery.requestTimeoutMs", 100, 600_000));
    if (delivery.backoffMaxMs() < delivery.backoffBaseMs()) {
      throw new ConfigException("delivery.backoffMaxMs", "must be at least delivery.backoffBaseMs ("
          + delivery.backoffBaseMs() + "), got " + delivery.backoffMaxMs());
    }
    History history = new History(c.integer("history.keepEvents", 1, 1_000_000),
        c.integer("history.keepMs", 0, 86_400_000), c.integer("history.idleTtlMs", 1000, 604_800_000));
    if (history.idleTtlMs() < history.keepMs()) {
      throw new ConfigException("history.idleTtlMs", "must be at least history.keepMs (" + history.keepMs()
          + "), got " + history.idleTtlMs());
    }
    return new HubConfig(nodeId, http, database, c.bool("demoData"), auth, socket, presence, forms, cluster,
        new Log(format, level, logConfig), delivery, history, postgresChanges(c));
  }

  private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static PostgresChanges postgresChanges(ConfigSource c) {
    String slot = c.string("postgresChanges.slot");
    String publication = c.string("postgresChanges.publication");
    for (var named : List.of(java.util.Map.entry("postgresChanges.slot", slot),
        java.util.Map.entry("postgresChanges.publication", publication))) {
      if (!IDENTIFIER.matcher(named.getValue()).matches()) {
        throw new ConfigException(named.getKey(), "must be a lower-case SQL identifier, got '" + named.getValue() + "'");
      }
    }
    List<PublishedTable> tables = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    io.vertx.core.json.JsonArray raw = c.objects("postgresChanges.tables");
    for (int i = 0; i < raw.size(); i++) {
      io.vertx.core.json.JsonObject t = raw.getJsonObject(i);
      String at = "postgresChanges.tables[" + i + "]";
      for (String key : t.fieldNames()) {
        if (!List.of("schema", "table", "supplier", "couple", "user", "wedding", "columns").contains(key)) {
          throw new ConfigException(at + "." + key, "unknown key; a table has schema, table, supplier, couple, user, "
              + "wedding and columns");
        }
      }
      String schema = identifier(t, "schema", "public", at);
      String table = identifier(t, "table", null, at);
      if (schema.equals("public") && table.equals("weddings")) {
        throw new ConfigException(at + ".table", "weddings holds core facts the couple shares per supplier; "
            + "subscribe to wedding:{id} for them instead");
      }
      List<String> columns = new java.util.ArrayList<>();
      Object cols = t.getValue("columns");
      if (cols != null) {
        if (!(cols instanceof io.vertx.core.json.JsonArray list)) {
          throw new ConfigException(at + ".columns", "expected a list of column names");
        }
        for (Object col : list) {
          if (!(col instanceof String name) || !IDENTIFIER.matcher(name).matches()) {
            throw new ConfigException(at + ".columns", "expected column names, got " + col);
          }
          columns.add(name);
        }
      }
      PublishedTable p = new PublishedTable(schema, table, identifier(t, "supplier", "", at),
          identifier(t, "couple", "", at), identifier(t, "user", "", at), identifier(t, "wedding", "", at),
          List.copyOf(columns));
      if (p.supplier().isEmpty() && p.couple().isEmpty() && p.user().isEmpty() && p.wedding().isEmpty()) {
        throw new ConfigException(at, "names no column saying who may see a row (supplier, couple, user or wedding); "
            + "a table nobody may see is not worth publishing");
      }
      if (!seen.add(p.name())) throw new ConfigException(at + ".table", p.name() + " is listed twice");
      tables.add(p);
    }
    return new PostgresChanges(c.bool("postgresChanges.enabled"), slot, publication,
        c.integer("postgresChanges.keepMs", 1000, 604_800_000), List.copyOf(tables));
  }

  private static String identifier(io.vertx.core.json.JsonObject t, String key, String fallback, String at) {
    Object v = t.getValue(key);
    if (v == null) {
      if (fallback == null) throw new ConfigException(at + "." + key, "missing");
      return fallback;
    }
    if (!(v instanceof String s) || !IDENTIFIER.matcher(s).matches()) {
      throw new ConfigException(at + "." + key, "must be a lower-case SQL identifier, got " + v);
    }
    return s;
  }

  /** A webhook URL: empty (the channel is off) or an absolute http(s) URL. */
  private static String webhook(ConfigSource c, String key) {
    String url = c.string(key);
    if (url.isEmpty()) return url;
    try {
      java.net.URI uri = new java.net.URI(url);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) return url;
    } catch (java.net.URISyntaxException e) {
      // reported below with the key's name
    }
    throw new ConfigException(key, "expected an http:// or https:// URL, or empty to turn the channel off, got '"
        + url + "'");
  }
}
