package com.wedsync.hub;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * logback's {@link JsonEncoder} with two fields in front of each object: {@code "timestamp"} as ISO-8601 UTC (logback
 * writes epoch milliseconds) and {@code "node"}, the node id, so lines from several nodes in one log store stay
 * apart.
 */
final class NodeJsonEncoder extends EncoderBase<ILoggingEvent> {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
      .withZone(ZoneOffset.UTC);

  private final JsonEncoder json;
  private final String node;

  NodeJsonEncoder(JsonEncoder json, String nodeId) {
    this.json = json;
    this.node = Json.encode(nodeId);
  }

  @Override
  public void start() {
    json.setContext(getContext());
    json.start();
    super.start();
  }

  @Override
  public byte[] headerBytes() {
    return json.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] object = json.encode(event);
    byte[] front = ("{\"timestamp\":\"" + ISO.format(event.getInstant()) + "\",\"node\":" + node
        + (object.length > 1 && object[1] == '}' ? "" : ",")).getBytes(StandardCharsets.UTF_8);
    byte[] line = new byte[front.length + object.length - 1];
    System.arraycopy(front, 0, line, 0, front.length);
    System.arraycopy(object, 1, line, front.length, object.length - 1);
    return line;
  }

  @Override
  public byte[] footerBytes() {
    return json.footerBytes();
  }
}
