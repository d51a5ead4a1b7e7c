package com.wedsync.hub.changes;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.BusMessage;
import com.wedsync.hub.bus.ChannelEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * One event loop's {@code postgres_changes} subscribers, and the delivery of the change feed to them. Subscribers are
 * indexed by whom they may see rows of (their user, couples and suppliers), so a change is looked at only by those
 * its row could reach, not by every subscriber; each then sees it through its own {@link Listener#view view}: its
 * bindings, and whether it may see the new row, the old one, or neither. Single-threaded: the loop's.
 */
public final class ChangeListeners {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ChangeListeners.class);

  private final ChangeFeedView feed;
  private final Map<String, Set<Listener>> byKey = new HashMap<>();
  /** The last position this loop passed on (-1: none yet), and the feed's messages waiting behind a gap's read. */
  private long lastId = -1;
  private final java.util.ArrayDeque<JsonObject> pending = new java.util.ArrayDeque<>();
  private boolean filling;

  /** What listeners need of the feed on every node: the log (for replays and positions) and the published tables. */
  public record ChangeFeedView(ChangeLog log, PublishedTables tables) {
    public static ChangeFeedView of(ChangeFeed feed) {
      return new ChangeFeedView(feed.log(), feed.tables());
    }
  }

  public ChangeListeners(Bus bus, ChangeFeedView feed) {
    this.feed = feed;
    if (!feed.tables().isOff()) bus.subscribe(ChangeFeed.TOPIC, this::onChange);
  }

  public PublishedTables tables() {
    return feed.tables();
  }

  /**
   * A subscriber of one channel: its bindings, who it is, and where its events go ({@code push(event, payload)} on
   * the channel). It holds live changes until {@link #start} has replayed what it missed.
   */
  public final class Listener {
    private final List<ChangeBinding> bindings;
    private final BiConsumer<String, JsonObject> push;
    private Principal who;
    private Set<String> keys = Set.of();
    private List<ChangeLog.Entry> held = new ArrayList<>();
    private String heldEpoch;
    private long delivered;
    private boolean closed;

    private Listener(Principal who, List<ChangeBinding> bindings, BiConsumer<String, JsonObject> push) {
      this.who = who;
      this.bindings = bindings;
      this.push = push;
    }

    public JsonArray reply() {
      JsonArray a = new JsonArray();
      for (ChangeBinding b : bindings) a.add(b.reply());
      return a;
    }

    /**
     * Replays the log after {@code since} (when given), then delivers the live changes held meanwhile and from then on.
     *
     * @return whether the replay reached back to {@code since} (true when there was none to make)
     */
    public Future<Boolean> start(Long since, String sinceEpoch) {
      if (since == null) {
        release(0);
        return Future.succeededFuture(true);
      }
      return feed.log().epoch().compose(epoch -> {
        if (!epoch.equals(sinceEpoch)) return Future.succeededFuture(new ChangeLog.Replay(false, List.of()));
        return feed.log().since(since, tables());
      }).map(replay -> {
        if (closed) return replay.recovered();
        String epoch = feed.log().epoch().result();
        for (ChangeLog.Entry e : replay.entries()) deliver(e.id(), epoch, e.change());
        release(replay.recovered() ? since : 0);
        return replay.recovered();
      });
    }

    /** The tables its bindings cover, for reading the log. */
    private List<String> tables() {
      List<String> names = new ArrayList<>();
      for (PublishedTables.Table t : feed.tables().all()) {
        for (ChangeBinding b : bindings) {
          if (b.covers(t.rule().schema(), t.rule().table())) {
            names.add(t.rule().name());
            break;
          }
        }
      }
      return names;
    }

    private void release(long after) {
      delivered = Math.max(delivered, after);
      List<ChangeLog.Entry> waiting = held;
      held = null;
      for (ChangeLog.Entry e : waiting) offer(e, heldEpoch);
    }

    private void offer(ChangeLog.Entry entry, String epoch) {
      if (closed) return;
      if (held != null) {
        held.add(entry);
        heldEpoch = epoch;
        return;
      }
      deliver(entry.id(), epoch, entry.change());
    }

    private void deliver(long id, String epoch, JsonObject change) {
      if (id <= delivered) return;
      JsonObject view = view(change);
      if (view == null) return;
      delivered = id;
      view.put("meta", new JsonObject().put("offset", id).put("epoch", epoch));
      push.accept("postgres_changes", view);
    }

    /**
     * The change as this subscriber may see it, or null. A row that left its reach in an update reaches it as a
     * delete of the old row; one that came into reach, as an insert of the new one; the new row of a row it may not
     * see, never.
     */
    JsonObject view(JsonObject change) {
      Audiences audiences = audiences(change);
      boolean seesNew = audiences.now().admits(who);
      boolean seesOld = audiences.before().admits(who);
      String type = change.getString("type");
      String shown = switch (type) {
        case "INSERT" -> seesNew ? "INSERT" : null;
        case "DELETE" -> seesOld ? "DELETE" : null;
        default -> seesNew ? (seesOld ? "UPDATE" : "INSERT") : (seesOld ? "DELETE" : null);
      };
      if (shown == null) return null;
      JsonObject row = shown.equals("DELETE") ? change.getJsonObject("old_record") : change.getJsonObject("record");
      String schema = change.getString("schema");
      String table = change.getString("table");
      JsonArray ids = new JsonArray();
      Set<Integer> seen = new HashSet<>();
      for (ChangeBinding b : bindings) {
        if (b.matches(shown, schema, table, row) && seen.add(b.id())) ids.add(b.id());
      }
      if (ids.isEmpty()) return null;
      JsonObject data = new JsonObject().put("schema", schema).put("table", table)
          .put("commit_timestamp", change.getString("commit_timestamp")).put("type", shown)
          .put("columns", change.getJsonArray("columns")).put("errors", null);
      if (!shown.equals("DELETE")) data.put("record", change.getJsonObject("record"));
      if (shown.equals("UPDATE") || shown.equals("DELETE")) {
        data.put("old_record", change.getJsonObject("old_record", new JsonObject()));
      }
      return new JsonObject().put("ids", ids).put("data", data);
    }

    /** The subscriber's memberships changed (a token refresh, an access change): it is indexed anew. */
    public void principal(Principal p) {
      unindex(this);
      who = p;
      index(this);
    }

    public void close() {
      closed = true;
      unindex(this);
    }
  }

  /** A join's {@code postgres_changes} entries, checked against the published tables. */
  public static final class Bindings {
    private final List<ChangeBinding> list;

    private Bindings(List<ChangeBinding> list) {
      this.list = list;
    }

    public boolean isEmpty() {
      return list.isEmpty();
    }
  }

  /**
   * Checks a join's {@code config.postgres_changes}.
   *
   * @throws com.wedsync.hub.channel.ChannelError naming the entry and what is wrong with it
   */
  public Bindings check(JsonArray entries) {
    return new Bindings(feed.tables().bindings(entries));
  }

  /** Where the feed stands now: the position a client starts from when it has none ({@code {offset, epoch}}). */
  public Future<JsonObject> position() {
    return feed.log().epoch().compose(epoch -> feed.log().top()
        .map(top -> new JsonObject().put("offset", top).put("epoch", epoch)));
  }

  /** A subscriber, indexed at once (so it holds every change published from now) but silent until started. */
  public Listener listen(Principal who, Bindings bindings, BiConsumer<String, JsonObject> push) {
    Listener l = new Listener(who, bindings.list, push);
    index(l);
    return l;
  }

  private void index(Listener l) {
    Set<String> keys = new LinkedHashSet<>();
    keys.add("u:" + l.who.userId());
    for (UUID c : l.who.couples()) keys.add("c:" + c);
    for (UUID s : l.who.teamRoles().keySet()) keys.add("s:" + s);
    l.keys = keys;
    for (String k : keys) byKey.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(l);
  }

  private void unindex(Listener l) {
    for (String k : l.keys) {
      Set<Listener> set = byKey.get(k);
      if (set == null) continue;
      set.remove(l);
      if (set.isEmpty()) byKey.remove(k);
    }
    l.keys = Set.of();
  }

  /**
   * A batch from the feed. Batches are passed on in position order: one that says an earlier position came before
   * what this loop has seen ({@code after} beyond it) waits until the difference is read from the log — a batch that
   * overtook another between nodes, or what a reader that died logged but never published.
   */
  private void onChange(BusMessage m) {
    if (!(m instanceof ChannelEvent e)) return;
    pending.add(e.payload());
    if (!filling) drain();
  }

  private void drain() {
    while (!pending.isEmpty()) {
      JsonObject batch = pending.peek();
      String epoch = batch.getString("epoch");
      JsonArray entries = batch.getJsonArray("entries");
      long after = batch.getLong("after");
      long first = entries.getJsonObject(0).getLong("id");
      if (lastId >= 0 && after > lastId && first > lastId + 1 && !byKey.isEmpty()) {
        filling = true;
        long from = lastId;
        feed.log().between(from, first).onComplete(ar -> {
          if (ar.succeeded()) {
            for (ChangeLog.Entry entry : ar.result()) dispatch(entry, epoch);
          } else {
            log.warn("row changes between positions {} and {} could not be read: {}", from, first,
                ar.cause().getMessage());
          }
          filling = false;
          drain();
        });
        return;
      }
      pending.poll();
      for (int i = 0; i < entries.size(); i++) {
        JsonObject entry = entries.getJsonObject(i);
        dispatch(new ChangeLog.Entry(entry.getLong("id"), entry.getJsonObject("change")), epoch);
      }
    }
  }

  /** Who may see a change's new and old row, as parsed from its {@code access}. */
  private record Audiences(RowAccess.Audience now, RowAccess.Audience before) {}

  /** The last change whose audiences were parsed, by identity: every candidate's view of it asks in a row. */
  private JsonObject parsedChange;
  private Audiences parsedAudiences;

  private Audiences audiences(JsonObject change) {
    if (change != parsedChange) {
      JsonObject access = change.getJsonObject("access", new JsonObject());
      parsedAudiences = new Audiences(RowAccess.Audience.fromJson(access.getJsonObject("new")),
          RowAccess.Audience.fromJson(access.getJsonObject("old")));
      parsedChange = change;
    }
    return parsedAudiences;
  }

  /** One change, once per loop, to the subscribers its new or old row could reach. */
  private void dispatch(ChangeLog.Entry entry, String epoch) {
    if (entry.id() <= lastId) return;
    lastId = entry.id();
    Audiences audiences = audiences(entry.change());
    Set<Listener> candidates = new LinkedHashSet<>();
    for (RowAccess.Audience a : List.of(audiences.now(), audiences.before())) {
      for (String u : a.users()) add(candidates, "u:" + u);
      for (String c : a.couples()) add(candidates, "c:" + c);
      for (String s : a.suppliers()) add(candidates, "s:" + s);
    }
    for (Listener l : candidates) l.offer(entry, epoch);
  }

  private void add(Set<Listener> into, String key) {
    Set<Listener> set = byKey.get(key);
    if (set != null) into.addAll(set);
  }
}
