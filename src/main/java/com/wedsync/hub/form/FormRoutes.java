package com.wedsync.hub.form;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.Topic;
import com.wedsync.hub.http.ApiError;
import com.wedsync.hub.http.ApiRoutes;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

import static com.wedsync.hub.http.RequestBody.jsonBody;

/** The form, field, history, rollback, sync and wedding routes (docs/protocol.md §10): the socket events' twins. */
public final class FormRoutes implements ApiRoutes {
  private final HttpAuth auth;
  private final ChannelRegistry channels;
  private final FieldEditor editor;
  private final FieldLocks locks;
  private final FormStatus status;
  private final FormNotes notes;
  private final FormRepository repository;
  private final CoreCascade cascade;

  public FormRoutes(HttpAuth auth, ChannelRegistry channels, FieldEditor editor, FieldLocks locks, FormStatus status,
                    FormNotes notes, FormRepository repository, CoreCascade cascade) {
    this.auth = auth;
    this.channels = channels;
    this.editor = editor;
    this.locks = locks;
    this.status = status;
    this.notes = notes;
    this.repository = repository;
    this.cascade = cascade;
  }

  /** The handlers by operationId (the OpenAPI document gives each its method and path). */
  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    Map<String, Handler<RoutingContext>> ops = new LinkedHashMap<>();
    ops.put("listForms", this::list);
    ops.put("getForm", ctx -> onForm(ctx, (who, id) -> read(id)));
    ops.put("setField", ctx -> onForm(ctx, (who, id) ->
        editor.set(who, id, jsonBody(ctx).put("field", ctx.pathParam("key")))));
    ops.put("getFieldHistory", ctx -> onForm(ctx, (who, id) -> history(ctx, id)));
    ops.put("rollbackField", ctx -> onForm(ctx, (who, id) -> {
      JsonObject b = jsonBody(ctx);
      Object version = b.getValue("version");
      if (!(version instanceof Number n) || n.longValue() < 1) {
        throw ChannelError.invalid("version", "version must be a positive whole number");
      }
      String opId = b.getValue("op_id") instanceof String s ? s : "rollback-" + UUID.randomUUID();
      return editor.rollback(who, id, ctx.pathParam("key"), n.longValue(), opId);
    }));
    ops.put("changeFormStatus", ctx -> onForm(ctx, (who, id) -> status.change(who, id, jsonBody(ctx))));
    ops.put("addFormNote", ctx -> onForm(ctx, (who, id) -> notes.add(who, id, jsonBody(ctx))));
    ops.put("syncChanges", this::sync);
    ops.put("getWedding", ctx -> onWedding(ctx, cascade::wedding));
    ops.put("patchWedding", ctx -> onWedding(ctx, (who, id) -> cascade.patch(who, id, jsonBody(ctx))));
    return ops;
  }

  private void onForm(RoutingContext ctx, BiFunction<Editor, UUID, Future<JsonObject>> action) {
    on(ctx, "form", action);
  }

  private void onWedding(RoutingContext ctx, BiFunction<Editor, UUID, Future<JsonObject>> action) {
    on(ctx, "wedding", action);
  }

  /** Authorises the caller on the resource's channel, then runs the action with the same rights as the socket. */
  private void on(RoutingContext ctx, String family, BiFunction<Editor, UUID, Future<JsonObject>> action) {
    Topic topic = ChannelRegistry.parse(family + ":" + ctx.pathParam("id")).orElse(null);
    if (topic == null) {
      ApiError.send(ctx, new ChannelError("not_found", "no " + family + " '" + ctx.pathParam("id") + "'"));
      return;
    }
    auth.user(ctx)
        .compose(p -> channels.authorize(p, topic).map(access -> {
          if (!access.allowed()) throw ChannelError.forbidden("no access to " + topic.name());
          if (access.isAdminView() && ctx.request().method() != io.vertx.core.http.HttpMethod.GET) {
            throw ChannelError.forbidden(com.wedsync.hub.channel.Access.ADMIN_READ_ONLY);
          }
          return Editor.of(p, access, null);
        }))
        .compose(who -> {
          try {
            return action.apply(who, topic.id());
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .onSuccess(body -> HttpApi.json(ctx, 200, body))
        .onFailure(e -> ApiError.send(ctx, e));
  }

  private Future<JsonObject> read(UUID formId) {
    return editor.store().form(formId).compose(form -> locks.leases(formId).map(leases -> {
      JsonArray fields = new JsonArray();
      for (FieldState f : form.fields()) {
        FieldDefinition d = f.definition();
        JsonObject field = new JsonObject().put("key", d.key()).put("label", d.label()).put("type", d.type().wireName())
            .put("required", d.required()).put("options", d.options()).put("validation", d.validation())
            .put("core_field", d.coreField()).put("value", f.value()).put("version", f.version())
            .put("updated_by", f.by()).put("updated_at", f.at() == null ? null : f.at().toString());
        JsonArray held = new JsonArray();
        for (Lease l : leases) {
          if (l.field().equals(d.key())) {
            held.add(new JsonObject().put("holder", l.holder()).put("expires_at", l.expiresAtIso())
                .put("soft", l.soft()));
          }
        }
        fields.add(field.put("locks", held));
      }
      FormInfo info = form.info();
      return new JsonObject().put("id", formId.toString()).put("title", info.title()).put("status", info.status())
          .put("supplier_id", info.supplierId().toString()).put("wedding_id", info.weddingId().toString())
          .put("progress", form.progress().toJson()).put("fields", fields);
    }));
  }

  private Future<JsonObject> history(RoutingContext ctx, UUID formId) {
    String key = ctx.pathParam("key");
    Long before = longParam(ctx, "before");
    Long limit = longParam(ctx, "limit");
    int max = limit == null ? 100 : (int) Math.min(500, Math.max(1, limit));
    return editor.store().form(formId).compose(form -> {
      FieldState field = form.field(key).orElseThrow(() -> new ChannelError("not_found", "no field '" + key + "'"));
      // Revisions still in the save buffer are written first, so the history is complete.
      return editor.flushSaves().compose(v -> repository.history(field.fieldId(), before, max)).map(revisions ->
          new JsonObject().put("field", key).put("version", field.version()).put("revisions", revisions)
              .put("next_before", revisions.size() == max
                  ? revisions.getJsonObject(revisions.size() - 1).getLong("version") : null));
    });
  }

  private static Long longParam(RoutingContext ctx, String name) {
    String raw = ctx.request().getParam(name);
    if (raw == null || raw.isEmpty()) return null;
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ChannelError.invalid(name, name + " must be a whole number");
    }
  }

  private static final String VISIBLE_FORMS = """
      select f.id, f.title, f.status, f.supplier_id, s.name as supplier, f.wedding_id
        from forms f join suppliers s on s.id = f.supplier_id join weddings w on w.id = f.wedding_id
       where (f.supplier_id = any($1) or (w.couple_id = any($2) and f.status <> 'draft'))
       order by f.updated_at desc""";

  private void list(RoutingContext ctx) {
    auth.user(ctx).compose(p -> repository.db().preparedQuery(VISIBLE_FORMS)
            .execute(Tuple.tuple().addValue(p.teamRoles().keySet().toArray(new UUID[0]))
                .addValue(p.couples().toArray(new UUID[0])))
            .compose(rows -> {
              JsonArray forms = new JsonArray();
              Future<Void> chain = Future.succeededFuture();
              for (Row r : rows) {
                UUID id = r.getUUID("id");
                JsonObject f = new JsonObject().put("id", id.toString()).put("title", r.getString("title"))
                    .put("status", r.getString("status")).put("supplier_id", r.getUUID("supplier_id").toString())
                    .put("supplier", r.getString("supplier")).put("wedding_id", r.getUUID("wedding_id").toString());
                forms.add(f);
                chain = chain.compose(v -> editor.store().form(id).map(s -> {
                  f.put("progress", s.progress().toJson()).put("status", s.info().status());
                  return null;
                }));
              }
              return chain.map(new JsonObject().put("forms", forms));
            }))
        .onSuccess(body -> HttpApi.json(ctx, 200, body))
        .onFailure(e -> ApiError.send(ctx, e));
  }

  /** The offline batch of docs/protocol.md §10, applied per form in the order given. */
  private void sync(RoutingContext ctx) {
    JsonObject b;
    try {
      b = jsonBody(ctx);
    } catch (ChannelError e) {
      ApiError.send(ctx, e);
      return;
    }
    if (!(b.getValue("changes") instanceof JsonArray changes)) {
      ApiError.send(ctx, ChannelError.invalid("changes", "changes must be an array"));
      return;
    }
    if (changes.size() > 500) {
      ApiError.send(ctx, ChannelError.invalid("changes", "at most 500 changes per call"));
      return;
    }
    auth.user(ctx).compose(p -> {
      JsonArray results = new JsonArray();
      OfflineBatch batch = new OfflineBatch();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < changes.size(); i++) {
        int index = i;
        chain = chain.compose(v -> syncOne(p, changes.getValue(index), index, batch).map(r -> {
          results.add(r);
          return null;
        }));
      }
      return chain.map(v -> {
        int synced = 0;
        for (Object r : results) {
          String result = ((JsonObject) r).getString("result");
          if (result.equals("applied") || result.equals("duplicate")) synced++;
        }
        return new JsonObject().put("synced", synced).put("failed", results.size() - synced).put("results", results);
      });
    }).onSuccess(body -> HttpApi.json(ctx, 200, body)).onFailure(e -> ApiError.send(ctx, e));
  }

  private Future<JsonObject> syncOne(Principal p, Object raw, int index, OfflineBatch batch) {
    String at = "changes[" + index + "]";
    if (!(raw instanceof JsonObject change)) {
      return Future.succeededFuture(new JsonObject().put("result", "rejected").put("reason", "invalid")
          .put("detail", at + " must be an object"));
    }
    Topic topic = change.getValue("form_id") instanceof String id ? ChannelRegistry.parse("form:" + id).orElse(null)
        : null;
    String opId = change.getValue("op_id") instanceof String s ? s : null;
    if (topic == null) {
      return Future.succeededFuture(new JsonObject().put("op_id", opId).put("result", "rejected")
          .put("reason", "invalid").put("detail", at + ".form_id names no form"));
    }
    return channels.authorize(p, topic).compose(access -> {
      if (!access.allowed()) {
        return Future.succeededFuture(new JsonObject().put("op_id", opId).put("result", "rejected")
            .put("reason", "forbidden").put("detail", "no access to " + topic.name()));
      }
      JsonObject payload = change.copy();
      payload.remove("form_id");
      payload.remove("at");
      return editor.sync(Editor.of(p, access, null), topic.id(),
              new JsonArray().add(new JsonObject().put("event", "field:set").put("payload", payload)), batch)
          .map(r -> r.getJsonObject(0).put("form_id", topic.id().toString()));
    });
  }

}
