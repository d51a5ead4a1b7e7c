package com.wedsync.hub.changes;

import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder of PostgreSQL's logical replication protocol as the {@code pgoutput} plugin writes it (protocol version
 * 1, text values), turning the messages of one transaction — Begin, Relation, Insert/Update/Delete, Commit — into
 * one {@link Transaction}. Relations and types are remembered across transactions, as the stream sends each once.
 * Not thread-safe: one decoder per replication stream.
 */
final class PgOutput {
  /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
  private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

  /** A whole transaction, in commit order. */
  record Transaction(long commitLsn, long endLsn, Instant committedAt, List<RowChange> changes) {}

  private record Relation(String schema, String table, List<RowChange.Column> columns) {}

  private final Map<Integer, Relation> relations = new HashMap<>();
  private final Map<Integer, String> types = new HashMap<>();
  private List<RowChange> open;

  /**
   * Feeds one message.
   *
   * @return the transaction it completes (at Commit), else null
   */
  Transaction accept(ByteBuffer msg) {
    byte kind = msg.get();
    switch (kind) {
      case 'B' -> {
        msg.getLong(); // final LSN
        msg.getLong(); // commit time (again at Commit)
        msg.getInt(); // xid
        open = new ArrayList<>();
      }
      case 'C' -> {
        msg.get(); // flags
        long commitLsn = msg.getLong();
        long endLsn = msg.getLong();
        long micros = msg.getLong() + PG_EPOCH_MICROS;
        List<RowChange> changes = open == null ? List.of() : open;
        open = null;
        return new Transaction(commitLsn, endLsn,
            Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L),
            changes);
      }
      case 'R' -> relation(msg);
      case 'Y' -> {
        int oid = msg.getInt();
        string(msg); // namespace
        types.put(oid, string(msg));
      }
      case 'I' -> {
        Relation r = relations.get(msg.getInt());
        msg.get(); // 'N'
        add(r, "INSERT", tuple(r, msg, null), null);
      }
      case 'U' -> {
        Relation r = relations.get(msg.getInt());
        byte part = msg.get();
        JsonObject old = null;
        if (part == 'K' || part == 'O') {
          old = tuple(r, msg, null);
          part = msg.get();
        }
        add(r, "UPDATE", tuple(r, msg, old), old);
      }
      case 'D' -> {
        Relation r = relations.get(msg.getInt());
        msg.get(); // 'K' or 'O'
        add(r, "DELETE", null, tuple(r, msg, null));
      }
      default -> { } // Origin, Truncate, logical messages: not row changes of a published table
    }
    return null;
  }

  private void add(Relation r, String type, JsonObject record, JsonObject old) {
    if (r == null || open == null) return;
    open.add(new RowChange(r.schema(), r.table(), type, r.columns(), record, old));
  }

  private void relation(ByteBuffer msg) {
    int oid = msg.getInt();
    String schema = string(msg);
    String table = string(msg);
    msg.get(); // replica identity
    int n = msg.getShort();
    List<RowChange.Column> columns = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      msg.get(); // flags (part of the key)
      String name = string(msg);
      int type = msg.getInt();
      msg.getInt(); // type modifier
      String typeName = PgValues.BUILTIN.getOrDefault(type, types.getOrDefault(type, "text"));
      columns.add(new RowChange.Column(name, typeName));
    }
    relations.put(oid, new Relation(schema, table, List.copyOf(columns)));
  }

  /**
   * A row's values. A TOASTed value the change left untouched is not sent; it is taken from {@code old} when the old
   * row has it, else left out of the row.
   */
  private static JsonObject tuple(Relation r, ByteBuffer msg, JsonObject old) {
    int n = msg.getShort();
    JsonObject row = new JsonObject();
    for (int i = 0; i < n; i++) {
      RowChange.Column c = r == null || i >= r.columns().size() ? new RowChange.Column("col" + i, "text")
          : r.columns().get(i);
      byte kind = msg.get();
      switch (kind) {
        case 'n' -> row.putNull(c.name());
        case 'u' -> {
          if (old != null && old.containsKey(c.name())) row.put(c.name(), old.getValue(c.name()));
        }
        case 't' -> {
          byte[] bytes = new byte[msg.getInt()];
          msg.get(bytes);
          row.put(c.name(), PgValues.toJson(c.type(), new String(bytes, StandardCharsets.UTF_8)));
        }
        default -> throw new IllegalStateException("unexpected tuple value kind '" + (char) kind + "'");
      }
    }
    return row;
  }

  private static String string(ByteBuffer msg) {
    int start = msg.position();
    int end = start;
    while (msg.get(end) != 0) end++;
    byte[] bytes = new byte[end - start];
    msg.get(bytes);
    msg.get(); // the terminating zero
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
