package com.wedsync.hub.form;

import java.util.List;
import java.util.UUID;

/**
 * What happened on forms and weddings that people should hear about (notifications, the activity feed). The form
 * feature reports each event once, after it is recorded; listeners must not fail the change that caused it, so they
 * handle their own errors. Kept as a port so {@code form/} knows nothing of who listens.
 */
public interface FormEvents {
  FormEvents NONE = new FormEvents() {};

  /** A recorded status transition (including the couple's first save moving {@code sent} to {@code in_progress}). */
  default void statusChanged(Editor who, FormInfo form, String from, String to) {}

  /** The form's completion reached 100 % with this change. */
  default void completed(Editor who, FormInfo form) {}

  /** A new note (not a repeat of an op id); {@code mentions} are people who can see the form. */
  default void noteAdded(Editor who, FormInfo form, String noteId, String text, List<UUID> mentions) {}

  /** A core fact of a wedding changed (PATCH or a bound field); {@code value} is null when it was cleared. */
  default void coreChanged(Editor who, UUID weddingId, String coreField, Object value) {}

  /** An owner or admin took a field lock away from its holder. */
  default void lockBroken(Editor who, FormInfo form, String field, UUID holderId, String holderName) {}
}
