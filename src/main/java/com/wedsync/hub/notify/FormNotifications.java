package com.wedsync.hub.notify;

import com.wedsync.hub.form.Editor;
import com.wedsync.hub.form.FormEvents;
import com.wedsync.hub.form.FormInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns what happens on forms and weddings into notifications (who is told: {@link Recipients}) and activity lines.
 * The change that caused them is already recorded and acknowledged; a failure here is logged, never thrown back.
 */
public final class FormNotifications implements FormEvents {
  private static final Logger log = LoggerFactory.getLogger(FormNotifications.class);
  private static final int EXCERPT = 200;

  /** How people say the core facts. */
  private static final Map<String, String> CORE_LABELS = Map.of(
      "wedding_date", "wedding date", "ceremony_time", "ceremony time", "venue_name", "venue",
      "venue_address", "venue address", "guest_count", "guest count", "partner1_name", "first partner's name",
      "partner2_name", "second partner's name", "contact_email", "contact email", "contact_phone", "contact phone");

  private final NotificationService notifications;
  private final ActivityFeed activity;

  public FormNotifications(NotificationService notifications, ActivityFeed activity) {
    this.notifications = notifications;
    this.activity = activity;
  }

  @Override
  public void statusChanged(Editor who, FormInfo form, String from, String to) {
    String title = form.title();
    String verb;
    String text;
    switch (to) {
      case "sent" -> { verb = "form_sent"; text = who.name() + " sent the " + title + " form"; }
      case "in_progress" -> {
        boolean reopened = from.equals("submitted");
        verb = reopened ? "form_reopened" : "form_started";
        text = who.name() + (reopened ? " reopened the " : " started filling in the ") + title + " form";
      }
      case "submitted" -> { verb = "form_submitted"; text = who.name() + " submitted the " + title + " form"; }
      case "completed" -> {
        verb = "form_marked_completed";
        text = who.name() + " marked the " + title + " form as completed";
      }
      case "archived" -> { verb = "form_archived"; text = who.name() + " archived the " + title + " form"; }
      default -> { verb = "form_status"; text = who.name() + " moved the " + title + " form to " + to; }
    }
    record(new ActivityEvent(form.supplierId(), form.weddingId(), who.userId(), who.name(), verb,
        formObject(form).put("from", from).put("to", to), text));
    if (to.equals("submitted")) {
      send(Recipients.supplierTeam(form.formId(), who.userId()), new NotificationContent(
          NotificationContent.FORM_SUBMITTED, title + " submitted", who.name() + " submitted the " + title + " form.",
          formData(form, who), Priority.IMPORTANT));
    }
  }

  @Override
  public void completed(Editor who, FormInfo form) {
    String title = form.title();
    record(new ActivityEvent(form.supplierId(), form.weddingId(), who.userId(), who.name(), "form_completed",
        formObject(form), who.name() + " completed the " + title + " form"));
    send(Recipients.supplierTeam(form.formId(), who.userId()), new NotificationContent(
        NotificationContent.FORM_COMPLETED, title + " is complete",
        who.name() + " filled in every required field of the " + title + " form.", formData(form, who),
        Priority.NORMAL));
  }

  @Override
  public void noteAdded(Editor who, FormInfo form, String noteId, String text, List<UUID> mentions) {
    String title = form.title();
    record(new ActivityEvent(form.supplierId(), form.weddingId(), who.userId(), who.name(), "note_added",
        formObject(form).put("note_id", noteId), who.name() + " added a note to the " + title + " form"));
    JsonObject data = formData(form, who).put("note_id", noteId);
    // The mentioned hear it once, as a mention; everyone else on the other side hears of a new note.
    send(Recipients.otherSide(form.formId(), who.userId(), who.isSupplier(), mentions), new NotificationContent(
        NotificationContent.NOTE_ADDED, "New note on " + title, who.name() + ": " + excerpt(text), data,
        Priority.NORMAL));
    if (!mentions.isEmpty()) {
      send(Recipients.mentioned(form.formId(), who.userId(), mentions), new NotificationContent(
          NotificationContent.MENTION, who.name() + " mentioned you on " + title, excerpt(text), data,
          Priority.IMPORTANT));
    }
  }

  @Override
  public void coreChanged(Editor who, UUID weddingId, String coreField, Object value) {
    String label = CORE_LABELS.getOrDefault(coreField, coreField.replace('_', ' '));
    String shown = value == null ? null : String.valueOf(value);
    String text = shown == null ? who.name() + " cleared the " + label
        : who.name() + " updated the " + label + " to " + shown;
    record(new ActivityEvent(null, weddingId, who.userId(), who.name(), "core_field_changed",
        new JsonObject().put("wedding_id", weddingId.toString()).put("core_field", coreField).put("value", value),
        text));
    String capital = Character.toUpperCase(label.charAt(0)) + label.substring(1);
    send(Recipients.weddingFact(weddingId, who.userId(), coreField), new NotificationContent(
        NotificationContent.CORE_FIELD_CHANGED, shown == null ? capital + " cleared" : capital + " changed to " + shown,
        text + ".", new JsonObject().put("wedding_id", weddingId.toString()).put("core_field", coreField)
            .put("value", value).put("by", who.identity()), Priority.IMPORTANT));
  }

  @Override
  public void lockBroken(Editor who, FormInfo form, String field, UUID holderId, String holderName) {
    String title = form.title();
    record(new ActivityEvent(form.supplierId(), form.weddingId(), who.userId(), who.name(), "lock_broken",
        formObject(form).put("field", field).put("holder", new JsonObject().put("user_id", holderId.toString())
            .put("name", holderName)),
        who.name() + " took over " + field + " on the " + title + " form from " + holderName));
    send(Recipients.user(holderId, who.userId()), new NotificationContent(NotificationContent.LOCK_BROKEN,
        who.name() + " took over " + field, who.name() + " broke your lock on " + field + " in the " + title
            + " form; lock it again before you go on editing it.",
        formData(form, who).put("field", field), Priority.NORMAL));
  }

  private static JsonObject formObject(FormInfo form) {
    return new JsonObject().put("form_id", form.formId().toString()).put("title", form.title());
  }

  private static JsonObject formData(FormInfo form, Editor who) {
    return new JsonObject().put("form_id", form.formId().toString()).put("title", form.title())
        .put("wedding_id", form.weddingId().toString()).put("by", who.identity());
  }

  private static String excerpt(String text) {
    return text.codePointCount(0, text.length()) <= EXCERPT ? text
        : text.substring(0, text.offsetByCodePoints(0, EXCERPT - 1)) + "…";
  }

  private void send(Audience audience, NotificationContent content) {
    notifications.send(audience, content)
        .onFailure(e -> log.warn("{} notification not sent: {}", content.type(), e.getMessage()));
  }

  private void record(ActivityEvent event) {
    Future<JsonObject> stored = activity.record(event);
    stored.onFailure(e -> log.warn("{} activity not recorded: {}", event.verb(), e.getMessage()));
  }
}
