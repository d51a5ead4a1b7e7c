package com.wedsync.hub.form;

import java.util.UUID;

/** Who a form belongs to and where it stands: what access and status rules need. */
public record FormInfo(UUID formId, UUID supplierId, UUID weddingId, UUID coupleId, String title, String status) {

  public String topic() {
    return "form:" + formId;
  }

  public FormInfo withStatus(String newStatus) {
    return new FormInfo(formId, supplierId, weddingId, coupleId, title, newStatus);
  }

  public FormInfo withTitle(String newTitle) {
    return new FormInfo(formId, supplierId, weddingId, coupleId, newTitle, status);
  }
}
