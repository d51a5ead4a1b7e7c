package com.wedsync.hub.form;

import java.util.List;
import java.util.Optional;

/** A form with its fields in display order, as one consistent copy. */
public record FormSnapshot(FormInfo info, List<FieldState> fields) {

  public Optional<FieldState> field(String key) {
    for (FieldState f : fields) if (f.key().equals(key)) return Optional.of(f);
    return Optional.empty();
  }

  /** The {@code form:progress} payload: required fields holding a valid value over required fields. */
  public Progress progress() {
    int required = 0, filled = 0;
    for (FieldState f : fields) {
      if (!f.definition().required()) continue;
      required++;
      if (FieldRules.isFilled(f.definition(), f.value())) filled++;
    }
    return new Progress(filled, required, FieldRules.percent(filled, required));
  }

  public record Progress(int filled, int required, int percent) {
    public io.vertx.core.json.JsonObject toJson() {
      return new io.vertx.core.json.JsonObject().put("filled", filled).put("required", required)
          .put("percent", percent);
    }
  }
}
