package com.wedsync.hub.cluster;

import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every key and channel name the hub uses in Redis, in one place (see docs/architecture.md, "Redis keys").
 *
 * <p>The part in braces is the Redis Cluster hash tag: every key a Lua script touches must share one, so a form's
 * fields, text ops, replies, pending list and history all carry {@code {form:<id>}}, and a channel's pub/sub name and
 * history carry the topic. Keys without a tag ({@link #PENDING_FORMS}, {@link #NODES}, {@link #LOCK_EXPIRY}) are only
 * ever used on their own.
 */
public final class RedisKeys {
  private RedisKeys() {}

  // ---- channels and their history ----

  /** The pub/sub channel of a topic; the topic is the hash tag, so sharded pub/sub routes per topic. */
  public static String channel(String topic) {
    return "hub:{" + topic + "}";
  }

  /** Whether a pub/sub channel name is a topic's (and not, say, a node's probe). */
  public static boolean isChannel(String channel) {
    return channel.startsWith("hub:{");
  }

  /** A node's own probe channel: a message it publishes must come back through its subscription. */
  public static String probe(String nodeId) {
    return "hub:probe:" + nodeId + ":" + UUID.randomUUID();
  }

  /** A node's relay channel: requests other nodes carry to it (a long-poll request that reached the wrong node). */
  public static String relay(String nodeId) {
    return "hub:relay:{" + nodeId + "}";
  }

  public static boolean isRelay(String channel) {
    return channel.startsWith("hub:relay:{");
  }

  /** A topic's history: its stream (entry id = offset) and a hash with its epoch and top offset. */
  public static List<String> history(String topic) {
    String stream = "hub:history:{" + topic + "}";
    return List.of(stream, stream + ":meta");
  }

  // ---- presence ----

  /** A topic's presences: a hash of entries and a sorted set of their expiry times. */
  public static List<String> presence(String topic) {
    return List.of("hub:pres:{" + topic + "}", "hub:pres:{" + topic + "}:exp");
  }

  /** The topics a node has presences on (so a survivor can remove them when it dies). */
  public static String nodePresenceTopics(String node) {
    return "hub:node:{" + node + "}:ptopics";
  }

  // ---- nodes ----

  /** Every node's last heartbeat (a sorted set by time). */
  public static final String NODES = "hub:nodes";

  /** The lease of the one survivor cleaning up after a dead node. */
  public static String reapLease(String deadNode) {
    return "hub:reap:{" + deadNode + "}";
  }

  /** A lease one node holds at a time for a job only one may do (e.g. reading the replication slot). */
  public static String lease(String name) {
    return "hub:lease:{" + name + "}";
  }

  // ---- forms ----

  /** A form's hot state: info and one entry per field. */
  public static String form(UUID formId) {
    return "hub:form:{form:" + formId + "}";
  }

  /** The recent text ops of a text area ("version|op" entries). */
  public static String textOps(UUID formId, String key) {
    return form(formId) + ":ops:" + key;
  }

  /** The replies given to op ids on the form (idempotency). */
  public static String replies(UUID formId) {
    return form(formId) + ":replies";
  }

  /** The form's accepted changes PostgreSQL does not have yet, in order. */
  public static String pending(UUID formId) {
    return form(formId) + ":pending";
  }

  /** The glob matching every form's pending list (the save buffer's sweep). */
  public static final String PENDING_PATTERN = "hub:form:*:pending";

  private static final Pattern PENDING = Pattern.compile("hub:form:\\{form:([0-9a-fA-F-]{36})}:pending");

  /** The form a pending list belongs to, or null for a key that is not one. */
  public static UUID formOfPending(String key) {
    Matcher m = PENDING.matcher(key);
    return m.matches() ? UUID.fromString(m.group(1)) : null;
  }

  /** The forms that have pending changes. */
  public static final String PENDING_FORMS = "hub:pending-forms";

  /** The lease of the one node writing a form's pending changes now. */
  public static String flushLease(UUID formId) {
    return form(formId) + ":flushing";
  }

  // ---- locks ----

  /** A form's field locks. */
  public static String locks(UUID formId) {
    return "hub:locks:{form:" + formId + "}";
  }

  /** When every lease ends (a sorted set the lock reapers sweep). */
  public static final String LOCK_EXPIRY = "hub:locks:expiry";

  // ---- changes made outside the hub ----

  /** The claim of the one node acting on one announcement from PostgreSQL. */
  public static String externalClaim(String name) {
    return "hub:external:" + name;
  }
}
