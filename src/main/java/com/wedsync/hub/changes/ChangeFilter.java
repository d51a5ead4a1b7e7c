package com.wedsync.hub.changes;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code postgres_changes} row filter as realtime-js writes it: {@code column=op.value} with {@code eq}, {@code neq},
 * {@code lt}, {@code lte}, {@code gt}, {@code gte}, or {@code in.(a,b,"c, d")}. Values compare as numbers when both
 * sides are numbers, as booleans when the column is one, else as text — as PostgreSQL would compare the column's value
 * with the literal. A null column value matches nothing (SQL's null comparisons are never true).
 */
record ChangeFilter(String column, String op, List<String> values) {

  static ChangeFilter parse(String raw) {
    int eq = raw.indexOf('=');
    int dot = eq < 0 ? -1 : raw.indexOf('.', eq);
    if (eq <= 0 || dot < 0) {
      throw ChannelError.invalid("filter", "a filter is column=op.value (e.g. id=eq.5 or status=in.(a,b)), got '"
          + raw + "'");
    }
    String column = raw.substring(0, eq);
    String op = raw.substring(eq + 1, dot);
    String value = raw.substring(dot + 1);
    return switch (op) {
      case "eq", "neq", "lt", "lte", "gt", "gte" -> new ChangeFilter(column, op, List.of(value));
      case "in" -> {
        if (!value.startsWith("(") || !value.endsWith(")")) {
          throw ChannelError.invalid("filter", "in takes a list in parentheses: " + column + "=in.(a,b), got '"
              + raw + "'");
        }
        yield new ChangeFilter(column, op, list(value.substring(1, value.length() - 1)));
      }
      default -> throw ChannelError.invalid("filter", "unknown filter operator '" + op
          + "': use eq, neq, lt, lte, gt, gte or in");
    };
  }

  /** A comma-separated list whose items may be double-quoted (to hold commas). */
  private static List<String> list(String body) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < body.length(); i++) {
      char ch = body.charAt(i);
      if (ch == '"') quoted = !quoted;
      else if (ch == ',' && !quoted) {
        out.add(cur.toString().trim());
        cur.setLength(0);
      } else cur.append(ch);
    }
    out.add(cur.toString().trim());
    return List.copyOf(out);
  }

  boolean matches(JsonObject row) {
    if (row == null || !row.containsKey(column)) return false;
    Object v = row.getValue(column);
    if (v == null) return false;
    return switch (op) {
      case "eq" -> compare(v, values.get(0)) == 0;
      case "neq" -> compare(v, values.get(0)) != 0;
      case "lt" -> compare(v, values.get(0)) < 0;
      case "lte" -> compare(v, values.get(0)) <= 0;
      case "gt" -> compare(v, values.get(0)) > 0;
      case "gte" -> compare(v, values.get(0)) >= 0;
      case "in" -> values.stream().anyMatch(x -> compare(v, x) == 0);
      default -> false;
    };
  }

  private static int compare(Object value, String literal) {
    if (value instanceof Number n) {
      try {
        return new BigDecimal(n.toString()).compareTo(new BigDecimal(literal));
      } catch (NumberFormatException e) {
        return n.toString().compareTo(literal);
      }
    }
    if (value instanceof Boolean b) {
      Boolean l = switch (literal.toLowerCase()) {
        case "true", "t" -> true;
        case "false", "f" -> false;
        default -> null;
      };
      return l == null ? b.toString().compareTo(literal) : Boolean.compare(b, l);
    }
    return String.valueOf(value).compareTo(literal);
  }
}
