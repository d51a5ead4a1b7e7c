package com.wedsync.hub;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.wedsync.hub.config.HubConfig;
import org.slf4j.LoggerFactory;

/** Structured logs: one JSON object per line by default (for log shippers), plain text when asked for. */
final class Logging {
  private Logging() {}

  static void configure(HubConfig.Log cfg) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;
    ctx.reset();
    Encoder<ILoggingEvent> encoder;
    if (cfg.format().equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n");
      encoder = text;
    }
    encoder.setContext(ctx);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(ctx);
    console.setName("console");
    console.setEncoder(encoder);
    console.start();
    var root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(cfg.level()));
    root.addAppender(console);
    ctx.getLogger("io.netty").setLevel(Level.WARN);
    ctx.getLogger("org.flywaydb").setLevel(Level.WARN);
    ctx.getLogger("io.zonky").setLevel(Level.WARN);
    // In-flight bus messages for a topic a loop just stopped listening to are expected, not worth a warning.
    ctx.getLogger("io.vertx.core.eventbus.impl.MessageConsumerImpl").setLevel(Level.ERROR);
  }
}
