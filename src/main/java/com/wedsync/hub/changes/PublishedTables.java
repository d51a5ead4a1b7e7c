package com.wedsync.hub.changes;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tables whose row changes clients may subscribe to: the configured ones ({@code postgresChanges.tables}) that
 * exist, with their columns as the database has them. A join's {@code postgres_changes} entries are checked here —
 * unknown tables, forbidden columns and malformed filters are refused with the reason — so nothing unpublished is
 * ever asked of the change feed.
 */
public final class PublishedTables {
  private static final Logger log = LoggerFactory.getLogger(PublishedTables.class);
  static final int MAX_BINDINGS = 100;

  /** A published table: its rule and the columns that may leave the hub (all of them, or the allow-list). */
  record Table(HubConfig.PublishedTable rule, Set<String> columns) {}

  private final Map<String, Table> tables;
  private final String off;

  private PublishedTables(Map<String, Table> tables, String off) {
    this.tables = tables;
    this.off = off;
  }

  /** Nothing is published; {@code why} is what a join asking for changes is told. */
  public static PublishedTables off(String why) {
    return new PublishedTables(Map.of(), why);
  }

  /** Reads the configured tables' columns; a table that does not exist, or lacks a column its rule names, is left out. */
  public static Future<PublishedTables> load(Pool db, HubConfig.PostgresChanges cfg) {
    if (!cfg.enabled()) return Future.succeededFuture(off("postgres_changes are turned off on this hub"));
    return db.query("select current_setting('wal_level') as level").execute().compose(level -> {
      String wal = level.iterator().next().getString("level");
      if (!"logical".equals(wal)) {
        log.error("postgres_changes need PostgreSQL with wal_level=logical (it is '{}'): no row changes are published",
            wal);
        return Future.succeededFuture(off("postgres_changes need wal_level=logical on the database (it is '" + wal
            + "')"));
      }
      return columns(db, cfg);
    });
  }

  private static Future<PublishedTables> columns(Pool db, HubConfig.PostgresChanges cfg) {
    List<String> names = cfg.tables().stream().map(HubConfig.PublishedTable::name).toList();
    return db.preparedQuery("""
            select table_schema || '.' || table_name as name, column_name from information_schema.columns
             where table_schema || '.' || table_name = any($1) order by ordinal_position""")
        .execute(Tuple.of(names.toArray(new String[0])))
        .map(rows -> {
          Map<String, Set<String>> columns = new LinkedHashMap<>();
          for (Row r : rows) columns.computeIfAbsent(r.getString("name"), k -> new LinkedHashSet<>())
              .add(r.getString("column_name"));
          Map<String, Table> tables = new LinkedHashMap<>();
          for (HubConfig.PublishedTable rule : cfg.tables()) {
            Set<String> actual = columns.get(rule.name());
            String problem = problem(rule, actual);
            if (problem != null) {
              log.error("postgres_changes: {} is not published: {}", rule.name(), problem);
              continue;
            }
            Set<String> visible = rule.columns().isEmpty() ? actual : new LinkedHashSet<>(rule.columns());
            tables.put(rule.name(), new Table(rule, Set.copyOf(visible)));
          }
          return new PublishedTables(Map.copyOf(tables), tables.isEmpty() ? "no table is published on this hub" : null);
        });
  }

  private static String problem(HubConfig.PublishedTable rule, Set<String> actual) {
    if (actual == null) return "no such table";
    List<String> named = new ArrayList<>(rule.columns());
    for (String c : List.of(rule.supplier(), rule.couple(), rule.user(), rule.wedding())) if (!c.isEmpty()) named.add(c);
    for (String c : named) if (!actual.contains(c)) return "it has no column " + c;
    return null;
  }

  public boolean isOff() {
    return off != null;
  }

  Optional<Table> table(String name) {
    return Optional.ofNullable(tables.get(name));
  }

  Iterable<Table> all() {
    return tables.values();
  }

  /**
   * A join's {@code config.postgres_changes}, checked.
   *
   * @throws ChannelError naming the entry and what is wrong with it
   */
  List<ChangeBinding> bindings(JsonArray entries) {
    if (entries.isEmpty()) return List.of();
    if (off != null) throw ChannelError.invalid("config.postgres_changes", off);
    if (entries.size() > MAX_BINDINGS) {
      throw ChannelError.invalid("config.postgres_changes", "at most " + MAX_BINDINGS + " entries per channel");
    }
    List<ChangeBinding> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = "config.postgres_changes[" + i + "]";
      if (!(entries.getValue(i) instanceof JsonObject e)) throw ChannelError.invalid(at, at + " must be an object");
      String event = text(e, "event", at, true);
      if (!List.of("INSERT", "UPDATE", "DELETE", "*").contains(event.toUpperCase())) {
        throw ChannelError.invalid(at + ".event", "event must be INSERT, UPDATE, DELETE or *, got '" + event + "'");
      }
      String schema = text(e, "schema", at, true);
      String table = text(e, "table", at, false);
      String filter = text(e, "filter", at, false);
      boolean everyTable = table == null || table.equals("*");
      if (!everyTable) {
        Table t = tables.get(schema + "." + table);
        if (t == null) {
          throw ChannelError.invalid(at + ".table", schema + "." + table + " is not published; published: "
              + String.join(", ", tables.keySet()));
        }
        if (filter != null) {
          ChangeFilter f = ChangeFilter.parse(filter);
          if (!t.columns().contains(f.column())) {
            throw ChannelError.invalid(at + ".filter", "filter on '" + f.column() + "': " + t.rule().name()
                + " publishes no such column");
          }
        }
      } else {
        if (filter != null) throw ChannelError.invalid(at + ".filter", "a filter needs one table, not every table");
        if (!schema.equals("*") && tables.values().stream().noneMatch(t -> t.rule().schema().equals(schema))) {
          throw ChannelError.invalid(at + ".schema", "no table of schema '" + schema + "' is published");
        }
      }
      // The same entry twice gets the same id: the reply lists both, as the client sent both.
      out.add(ChangeBinding.of(event, schema, table, filter));
    }
    return out;
  }

  private static String text(JsonObject e, String key, String at, boolean required) {
    Object v = e.getValue(key);
    if (v == null) {
      if (required) throw ChannelError.invalid(at + "." + key, at + "." + key + " is required");
      return null;
    }
    if (!(v instanceof String s) || s.isEmpty() || s.length() > 500) {
      throw ChannelError.invalid(at + "." + key, at + "." + key + " must be a non-empty string");
    }
    return s;
  }
}
