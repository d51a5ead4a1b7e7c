package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.json.JsonObject;

/** One field of a form with the form's facts (owners, status): what a single write needs to decide, and no more. */
public record FieldView(FormInfo info, FieldState field) {

  /** The field {@code key} of {@code form}; fails with {@code not_found} naming the field when the form has none. */
  public static FieldView of(FormSnapshot form, String key) {
    return new FieldView(form.info(), form.field(key).orElseThrow(() -> notFound(key)));
  }

  static ChannelError notFound(String key) {
    return new ChannelError("not_found", "no field '" + key + "' on this form", new JsonObject().put("field", key));
  }
}
