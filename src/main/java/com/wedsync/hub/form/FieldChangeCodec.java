package com.wedsync.hub.form;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * An accepted change as one line of JSON, for wherever it waits outside the JVM before PostgreSQL has it: a cluster's
 * pending list in Redis, the spill file a node writes when it cannot save at shutdown, and the dead letters.
 *
 * <p>The line is ASCII: every non-ASCII character is a {@code \\uXXXX} escape. A change is written behind after it was
 * accepted, so what it carries must come back exactly — also a string that some store on the way would re-encode
 * (an unpaired surrogate has no UTF-8 form, a NUL is refused by PostgreSQL's {@code text}).
 */
public final class FieldChangeCodec {
  private FieldChangeCodec() {}

  public static String encode(FieldChange c) {
    return ascii(new JsonObject().put("form", c.formId().toString()).put("fid", c.fieldId().toString())
        .put("key", c.key()).put("v", c.version()).put("value", c.value()).put("prev", c.previousValue())
        .put("kind", c.kind()).put("ops", c.ops()).put("op", c.opId()).put("src", c.source())
        .put("by", c.byUser() == null ? null : c.byUser().toString()).put("name", c.byName())
        .put("at", c.at().toString()).encode());
  }

  public static FieldChange decode(String line) {
    JsonObject j = new JsonObject(line);
    String by = j.getString("by");
    return new FieldChange(UUID.fromString(j.getString("form")), UUID.fromString(j.getString("fid")),
        j.getString("key"), j.getLong("v"), j.getValue("value"), j.getValue("prev"), j.getString("kind"),
        j.getJsonArray("ops"), j.getString("op"), j.getString("src"), by == null ? null : UUID.fromString(by),
        j.getString("name"), Instant.parse(j.getString("at")));
  }

  /**
   * Escapes every non-ASCII character of encoded JSON. Outside its strings JSON is ASCII already, so this changes how
   * the text is spelled, never what it means.
   */
  static String ascii(String json) {
    StringBuilder out = null;
    for (int i = 0; i < json.length(); i++) {
      char ch = json.charAt(i);
      if (ch < 0x80) {
        if (out != null) out.append(ch);
        continue;
      }
      if (out == null) out = new StringBuilder(json.length() + 16).append(json, 0, i);
      out.append(String.format("\\u%04x", (int) ch));
    }
    return out == null ? json : out.toString();
  }
}
