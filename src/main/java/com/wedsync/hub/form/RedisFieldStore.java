package com.wedsync.hub.form;

import com.wedsync.hub.cluster.RedisKeys;
import com.wedsync.hub.bus.BusCodec;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.RedisBus;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.cluster.LuaScript;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.form.text.TextHistory;
import com.wedsync.hub.form.text.TextHistory.VersionedOp;
import com.wedsync.hub.form.text.TextOp;
import com.wedsync.hub.history.RedisHistory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The cluster {@link FieldStore}: a form's fields, versions, recent text ops and op-id replies in Redis, under the form
 * as hash tag. A form is hydrated from PostgreSQL by the first node that needs it; from then on Redis is where edits
 * race, through one Lua compare-and-set that also numbers {@code field:changed} in the form channel's history and
 * publishes it (so every node sees a form's changes in version and offset order, including the node that made them).
 */
public final class RedisFieldStore implements FieldStore {
  private static final LuaScript HYDRATE = LuaScript.load("form-hydrate");
  private static final LuaScript COMMIT = LuaScript.load("form-commit", "history-append");
  private static final long REPLIES_TTL_MS = 24 * 3600 * 1000L;

  private final RedisConnections redis;
  private final FormRepository repository;
  private final int textOpsKept;
  private final RedisHistory history;

  public RedisFieldStore(RedisConnections redis, FormRepository repository, int textOpsKept, RedisHistory history) {
    this.redis = redis;
    this.repository = repository;
    this.textOpsKept = textOpsKept;
    this.history = history;
  }

  static String formKey(UUID formId) {
    return RedisKeys.form(formId);
  }

  static String opsKey(UUID formId, String key) {
    return RedisKeys.textOps(formId, key);
  }

  static String repliesKey(UUID formId) {
    return RedisKeys.replies(formId);
  }

  // ---- encoding -------------------------------------------------------------------------------------------------

  static String encode(FieldState f) {
    FieldDefinition d = f.definition();
    return new JsonObject().put("id", f.fieldId().toString())
        .put("def", new JsonObject().put("key", d.key()).put("label", d.label()).put("type", d.type().wireName())
            .put("required", d.required()).put("options", d.options()).put("validation", d.validation())
            .put("core", d.coreField()))
        .put("value", f.value()).put("version", f.version()).put("by", f.by())
        .put("at", f.at() == null ? null : f.at().toString()).encode();
  }

  static FieldState decodeField(String raw) {
    JsonObject j = new JsonObject(raw);
    JsonObject d = j.getJsonObject("def");
    FieldDefinition def = new FieldDefinition(d.getString("key"), d.getString("label"),
        FieldType.parse(d.getString("type")), d.getBoolean("required"), d.getJsonArray("options"),
        d.getJsonObject("validation"), d.getString("core"));
    String at = j.getString("at");
    return new FieldState(UUID.fromString(j.getString("id")), def, j.getValue("value"), j.getLong("version"),
        j.getJsonObject("by"), at == null ? null : Instant.parse(at));
  }

  static String encode(FormInfo i) {
    return new JsonObject().put("form", i.formId().toString()).put("supplier", i.supplierId().toString())
        .put("wedding", i.weddingId().toString()).put("couple", i.coupleId().toString()).put("title", i.title())
        .put("status", i.status()).encode();
  }

  static FormInfo decodeInfo(String raw) {
    JsonObject j = new JsonObject(raw);
    return new FormInfo(UUID.fromString(j.getString("form")), UUID.fromString(j.getString("supplier")),
        UUID.fromString(j.getString("wedding")), UUID.fromString(j.getString("couple")), j.getString("title"),
        j.getString("status"));
  }

  // ---- the port -------------------------------------------------------------------------------------------------

  @Override
  public Future<FormSnapshot> form(UUID formId) {
    return read(formId).compose(snapshot -> snapshot != null ? Future.succeededFuture(snapshot)
        : repository.load(formId).compose(loaded -> {
          List<String> args = new ArrayList<>();
          args.add(encode(loaded.info()));
          args.add(new JsonArray(loaded.fields().stream().map(FieldState::key).toList()).encode());
          for (FieldState f : loaded.fields()) {
            args.add(f.key());
            args.add(encode(f));
            args.add(String.valueOf(f.version()));
          }
          return HYDRATE.run(redis, List.of(formKey(formId)), args).compose(r -> read(formId));
        }));
  }

  /** The form as Redis has it, or null when no node has hydrated it yet. */
  private Future<FormSnapshot> read(UUID formId) {
    return redis.send(Request.cmd(Command.HGETALL).arg(formKey(formId))).map(r -> {
      if (r == null || !r.containsKey("info")) return null;
      FormInfo info = decodeInfo(r.get("info").toString());
      Map<String, FieldState> byKey = new HashMap<>();
      for (String k : r.getKeys()) if (k.startsWith("f:")) byKey.put(k.substring(2), decodeField(r.get(k).toString()));
      List<FieldState> ordered = new ArrayList<>();
      for (Object key : new JsonArray(r.get("order").toString())) {
        FieldState f = byKey.get((String) key);
        if (f != null) ordered.add(f);
      }
      return new FormSnapshot(info, List.copyOf(ordered));
    });
  }

  @Override
  public Future<FieldView> field(UUID formId, String key) {
    return redis.send(Request.cmd(Command.HMGET).arg(formKey(formId)).arg("info").arg("f:" + key)).compose(r -> {
      if (r == null || r.get(0) == null) return form(formId).map(form -> FieldView.of(form, key)); // not hydrated
      if (r.get(1) == null) return Future.failedFuture(FieldView.notFound(key));
      return Future.succeededFuture(new FieldView(decodeInfo(r.get(0).toString()), decodeField(r.get(1).toString())));
    });
  }

  @Override
  public Future<CommitResult> commit(FieldView seen, FieldChange change, TextOp textOp, JsonObject reply) {
    long expectedVersion = seen.field().version();
    FieldState next = seen.field().next(change.value(), change.version(), change.by(), change.at());
    String topic = seen.info().topic();
    // No origin node: the event comes back through Redis to every node, this one included, in commit order.
    String message = BusCodec.encode("", ChannelEvent.of(topic, "field:changed", change.event()));
    String replyField = change.opId() == null ? "" : change.byUser() + "|" + change.opId();
    // The form is listed as having pending changes before the change is queued, so no crash between the two can
    // leave a queued change that no node knows to write (RedisSaveBuffer also sweeps for such lists). Both go in one
    // pipelined round trip on one connection, which keeps that order.
    Request listed = Request.cmd(Command.SADD).arg(RedisKeys.PENDING_FORMS).arg(change.formId().toString());
    // The form's history keys share its hash tag ({form:<id>}), so the change is numbered in this script.
    List<String> keys = new ArrayList<>(List.of(formKey(change.formId()), opsKey(change.formId(), change.key()),
        repliesKey(change.formId()), RedisKeys.pending(change.formId())));
    keys.addAll(RedisHistory.keys(topic));
    List<String> args = new ArrayList<>(List.of(change.key(), String.valueOf(expectedVersion), encode(next),
        String.valueOf(change.version()), textOp == null ? "" : textOp.toJson().encode(),
        String.valueOf(textOpsKept), replyField, reply.encode(), String.valueOf(REPLIES_TTL_MS),
        history.publishCommand(), RedisKeys.channel(topic), message, FieldChangeCodec.encode(change)));
    args.addAll(history.appendArgs());
    return COMMIT.runAfter(redis, listed, keys, args)
        .map(r -> switch (r.get(0).toInteger()) {
          case 1 -> CommitResult.committed(next);
          case 0 -> CommitResult.stale(decodeField(r.get(1).toString()));
          case 2 -> CommitResult.duplicate(new JsonObject(r.get(1).toString()));
          default -> throw ChannelError.invalid("field", "no field '" + change.key() + "' on this form");
        });
  }

  @Override
  public Future<List<TextOp>> textOpsSince(UUID formId, String key, long version, long upTo) {
    return field(formId, key).compose(view -> {
      FieldState current = view.field();
      if (version == upTo) return Future.succeededFuture(List.of());
      return redis.send(Request.cmd(Command.LRANGE).arg(opsKey(formId, key)).arg(0).arg(-1)).compose(r -> {
        List<VersionedOp> log = new ArrayList<>();
        if (r != null) {
          for (Response item : r) {
            String s = item.toString(); // "version|op"
            int bar = s.indexOf('|');
            long v = Long.parseLong(s.substring(0, bar));
            if (v <= version) continue; // only the ops that are needed are parsed
            if (v > upTo) break;
            log.add(new VersionedOp(v, TextOp.parse(new JsonArray(s.substring(bar + 1)))));
          }
        }
        List<TextOp> since = TextHistory.between(log, version, upTo);
        if (since == null) return Future.failedFuture(FieldStore.tooOldToMerge(current, version));
        return Future.succeededFuture(since);
      });
    });
  }

  @Override
  public Future<JsonObject> reply(UUID formId, UUID user, String opId) {
    return redis.send(Request.cmd(Command.HGET).arg(repliesKey(formId)).arg(user + "|" + opId))
        .map(r -> r == null ? null : new JsonObject(r.toString()));
  }

  @Override
  public Future<Void> updateInfo(UUID formId, java.util.function.UnaryOperator<FormInfo> change) {
    return form(formId).compose(snapshot -> redis.send(Request.cmd(Command.HSET).arg(formKey(formId)).arg("info")
        .arg(encode(change.apply(snapshot.info()))))).mapEmpty();
  }

  private final Map<UUID, Future<FormSnapshot>> shapes = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public Future<FormSnapshot> shape(UUID formId) {
    Future<FormSnapshot> f = shapes.computeIfAbsent(formId, this::form);
    return f.onFailure(e -> shapes.remove(formId, f));
  }

  @Override
  public void evict(UUID formId) {
    shapes.remove(formId);
    redis.send(Request.cmd(Command.DEL).arg(formKey(formId)));
  }
}
