package com.wedsync.hub.changes;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's text form of a column value (what pgoutput sends) as the JSON value a client reads: numbers as
 * numbers, booleans as booleans, json as JSON, one-dimensional arrays as lists, timestamps in ISO 8601, anything else
 * as its text. realtime-js converts by the column types too; a plain client gets usable values without it.
 */
final class PgValues {
  private PgValues() {
  }

  /** Built-in type names by OID (pg_type), for the column list clients receive. */
  static final Map<Integer, String> BUILTIN = Map.ofEntries(
      Map.entry(16, "bool"), Map.entry(17, "bytea"), Map.entry(18, "char"), Map.entry(19, "name"),
      Map.entry(20, "int8"), Map.entry(21, "int2"), Map.entry(23, "int4"), Map.entry(25, "text"),
      Map.entry(26, "oid"), Map.entry(114, "json"), Map.entry(700, "float4"), Map.entry(701, "float8"),
      Map.entry(1042, "bpchar"), Map.entry(1043, "varchar"), Map.entry(1082, "date"), Map.entry(1083, "time"),
      Map.entry(1114, "timestamp"), Map.entry(1184, "timestamptz"), Map.entry(1186, "interval"),
      Map.entry(1266, "timetz"), Map.entry(1700, "numeric"), Map.entry(2950, "uuid"), Map.entry(3802, "jsonb"),
      Map.entry(3220, "pg_lsn"), Map.entry(1000, "_bool"), Map.entry(1005, "_int2"), Map.entry(1007, "_int4"),
      Map.entry(1009, "_text"), Map.entry(1015, "_varchar"), Map.entry(1016, "_int8"), Map.entry(1021, "_float4"),
      Map.entry(1022, "_float8"), Map.entry(1182, "_date"), Map.entry(1115, "_timestamp"),
      Map.entry(1185, "_timestamptz"), Map.entry(1231, "_numeric"), Map.entry(2951, "_uuid"),
      Map.entry(199, "_json"), Map.entry(3807, "_jsonb"));

  /** The JSON value of {@code text}, a value of type {@code type} in PostgreSQL's text output. */
  static Object toJson(String type, String text) {
    if (text == null) return null;
    if (type.startsWith("_")) return array(type.substring(1), text);
    try {
      return switch (type) {
        case "bool" -> "t".equals(text);
        case "int2", "int4", "int8", "oid" -> Long.parseLong(text);
        case "float4", "float8" -> finite(Double.parseDouble(text), text);
        case "numeric" -> numeric(text);
        case "json", "jsonb" -> Json.decodeValue(text);
        case "timestamptz" -> isoTimestamp(text);
        case "timestamp" -> text.replace(' ', 'T');
        default -> text;
      };
    } catch (RuntimeException e) { // a value outside what the conversion expects stays text, never lost
      return text;
    }
  }

  private static Object finite(double d, String text) {
    return Double.isFinite(d) ? d : text;
  }

  private static Object numeric(String text) {
    if (text.equals("NaN") || text.contains("Infinity")) return text;
    BigDecimal d = new BigDecimal(text);
    // Whole numbers that fit stay exact; others become doubles only when nothing is lost, else stay text.
    try {
      return d.longValueExact();
    } catch (ArithmeticException notWhole) {
      double v = d.doubleValue();
      return new BigDecimal(Double.toString(v)).compareTo(d) == 0 ? v : text;
    }
  }

  /** {@code 2026-12-07 21:02:51.877+00} → {@code 2026-12-07T21:02:51.877+00:00}. */
  static String isoTimestamp(String text) {
    String t = text.replace(' ', 'T');
    int sign = Math.max(t.lastIndexOf('+'), t.lastIndexOf('-'));
    if (sign > 10 && t.length() - sign == 3) t = t + ":00"; // a whole-hour offset
    return t;
  }

  /** A one-dimensional array literal ({@code {a,"b c",NULL}}); anything else stays text. */
  static Object array(String elementType, String text) {
    if (!text.startsWith("{") || !text.endsWith("}")) return text;
    List<String> items = new ArrayList<>();
    List<Boolean> quoted = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inQuotes = false;
    boolean wasQuoted = false;
    String body = text.substring(1, text.length() - 1);
    if (body.isEmpty()) return new JsonArray();
    for (int i = 0; i < body.length(); i++) {
      char ch = body.charAt(i);
      if (inQuotes) {
        if (ch == '\\' && i + 1 < body.length()) cur.append(body.charAt(++i));
        else if (ch == '"') inQuotes = false;
        else cur.append(ch);
      } else if (ch == '"') {
        inQuotes = true;
        wasQuoted = true;
      } else if (ch == '{') {
        return text; // nested: more than one dimension
      } else if (ch == ',') {
        items.add(cur.toString());
        quoted.add(wasQuoted);
        cur.setLength(0);
        wasQuoted = false;
      } else {
        cur.append(ch);
      }
    }
    items.add(cur.toString());
    quoted.add(wasQuoted);
    JsonArray out = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i);
      out.add(!quoted.get(i) && item.equals("NULL") ? null : toJson(elementType, item));
    }
    return out;
  }
}
