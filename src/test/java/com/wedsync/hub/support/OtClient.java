package com.wedsync.hub.support;

import com.wedsync.hub.form.text.TextOp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.TreeMap;

/** A ShareDB-style client: one op in flight, later edits buffered, others' ops transformed in version order. */
public final class OtClient {
  public final int id;
  public final WsClient ws;
  final String topic;
  final String runId;
  final String field;
  public String text = "";
  public long version;
  public TextOp inflight;
  String inflightId;
  TextOp buffer;
  int seq;
  final TreeMap<Long, JsonObject> early = new TreeMap<>();

  public OtClient(int id, WsClient ws, String topic, String field, String runId) {
    this.id = id;
    this.ws = ws;
    this.topic = topic;
    this.runId = runId;
    this.field = field;
  }

  public void edit(TextOp op) {
    text = op.apply(text);
    if (inflight == null) send(op);
    else buffer = buffer == null ? op : TextOp.compose(buffer, op);
  }

  private void send(TextOp op) {
    inflight = op;
    inflightId = runId + "-c" + id + "-" + (seq++);
    ws.send(null, ws.nextRef(), topic, "field:text", new JsonObject().put("field", field)
        .put("ops", op.toJson()).put("base_version", version).put("op_id", inflightId));
  }

  /** Applies every field:changed received so far, strictly in version order. */
  public void drain() {
    JsonArray frame;
    while ((frame = ws.poll(a -> "field:changed".equals(a.getString(3)))) != null) {
      JsonObject e = frame.getJsonObject(4);
      early.put(e.getLong("version"), e);
    }
    JsonArray error;
    while ((error = ws.poll(a -> "phx_reply".equals(a.getString(3))
        && "error".equals(a.getJsonObject(4).getString("status")))) != null) {
      throw new AssertionError("client " + id + " got an error: " + error);
    }
    ws.poll(a -> "phx_reply".equals(a.getString(3))); // acks carry nothing the events do not
    while (!early.isEmpty() && early.firstKey() == version + 1) receive(early.pollFirstEntry().getValue());
  }

  private void receive(JsonObject e) {
    version = e.getLong("version");
    if (inflight != null && inflightId.equals(e.getString("op_id"))) {
      inflight = null;
      if (buffer != null) {
        TextOp next = buffer;
        buffer = null;
        send(next);
      }
      return;
    }
    TextOp incoming = TextOp.parse(e.getJsonArray("ops"));
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

  public boolean idle() {
    return inflight == null && buffer == null && early.isEmpty();
  }
}
