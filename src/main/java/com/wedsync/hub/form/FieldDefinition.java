package com.wedsync.hub.form;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A field's definition as stored in {@code form_fields} (without its value and version).
 *
 * @param options    for select/radio/checkbox: a JSON array of option strings; null when the field has none
 * @param validation rules such as {@code {"min":0,"max":1000}} or {@code {"maxLength":5000}}; never null (empty)
 * @param coreField  the wedding core field this field is bound to, or null
 */
public record FieldDefinition(String key, String label, FieldType type, boolean required, JsonArray options,
                              JsonObject validation, String coreField) {

  public FieldDefinition {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    // The column is "not null default '{}'", but callers building definitions by hand should not need to care.
    if (validation == null) validation = new JsonObject();
  }
}
