package com.wedsync.hub.bench;

import com.wedsync.hub.bench.BenchKit.Latency;
import com.wedsync.hub.bench.BenchKit.Target;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import static com.wedsync.hub.bench.BenchKit.count;
import static com.wedsync.hub.bench.BenchKit.histogram;
import static com.wedsync.hub.bench.BenchKit.record;

/**
 * What the hub's users do, mixed, for sizing a deployment. Each wedding has a couple (two partners) and suppliers,
 * each with a team and one form sent to the couple. Every person keeps one socket, joined as the apps join: a supplier
 * member to {@code supplier:}, {@code user:}, {@code wedding:} and its form (tracking presence); a partner to
 * {@code couple:}, {@code user:}, {@code wedding:} and every supplier's form of the wedding (tracking presence).
 *
 * <p>Every {@code intervalMs} each person edits, like an editor in a form: focus (lock) a field of its own → typing →
 * {@code field:set} → blur (unlock), one step after the other's reply. Every {@code noteEvery}-th time it adds a note
 * instead, mentioning someone on the other side, which becomes a {@code notification} on their {@code user:} channel.
 * The hub's own side effects (activity, {@code field:saved}, presence, unread counts) are counted as they arrive.
 *
 * <p>Latencies use one clock (all clients live in this process): send → receipt at every other subscriber for
 * {@code field:changed} and typing, send → reply for lock and set, note sent → {@code notification} received.
 */
final class WeddingWorkload {
  record Settings(int weddings, int suppliers, int team, int intervalMs, int seconds, int warmupSeconds,
                  int noteEvery, int clientLoops) {
    int clients() {
      return weddings * (2 + suppliers * team);
    }

    /** A form's editors: the supplier's team and both partners. Each owns one field of the form. */
    int editorsPerForm() {
      return team + 2;
    }
  }

  /**
   * What one run measured. {@code changedExpected} is every accepted set times the other subscribers of its form;
   * every accepted note mentions one person, so {@code notesAccepted} mention notifications are expected.
   */
  record Result(int clients, int subscriptions, double seconds, long cycles, long skipped, long setsAccepted,
                long changedExpected, long changedReceived, long typingReceived, long notesAccepted,
                long mentionsReceived, long notificationsReceived, Map<String, Long> refused,
                Map<String, Long> pushes, Latency changed, Latency typing, Latency lockAck, Latency setAck,
                Latency notification, long closed, String cpu, String generatorLag) {
    long pushesTotal() {
      return BenchKit.sum(pushes);
    }
  }

  private static final OpMarker SET_OP = new OpMarker("\"op_id\":\"wb-");
  private static final OpMarker NOTE_TAG = new OpMarker("wn-");

  private final BenchKit kit;
  private final Target hub;
  private final Settings s;
  private final String dbUser, dbPassword;

  private final Histogram changed = histogram(), typing = histogram(), lockAck = histogram(), setAck = histogram(),
      notification = histogram();
  private final LongAdder cycles = new LongAdder(), skipped = new LongAdder(), setsAccepted = new LongAdder(),
      changedExpected = new LongAdder(), changedReceived = new LongAdder(), typingReceived = new LongAdder(),
      notesAccepted = new LongAdder(), mentionsReceived = new LongAdder(), notificationsReceived = new LongAdder();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>(), pushes = new ConcurrentHashMap<>();
  private AtomicLongArray typingSentAt;
  private volatile long measureFrom, end;

  WeddingWorkload(BenchKit kit, Target hub, Settings s, String dbUser, String dbPassword) {
    this.kit = kit;
    this.hub = hub;
    this.s = s;
    this.dbUser = dbUser;
    this.dbPassword = dbPassword;
  }

  /**
   * One field of one form that a person edits (the field is theirs alone, so edits never conflict), and whom their
   * notes on that form mention: someone on the other side who can see the form.
   */
  private record Seat(String topic, String field, int editors, UUID mentions) {}

  /** A person: their socket's channels and the seats they edit. */
  private record Person(UUID user, List<String> channels, List<String> forms, List<Seat> seats) {}

  Result run() throws Exception {
    List<Fixtures.Wedding> weddings;
    int fields = Math.max(Fixtures.FIELDS_PER_FORM, s.editorsPerForm());
    try (Fixtures fx = new Fixtures(hub.jdbcUrl(), dbUser, dbPassword)) {
      weddings = fx.weddings(s.weddings(), s.suppliers(), s.team(), fields);
    }
    List<Person> people = people(weddings);
    Map<String, Integer> indexOfUser = new HashMap<>();
    for (int i = 0; i < people.size(); i++) indexOfUser.put(people.get(i).user().toString(), i);
    typingSentAt = new AtomicLongArray(people.size());
    int subscriptions = people.stream().mapToInt(p -> p.channels().size() + p.forms().size()).sum();

    Progress connecting = Progress.start("wedding", () -> "opening sockets and joining");
    List<BenchSocket> sockets;
    try {
      sockets = kit.openAll(people.size(), i -> open(i, people.get(i), indexOfUser));
    } finally {
      connecting.close();
    }
    System.out.printf("  %,d people connected, %,d subscriptions (%,d of them form channels with presence)%n",
        people.size(), subscriptions, people.stream().mapToInt(p -> p.forms().size()).sum());

    Vertx vertx = kit.vertx();
    LoopLag lag = new LoopLag(vertx, s.clientLoops());
    CpuShare cpu = new CpuShare(hub.pid());
    long start = System.nanoTime();
    measureFrom = start + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
    end = start + TimeUnit.SECONDS.toNanos(s.warmupSeconds() + s.seconds());
    CountDownLatch stopped = new CountDownLatch(people.size());
    try (Progress progress = Progress.start("wedding", this::progressLine)) {
      for (int i = 0; i < people.size(); i++) edit(i, people.get(i), sockets.get(i), stopped);
      stopped.await(s.warmupSeconds() + s.seconds() + 60L, TimeUnit.SECONDS);
      // What is still on its way: wait until the counts stop moving (at most 10 s).
      long last = -1;
      for (int i = 0; i < 50 && changedReceived.sum() + notificationsReceived.sum() != last; i++) {
        last = changedReceived.sum() + notificationsReceived.sum();
        Thread.sleep(200);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String generatorLag = lag.stop();
    String cpuShare = cpu.report();
    long closed = sockets.stream().filter(BenchSocket::closed).count();
    kit.closeAll(sockets);
    return new Result(people.size(), subscriptions, seconds, cycles.sum(), skipped.sum(), setsAccepted.sum(),
        changedExpected.sum(), changedReceived.sum(), typingReceived.sum(), notesAccepted.sum(), mentionsReceived.sum(), notificationsReceived.sum(), BenchKit.snapshot(refused),
        new TreeMap<>(BenchKit.snapshot(pushes)), Latency.of(changed), Latency.of(typing), Latency.of(lockAck),
        Latency.of(setAck), Latency.of(notification), closed, cpuShare, generatorLag);
  }

  private String progressLine() {
    long now = System.nanoTime();
    String phase = now < measureFrom ? "warm-up" : now < end ? "measuring" : "draining";
    return String.format("%s: %,d edits, %,d sets accepted, %,d field:changed of %,d seen, %,d notes, %,d "
            + "notifications, refused %,d", phase, cycles.sum(), setsAccepted.sum(), changedReceived.sum(),
        changedExpected.sum(), notesAccepted.sum(), notificationsReceived.sum(), BenchKit.sum(BenchKit.snapshot(refused)));
  }

  /** Who joins what and edits where: the apps' channels (docs/protocol.md §2) for a partner and a supplier member. */
  private List<Person> people(List<Fixtures.Wedding> weddings) {
    List<Person> out = new ArrayList<>();
    int editors = s.editorsPerForm();
    for (Fixtures.Wedding w : weddings) {
      for (int p = 0; p < 2; p++) {
        UUID user = w.partners().get(p);
        List<String> forms = new ArrayList<>();
        List<Seat> seats = new ArrayList<>();
        for (Fixtures.Supplier sup : w.suppliers()) {
          forms.add("realtime:form:" + sup.form());
          seats.add(new Seat("realtime:form:" + sup.form(), Fixtures.fieldKey(s.team() + p), editors,
              sup.team().get(p % sup.team().size())));
        }
        out.add(new Person(user, List.of("realtime:couple:" + w.couple(), "realtime:user:" + user,
            "realtime:wedding:" + w.id()), forms, seats));
      }
      for (Fixtures.Supplier sup : w.suppliers()) {
        for (int m = 0; m < sup.team().size(); m++) {
          UUID user = sup.team().get(m);
          String form = "realtime:form:" + sup.form();
          out.add(new Person(user, List.of("realtime:supplier:" + sup.id(), "realtime:user:" + user,
              "realtime:wedding:" + w.id()), List.of(form),
              List.of(new Seat(form, Fixtures.fieldKey(m), editors, w.partners().get(m % 2)))));
        }
      }
    }
    return out;
  }

  /** Opens person i's socket, joins its channels and forms one after the other, and tracks presence on each form. */
  private Future<BenchSocket> open(int i, Person person, Map<String, Integer> indexOfUser) {
    return BenchSocket.connect(kit.vertx(), kit.sources().clientFor(i), hub.host(), hub.port(),
            kit.tokens().user(person.user(), 86_400))
        .compose(socket -> {
          socket.onPush(frame -> onPush(i, frame, indexOfUser));
          Future<?> joined = Future.succeededFuture();
          for (String topic : person.channels()) joined = joined.compose(x -> socket.join(topic, new JsonObject()));
          JsonObject withPresence = new JsonObject().put("config", new JsonObject()
              .put("presence", new JsonObject().put("key", "").put("enabled", true)));
          for (String topic : person.forms()) {
            joined = joined.compose(x -> socket.join(topic, withPresence)).compose(x -> socket.track(topic));
          }
          return joined.map(socket);
        })
        .recover(e -> Future.failedFuture(new IllegalStateException("person " + i + " (" + person.user()
            + ") could not connect and join: " + e.getMessage(), e)));
  }

  /** Person i's editing loop, on its socket's event loop: one edit (or note) every interval, staggered. */
  private void edit(int i, Person person, BenchSocket socket, CountDownLatch stopped) {
    Vertx vertx = kit.vertx();
    long offsetMs = 1 + (long) i * s.intervalMs() / Math.max(1, s.clients());
    socket.context().runOnContext(v -> {
      long[] timer = {-1};
      long[] turn = {0};
      boolean[] busy = {false};
      long[] versions = new long[person.seats().size()];
      timer[0] = vertx.setPeriodic(offsetMs, s.intervalMs(), id -> {
        if (System.nanoTime() >= end || socket.closed()) {
          vertx.cancelTimer(timer[0]);
          stopped.countDown();
          return;
        }
        // One thing at a time, like a person: a tick that finds the last edit unfinished is skipped (counted).
        if (busy[0]) {
          skipped.increment();
          return;
        }
        busy[0] = true;
        cycles.increment();
        long n = turn[0]++;
        int seatIndex = (int) (n % person.seats().size());
        Seat seat = person.seats().get(seatIndex);
        // Notes are spread over the run: person i's come at turns i, i + NOTE-EVERY, … (shifted by its index).
        Future<?> done = s.noteEvery() > 0 && (n + i) % s.noteEvery() == s.noteEvery() - 1
            ? note(i, seat, socket)
            : fieldEdit(i, seat, socket, versions, seatIndex);
        done.onComplete(ar -> busy[0] = false);
      });
    });
  }

  /** Focus → typing → set → blur, each after the previous reply. */
  private Future<?> fieldEdit(int i, Seat seat, BenchSocket socket, long[] versions, int seatIndex) {
    String field = "{\"field\":\"" + seat.field() + "\"";
    long lockAt = System.nanoTime();
    long[] setAt = {0};
    return socket.requestJson(seat.topic(), "field:lock", field + "}").compose(lock -> {
      if (!ok(lock, "field:lock")) return Future.succeededFuture();
      measure(lockAck, lockAt);
      long token = lock.getJsonObject("response").getLong("token");
      typingSentAt.set(i, System.nanoTime());
      return socket.requestJson(seat.topic(), "field:typing", field + "}").compose(typed -> {
        ok(typed, "field:typing");
        setAt[0] = System.nanoTime();
        return socket.requestJson(seat.topic(), "field:set", field + ",\"value\":" + (setAt[0] / 1000 % 1_000_001)
            + ",\"base_version\":" + versions[seatIndex] + ",\"op_id\":\"" + OpMarker.tag("wb", i, setAt[0]) + "\"}");
      }).compose(set -> {
        if (ok(set, "field:set")) {
          measure(setAck, setAt[0]);
          versions[seatIndex] = set.getJsonObject("response").getLong("version");
          setsAccepted.increment();
          changedExpected.add(seat.editors() - 1);
        }
        return socket.requestJson(seat.topic(), "field:unlock", field + ",\"token\":" + token + "}")
            .map(unlock -> ok(unlock, "field:unlock"));
      });
    });
  }

  /** A note on the form mentioning someone on the other side; its tag comes back in their notification. */
  private Future<?> note(int i, Seat seat, BenchSocket socket) {
    long t0 = System.nanoTime();
    String tag = OpMarker.tag("wn", i, t0);
    return socket.requestJson(seat.topic(), "form:note", "{\"text\":\"" + tag + " please check this @{"
        + seat.mentions() + "}\",\"op_id\":\"" + tag + "\"}").map(reply -> {
          if (ok(reply, "form:note")) notesAccepted.increment();
          return null;
        });
  }

  private boolean ok(JsonObject reply, String what) {
    if ("ok".equals(reply.getString("status"))) return true;
    count(refused, what + ": " + BenchKit.reason(reply));
    return false;
  }

  private void measure(Histogram h, long t0) {
    if (t0 >= measureFrom && t0 < end) record(h, System.nanoTime() - t0);
  }

  /** On person i's loop: a push. Events are told apart by name, from the frame's head; only rare ones are decoded. */
  private void onPush(int i, Buffer frame, Map<String, Integer> indexOfUser) {
    long now = System.nanoTime();
    String event = OpMarker.event(frame);
    count(pushes, event);
    switch (event) {
      case "field:changed" -> {
        long[] op = SET_OP.find(frame);
        if (op == null || op[0] == i) return;
        changedReceived.increment();
        if (op[1] >= measureFrom && op[1] < end) record(changed, now - op[1]);
      }
      case "field:typing" -> {
        String user = OpMarker.stringAfter(frame, USER_ID);
        Integer from = user == null ? null : indexOfUser.get(user);
        if (from == null || from == i) return;
        typingReceived.increment();
        long sent = typingSentAt.get(from);
        if (sent >= measureFrom && sent < end) record(typing, now - sent);
      }
      case "notification" -> {
        notificationsReceived.increment();
        long[] tag = NOTE_TAG.find(frame);
        if (tag == null || OpMarker.indexOf(frame, MENTION, 0) < 0) return;
        mentionsReceived.increment();
        if (tag[1] >= measureFrom && tag[1] < end) record(notification, now - tag[1]);
      }
      default -> { }
    }
  }

  /** Typing names the typist as {@code "user":{"user_id":"…","name":"…"}}. */
  private static final byte[] USER_ID = OpMarker.ascii("\"user_id\":\"");
  /** The one notification a note's mention makes (its other recipients get a note_added one). */
  private static final byte[] MENTION = OpMarker.ascii("\"type\":\"mention\"");
}
