package com.wedsync.hub.form;

import com.wedsync.hub.backplane.Backplane;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.EventHandlers;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.http.HttpAuth;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.sqlclient.Pool;

/**
 * Collaborative forms, put together: field locks and the field editor over the backplane's hot state and save buffer,
 * the form's status machine, notes, and the core-field cascade that binds forms to their wedding.
 */
public record FormFeature(FormRepository repository, FieldLocks locks, FieldEditor editor, FormStatus status,
                          FormNotes notes, CoreCascade cascade) {

  public static FormFeature create(Backplane backplane, FormRepository repository, Pool pool, HubMetrics metrics,
                                   HubConfig cfg) {
    var forms = cfg.forms();
    FieldStore fields = backplane.fields();
    FieldLocks locks = new FieldLocks(backplane.locks(), fields, backplane.publisher(), metrics, cfg.nodeId(),
        forms.lockLeaseMs(), forms.typingThrottleMs());
    FieldEditor editor = new FieldEditor(fields, locks, backplane.saves(), backplane.publisher(), repository,
        metrics);
    FormStatus status = new FormStatus(fields, repository, backplane.publisher());
    CoreCascade cascade = new CoreCascade(editor, pool, backplane.publisher());
    editor.wire(status, cascade);
    FormNotes notes = new FormNotes(repository, fields, backplane.publisher());
    return new FormFeature(repository, locks, editor, status, notes, cascade);
  }

  /** The form events on {@code form:{id}} channels. */
  public void register(EventHandlers handlers) {
    FormChannel.register(handlers, editor, locks, status, notes);
  }

  /** Who hears about what happens on forms (notifications, activity). */
  public void listen(FormEvents events) {
    status.listen(events);
    notes.listen(events);
    cascade.listen(events);
    locks.listen(events);
    editor.listen(events);
  }

  public FormRoutes routes(HttpAuth auth, ChannelRegistry channels) {
    return new FormRoutes(auth, channels, editor, locks, status, notes, repository, cascade);
  }
}
