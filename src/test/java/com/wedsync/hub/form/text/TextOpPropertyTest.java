package com.wedsync.hub.form.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded randomized checks of the OT engine. Every seed is fixed, so a failure reproduces exactly; the seed is in
 * every assertion message.
 */
class TextOpPropertyTest {

    private static final int SEEDS = 200;
    private static final int STEPS = 50;

    /** Any valid op on doc, built as JSON so it also exercises parse and normalization. */
    private static TextOp randomOp(Random r, String doc) {
        int len = doc.codePointCount(0, doc.length());
        JsonArray json = new JsonArray();
        int pos = 0;
        while (r.nextInt(5) != 0) { // stops early at random: the rest is implicitly retained
            int kind = r.nextInt(3);
            if (kind == 0 && pos < len) {
                int n = 1 + r.nextInt(len - pos);
                json.add(n);
                pos += n;
            } else if (kind == 1 && pos < len) {
                int n = 1 + r.nextInt(Math.min(3, len - pos));
                json.add(new JsonObject().put("d", n));
                pos += n;
            } else {
                String s = RandomTextOps.randomText(r, 3);
                if (!s.isEmpty()) json.add(s);
            }
        }
        TextOp op = TextOp.parse(json);
        assertEquals(op, TextOp.parse(op.toJson()), "JSON round trip of " + json);
        return op;
    }

    private static int cpLen(String s) {
        return s.codePointCount(0, s.length());
    }

    // ------------------------------------------------------------------------------------------ TP1

    @Test
    void concurrentOpsConvergeWhicheverIsAppliedFirst() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            for (int step = 0; step < STEPS; step++) {
                String s = RandomTextOps.randomText(r, 10);
                TextOp a = randomOp(r, s);
                TextOp b = randomOp(r, s);
                String ctx = "seed " + seed + " step " + step + ": s=" + s + " a=" + a + " b=" + b;

                // TP1, in both tie-break orientations.
                assertEquals(TextOp.transform(b, a, false).apply(a.apply(s)),
                        TextOp.transform(a, b, true).apply(b.apply(s)), ctx);
                assertEquals(TextOp.transform(b, a, true).apply(a.apply(s)),
                        TextOp.transform(a, b, false).apply(b.apply(s)), ctx);

                // Lengths are consistent with what apply does.
                String sa = a.apply(s);
                assertEquals(cpLen(s) - a.baseLength() + a.targetLength(), cpLen(sa), ctx);

                // compose(a, b') is a followed by b'.
                TextOp b2 = randomOp(r, sa);
                assertEquals(b2.apply(sa), TextOp.compose(a, b2).apply(s), ctx + " b2=" + b2);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ server + clients

    /** Client → server: an op against baseVersion. */
    private record Submit(int client, String opId, int baseVersion, TextOp op) {}

    /** Server → every client: the op as applied, making it version {@code version}. */
    private record Broadcast(int version, String opId, TextOp op) {}

    /**
     * A minimal ShareDB/ot.js-style client: at most one op in flight; edits made meanwhile are composed into a
     * buffer, sent when the in-flight op is acknowledged. Incoming ops from others are transformed against both, so
     * the local text, the in-flight op and the buffer always describe the same future server state.
     */
    private static final class Client {
        final int id;
        String text;
        int version;
        TextOp inflight;
        String inflightId;
        TextOp buffer;
        int seq;
        final ArrayDeque<Broadcast> inbox = new ArrayDeque<>();

        Client(int id, String text) {
            this.id = id;
            this.text = text;
        }

        void edit(TextOp op, ArrayDeque<Submit> outbox) {
            text = op.apply(text);
            if (inflight == null) send(op, outbox);
            else buffer = buffer == null ? op : TextOp.compose(buffer, op);
        }

        private void send(TextOp op, ArrayDeque<Submit> outbox) {
            inflight = op;
            inflightId = "c" + id + "/" + (seq++);
            outbox.add(new Submit(id, inflightId, version, op));
        }

        void receive(Broadcast b, ArrayDeque<Submit> outbox, String ctx) {
            assertEquals(version + 1, b.version(), ctx + ": client " + id + " got versions out of order");
            version = b.version();
            if (inflight != null && b.opId().equals(inflightId)) {
                // Our own op, as the server applied it: we already transformed it identically.
                assertEquals(inflight, b.op(), ctx + ": client " + id + " ack differs from its rebased op");
                inflight = null;
                if (buffer != null) {
                    TextOp next = buffer;
                    buffer = null;
                    send(next, outbox);
                }
                return;
            }
            // The server applied b before our pending ops, so they lose ties (as TextHistory.rebase will decide)
            // and b, seen from our side, wins them.
            TextOp incoming = b.op();
            if (inflight != null) {
                TextOp over = TextOp.transform(incoming, inflight, true);
                inflight = TextOp.transform(inflight, incoming, false);
                incoming = over;
            }
            if (buffer != null) {
                TextOp over = TextOp.transform(incoming, buffer, true);
                buffer = TextOp.transform(buffer, incoming, false);
                incoming = over;
            }
            text = incoming.apply(text);
        }
    }

    private static final class Server {
        String text;
        final List<TextOp> history = new ArrayList<>();

        Server(String text) {
            this.text = text;
        }

        Broadcast accept(Submit s) {
            TextOp applied = TextHistory.rebase(s.op(), history.subList(s.baseVersion(), history.size()));
            text = applied.apply(text);
            history.add(applied);
            return new Broadcast(history.size(), s.opId(), applied);
        }
    }

    @Test
    void serverAndClientsConvergeWithoutLosingInserts() {
        final int clients = 5;
        final int steps = 150;
        for (int seed = 0; seed < SEEDS; seed++) {
            Random r = new Random(seed);
            String initial = RandomTextOps.randomText(r, 12);
            Server server = new Server(initial);
            List<Client> cs = new ArrayList<>();
            List<ArrayDeque<Submit>> outboxes = new ArrayList<>(); // per-client FIFO connection to the server
            for (int i = 0; i < clients; i++) {
                cs.add(new Client(i, initial));
                outboxes.add(new ArrayDeque<>());
            }
            List<String> markers = new ArrayList<>();
            String ctx = "seed " + seed;

            // Random interleaving of edits and deliveries stands in for random network delays; each connection
            // stays FIFO, as a WebSocket is.
            for (int step = 0; step < steps; step++) {
                int c = r.nextInt(clients);
                Client client = cs.get(c);
                switch (r.nextInt(3)) {
                    case 0 -> {
                        TextOp op = RandomTextOps.markerSafeOp(r, client.text, markers, "c" + c + "-" + step);
                        if (!op.isNoop()) client.edit(op, outboxes.get(c));
                    }
                    case 1 -> deliverUp(server, cs, outboxes.get(c));
                    default -> {
                        if (!client.inbox.isEmpty()) client.receive(client.inbox.poll(), outboxes.get(c), ctx);
                    }
                }
            }

            // Quiesce: deliver everything in random order until nothing is in flight anywhere.
            while (true) {
                List<Runnable> pending = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    Client client = cs.get(c);
                    ArrayDeque<Submit> outbox = outboxes.get(c);
                    if (!outbox.isEmpty()) pending.add(() -> deliverUp(server, cs, outbox));
                    if (!client.inbox.isEmpty()) pending.add(() -> client.receive(client.inbox.poll(), outbox, ctx));
                }
                if (pending.isEmpty()) break;
                pending.get(r.nextInt(pending.size())).run();
            }

            for (Client client : cs) {
                assertNull(client.inflight, ctx + ": client " + client.id + " still has an op in flight");
                assertNull(client.buffer, ctx + ": client " + client.id + " still has buffered edits");
                assertEquals(server.history.size(), client.version, ctx + ": client " + client.id + " version");
                assertEquals(server.text, client.text, ctx + ": client " + client.id + " text");
            }
            String replayed = initial;
            for (TextOp op : server.history) replayed = op.apply(replayed);
            assertEquals(server.text, replayed, ctx + ": replaying the history");
            for (String marker : markers) {
                int at = server.text.indexOf(marker);
                assertTrue(at >= 0, ctx + ": insert " + marker + " was lost; final text " + server.text);
                assertEquals(at, server.text.lastIndexOf(marker), ctx + ": insert " + marker + " duplicated");
            }
            assertFalse(markers.isEmpty(), ctx + ": the scenario made no inserts");
        }
    }

    private static void deliverUp(Server server, List<Client> cs, ArrayDeque<Submit> outbox) {
        Submit s = outbox.poll();
        if (s == null) return;
        Broadcast b = server.accept(s);
        for (Client c : cs) c.inbox.add(b);
    }
}
