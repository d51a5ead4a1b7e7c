package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A wedding's core facts (date, venue, guest count, contacts) and their cascade: a change — through
 * {@code PATCH /api/v1/weddings/{id}} or any bound form field — updates the wedding and then every bound field on every
 * form of that wedding whose supplier the couple shares that fact with, each as its own new version with
 * {@code source: "core"}. Cascaded changes never cascade again, so one change is one cascade. What a supplier is shown
 * of the wedding, and of a change to it, is only what the couple shares with it ({@link Sharing}).
 */
public final class CoreCascade {
  private static final Logger log = LoggerFactory.getLogger(CoreCascade.class);

  /** Core field → the type its values follow (also the whitelist of column names). */
  public static final Map<String, FieldType> CORE = new LinkedHashMap<>();

  static {
    CORE.put("wedding_date", FieldType.DATE);
    CORE.put("ceremony_time", FieldType.TIME);
    CORE.put("venue_name", FieldType.TEXT);
    CORE.put("venue_address", FieldType.TEXT);
    CORE.put("guest_count", FieldType.NUMBER);
    CORE.put("partner1_name", FieldType.TEXT);
    CORE.put("partner2_name", FieldType.TEXT);
    CORE.put("contact_email", FieldType.EMAIL);
    CORE.put("contact_phone", FieldType.PHONE);
  }

  private static final String BOUND = """
      select ff.form_id, ff.key from form_fields ff
        join forms f on f.id = ff.form_id
        join wedding_suppliers ws on ws.wedding_id = f.wedding_id and ws.supplier_id = f.supplier_id
       where f.wedding_id = $1 and ff.core_field = $2 and $2 = any(ws.shared_fields) and ff.id <> $3
       order by f.id""";

  private final FieldEditor editor;
  private final Pool db;
  private final Publisher publisher;
  private FormEvents events = FormEvents.NONE;

  public CoreCascade(FieldEditor editor, Pool db, Publisher publisher) {
    this.editor = editor;
    this.db = db;
    this.publisher = publisher;
  }

  /** Who hears about what happens here (notifications, activity); set once while the hub is wired. */
  public void listen(FormEvents events) {
    this.events = events;
  }

  /** Whether a core fact is a whole number (so is every field bound to it). */
  static boolean isWhole(String core) {
    return "guest_count".equals(core);
  }

  private static FieldDefinition definition(String core) {
    JsonObject rules = isWhole(core) ? new JsonObject().put("min", 0).put("max", 100_000).put("integer", true)
        : new JsonObject();
    return new FieldDefinition(core, core, CORE.get(core), false, null, rules, core);
  }

  /**
   * The wedding's core fields and version as {@code who} may see them (docs/protocol.md §2): the couple every fact; a supplier's
   * team member only the facts the couple shares with its supplier(s) connected to the wedding, the others left out.
   * {@code shared} names the facts given.
   */
  public Future<JsonObject> wedding(Editor who, UUID weddingId) {
    return load(weddingId).map(w -> shown(w.wedding(), who.isCouple() ? CORE.keySet()
        : who.isSupplier() ? w.sharing().sharedWith(who.access().suppliers()) : Set.of()));
  }

  private record Loaded(JsonObject wedding, Sharing sharing) {}

  private Future<Loaded> load(UUID weddingId) {
    return db.preparedQuery("select w.*, " + Sharing.COLUMN + " from weddings w where w.id = $1")
        .execute(Tuple.of(weddingId)).map(rows -> {
          if (rows.size() == 0) throw new ChannelError("not_found", "no wedding " + weddingId);
          Row r = rows.iterator().next();
          return new Loaded(describe(r), Sharing.of(r.getJsonObject("sharing")));
        });
  }

  /** The wedding with only the {@code visible} core facts, and {@code shared} naming them. */
  private static JsonObject shown(JsonObject wedding, Set<String> visible) {
    JsonObject all = wedding.getJsonObject("core");
    JsonObject core = new JsonObject();
    JsonArray shared = new JsonArray();
    for (String name : CORE.keySet()) {
      if (!visible.contains(name)) continue;
      core.put(name, all.getValue(name));
      shared.add(name);
    }
    return wedding.copy().put("core", core).put("shared", shared);
  }

  /**
   * {@code wedding:updated} on the wedding's channel, once per audience: the couple gets every changed fact, each
   * supplier only the changed facts the couple shares with it (none at all if it is shared none of them).
   */
  private void announce(UUID weddingId, Sharing sharing, JsonObject changed, long version, JsonObject by,
                        String source) {
    sharing.split(changed).forEach((audience, part) -> {
      JsonObject payload = new JsonObject().put("changes", part).put("version", version).put("by", by);
      if (source != null) payload.put("source", source);
      publisher.durable("wedding:" + weddingId, "wedding:updated", payload, audience);
    });
  }

  private static JsonObject describe(Row r) {
    JsonObject core = new JsonObject();
    for (String name : CORE.keySet()) {
      Object v = r.getValue(name);
      core.put(name, v == null ? null : v instanceof Number n ? n : v.toString());
    }
    return new JsonObject().put("id", r.getUUID("id").toString()).put("couple_id", r.getUUID("couple_id").toString())
        .put("version", r.getLong("version")).put("core", core);
  }

  /** PATCH: the couple changes core facts; each changed fact cascades. */
  public Future<JsonObject> patch(Editor who, UUID weddingId, JsonObject body) {
    if (!who.isCouple() || !who.access().canWrite()) {
      return Future.failedFuture(ChannelError.forbidden("only the couple can change the wedding's core facts"));
    }
    String opId = body.getValue("op_id") instanceof String s ? s : "patch-" + UUID.randomUUID();
    Map<String, Object> changes = new LinkedHashMap<>();
    for (String key : body.fieldNames()) {
      if (key.equals("op_id")) continue;
      if (!CORE.containsKey(key)) {
        return Future.failedFuture(ChannelError.invalid(key, key + " is not a core field (" + CORE.keySet() + ")"));
      }
      changes.put(key, FieldRules.validate(definition(key), body.getValue(key)));
    }
    if (changes.isEmpty()) return Future.failedFuture(ChannelError.invalid("body", "no core field to change"));
    return update(who, weddingId, changes).compose(updated -> {
      Future<Integer> cascaded = Future.succeededFuture(0);
      for (var e : changes.entrySet()) {
        // Each fact its own op id: a form bound to several of them must take each (one op id is applied once).
        cascaded = cascaded.compose(n -> propagate(who, weddingId, e.getKey(), e.getValue(), opId + "/" + e.getKey(),
            null).map(m -> n + m));
      }
      return cascaded.map(n -> shown(updated, CORE.keySet()).put("cascaded", n));
    });
  }

  /** A person changed a bound form field: the fact changes for the wedding and every other bound field. */
  void fromField(Editor who, FormInfo info, FieldState field, FieldChange change) {
    String core = field.definition().coreField();
    Object value;
    try {
      value = FieldRules.validate(definition(core), change.value());
    } catch (ChannelError e) {
      log.info("{} on form {} holds a value the wedding's {} cannot take; not cascaded: {}", field.key(),
          info.formId(), core, e.getMessage());
      return;
    }
    // The binding is live only where the couple shares the fact with the form's supplier (or the couple edits it).
    Future<Boolean> live = who.isCouple() ? Future.succeededFuture(true)
        : db.preparedQuery("select $3 = any(shared_fields) as shared from wedding_suppliers "
            + "where wedding_id = $1 and supplier_id = $2").execute(Tuple.of(info.weddingId(), info.supplierId(), core))
            .map(rows -> rows.size() > 0 && Boolean.TRUE.equals(rows.iterator().next().getBoolean("shared")));
    live.compose(ok -> !ok ? Future.succeededFuture(0)
            : update(who, info.weddingId(), Map.of(core, value))
                .compose(v -> propagate(who, info.weddingId(), core, value, change.opId(), field.fieldId())))
        .onFailure(e -> log.warn("cascade of {} from form {} failed: {}", core, info.formId(), e.getMessage()));
  }

  /**
   * Core facts another service changed in the weddings table: announced on the wedding's channel
   * ({@code source: "external"}) and cascaded to the bound fields exactly as the couple's own change would be.
   *
   * @param columns the core columns that changed (others are ignored)
   * @param opId    names this change, so its cascaded field changes are applied once
   */
  public Future<Integer> fromExternal(UUID weddingId, List<String> columns, String opId) {
    return load(weddingId).compose(loaded -> {
      JsonObject wedding = loaded.wedding();
      JsonObject core = wedding.getJsonObject("core");
      JsonObject changed = new JsonObject();
      for (String column : columns) if (CORE.containsKey(column)) changed.put(column, core.getValue(column));
      if (changed.isEmpty()) return Future.succeededFuture(0);
      announce(weddingId, loaded.sharing(), changed, wedding.getLong("version"), Editor.EXTERNAL.identity(),
          "external");
      Future<Integer> cascaded = Future.succeededFuture(0);
      for (String column : changed.fieldNames()) {
        cascaded = cascaded.compose(n -> propagate(Editor.EXTERNAL, weddingId, column, changed.getValue(column),
            opId + "/" + column, null).map(m -> n + m));
      }
      return cascaded;
    });
  }

  private Future<JsonObject> update(Editor who, UUID weddingId, Map<String, Object> changes) {
    StringBuilder sql = new StringBuilder("update weddings w set ");
    Tuple args = Tuple.tuple().addValue(weddingId).addValue(who.userId());
    int i = 3;
    for (var e : changes.entrySet()) {
      // Column names come from the CORE whitelist only; values are parameters.
      sql.append(e.getKey()).append(" = $").append(i++).append(", ");
      args.addValue(sqlValue(e.getKey(), e.getValue()));
    }
    sql.append("version = version + 1, updated_at = now(), updated_by = $2 where w.id = $1 returning w.*, ")
        .append(Sharing.COLUMN);
    return db.preparedQuery(sql.toString()).execute(args).map(rows -> {
      if (rows.size() == 0) throw new ChannelError("not_found", "no wedding " + weddingId);
      Row row = rows.iterator().next();
      JsonObject wedding = describe(row);
      JsonObject changed = new JsonObject();
      changes.forEach(changed::put);
      announce(weddingId, Sharing.of(row.getJsonObject("sharing")), changed, wedding.getLong("version"),
          who.identity(), null);
      changes.forEach((core, value) -> events.coreChanged(who, weddingId, core, value));
      return wedding;
    });
  }

  private static Object sqlValue(String core, Object value) {
    if (value == null) return null;
    return switch (core) {
      case "wedding_date" -> LocalDate.parse((String) value);
      case "ceremony_time" -> LocalTime.parse((String) value);
      case "guest_count" -> ((Number) value).intValue();
      default -> value.toString();
    };
  }

  /** Sets every live bound field but the origin; resolves to how many fields changed. */
  private Future<Integer> propagate(Editor who, UUID weddingId, String core, Object value, String opId,
                                    UUID originFieldId) {
    UUID origin = originFieldId == null ? new UUID(0, 0) : originFieldId;
    return db.preparedQuery(BOUND).execute(Tuple.of(weddingId, core, origin)).compose(rows -> {
      List<Row> targets = new ArrayList<>();
      rows.forEach(targets::add);
      Future<Integer> chain = Future.succeededFuture(0);
      for (Row r : targets) {
        UUID formId = r.getUUID("form_id");
        String key = r.getString("key");
        chain = chain.compose(n -> editor.applyCore(who, formId, key, value, opId + "/core/" + formId)
            .map(reply -> "unchanged".equals(reply.getString("status")) ? n : n + 1)
            .recover(e -> {
              log.info("core {} not applied to {} on form {}: {}", core, key, formId, e.getMessage());
              return Future.succeededFuture(n);
            }));
      }
      return chain;
    });
  }

  static JsonArray names() {
    return new JsonArray(new ArrayList<>(CORE.keySet()));
  }
}
