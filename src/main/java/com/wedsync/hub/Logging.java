package com.wedsync.hub;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import com.wedsync.hub.config.ConfigException;
import com.wedsync.hub.config.HubConfig;
import org.slf4j.LoggerFactory;

import java.io.File;

/**
 * Logs to stdout, every line with an ISO-8601 UTC timestamp and the node id: one JSON object per line by default (for
 * log shippers), plain text when asked for. The node id is also the logger context property {@code node}, so a
 * user's own logback configuration can print it with {@code %property{node}}. A user's configuration wins over
 * {@code log.format}/{@code log.level}: the file named by {@code log.config}, or the one logback already loaded
 * from {@code -Dlogback.configurationFile}.
 */
final class Logging {
  static final String NODE = "node";

  private Logging() {}

  static void configure(HubConfig.Log cfg, String nodeId) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;
    if (System.getProperty("logback.configurationFile") != null) {
      ctx.putProperty(NODE, nodeId);
      return;
    }
    ctx.reset();
    // After reset (which clears the context's properties) and before a user's file, so it may also use ${node}.
    ctx.putProperty(NODE, nodeId);
    if (!cfg.config().isEmpty()) {
      load(ctx, new File(cfg.config()));
      return;
    }
    Encoder<ILoggingEvent> encoder;
    if (cfg.format().equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithSequenceNumber(false);
      json.setWithTimestamp(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      encoder = new NodeJsonEncoder(json, nodeId);
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level [%property{node}] [%thread] %logger{24} - %msg%n");
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
    // vertx-micrometer-metrics registers a connection gauge again for every connection (vert-x3/vertx-micrometer-
    // metrics#259); Micrometer ignores the repeat (the gauge reads the same counter) but warns once per start.
    ctx.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
  }

  /** A user's logback file; one logback cannot read (or that has errors) stops start-up with what was wrong. */
  private static void load(LoggerContext ctx, File file) {
    long started = System.currentTimeMillis();
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(ctx);
    try {
      joran.doConfigure(file);
    } catch (JoranException e) {
      throw new ConfigException("log.config", "logback could not read " + file + ": " + e.getMessage());
    }
    for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
      if (s.getLevel() == Status.ERROR && s.getTimestamp() >= started) {
        throw new ConfigException("log.config", "logback configuration " + file + ": " + s.getMessage());
      }
    }
  }
}
