package com.wedsync.hub.notify;

import io.vertx.core.json.JsonObject;

import java.util.regex.Pattern;

/**
 * What one notification says, before it is fanned out to its recipients.
 *
 * @param type  a stable machine name the bell filters by and preferences are kept per ({@code form_submitted}, …)
 * @param data  what a client needs to act on it (ids of the form, wedding, note, …)
 */
public record NotificationContent(String type, String title, String body, JsonObject data, Priority priority) {
  /** Types are machine names: lower case, digits, '_' and '.', starting with a letter. */
  public static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_.]{0,63}");

  public static final String FORM_SUBMITTED = "form_submitted";
  public static final String FORM_COMPLETED = "form_completed";
  public static final String CORE_FIELD_CHANGED = "core_field_changed";
  public static final String NOTE_ADDED = "note_added";
  public static final String MENTION = "mention";
  public static final String LOCK_BROKEN = "lock_broken";
}
