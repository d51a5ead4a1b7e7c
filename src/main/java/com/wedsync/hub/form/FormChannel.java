package com.wedsync.hub.form;

import com.wedsync.hub.channel.ClientRequest;
import com.wedsync.hub.channel.EventHandler;
import com.wedsync.hub.channel.EventHandlers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** The form events of docs/protocol.md §5 on {@code form:{id}} channels, mapped to the feature's services. */
public final class FormChannel {
  private FormChannel() {}

  public static void register(EventHandlers handlers, FieldEditor editor, FieldLocks locks, FormStatus status,
                              FormNotes notes) {
    handlers
        .register("form", "field:lock", on(locks::lock))
        .register("form", "field:renew", on(locks::renew))
        .register("form", "field:unlock", on(locks::unlock))
        .register("form", "field:break_lock", on(locks::breakLock))
        .register("form", "field:typing", on(locks::typing))
        .register("form", "field:set", on(editor::set))
        .register("form", "field:text", on(editor::text))
        .register("form", "field:list", on(editor::list))
        .register("form", "form:status", on(status::change))
        .register("form", "form:note", on(notes::add))
        .register("form", "sync", r -> editor.sync(editor(r), r.topic().id(),
            new Payload(r.payload()).array("ops")).map(results -> new JsonObject().put("results", results)))
        // Loading the form when someone opens it keeps editing alive even if PostgreSQL goes away afterwards.
        .onJoin("form", sub -> editor.store().form(sub.topic().id()))
        .onLeave("form", (sub, who, reason) -> locks.left(sub.topic().id(), sub.subscriber().connectionId(), reason));
  }

  private interface Action {
    Future<JsonObject> apply(Editor who, UUID formId, JsonObject payload);
  }

  private static EventHandler on(Action action) {
    return r -> action.apply(editor(r), r.topic().id(), r.payload());
  }

  private static Editor editor(ClientRequest r) {
    return Editor.of(r.principal(), r.access(), r.connectionId());
  }

}
