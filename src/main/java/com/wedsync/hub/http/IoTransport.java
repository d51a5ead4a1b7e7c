package com.wedsync.hub.http;

import com.wedsync.hub.config.ConfigException;
import io.vertx.core.transport.Transport;

import java.util.Locale;

/**
 * Which of Netty's I/O transports the event loops run on ({@code http.transport}). Each delivery is a write to a
 * socket, so at the fan-out ceiling the kernel crossings per write are what the transports differ in: epoll makes a
 * syscall per flush, Java NIO adds a selector and garbage on top, io_uring submits and completes them in batches
 * through shared rings. {@code auto} takes epoll where Netty has it, else NIO, and says why.
 *
 * <p>io_uring is there to be chosen, not the default: on this stack (Vert.x 5.0.10, Netty 4.2.12 io_uring) the
 * recovery test ({@code RecoveryTest}, a client on one event loop receiving what a writer on the other publishes
 * while history is replayed) stops receiving after its join on io_uring and passes on epoll and NIO, so a transport
 * that loses deliveries somewhere between Vert.x and Netty stays opt-in until that is understood (README
 * "Performance"). An explicit native choice the machine cannot run falls back to NIO, saying why.
 */
public final class IoTransport {
  /** What the configuration asks for. */
  public enum Choice {
    AUTO, IO_URING, EPOLL, NIO;

    public static Choice parse(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "auto", "" -> AUTO;
        case "io_uring", "iouring", "io-uring" -> IO_URING;
        case "epoll" -> EPOLL;
        case "nio" -> NIO;
        default -> throw new ConfigException("http.transport", "use auto, io_uring, epoll or nio, got '" + value + "'");
      };
    }
  }

  /** The transport taken, and in words why (what was asked for, what was missing). */
  public record Picked(Transport transport, String why) {
    public String name() {
      return transport.name();
    }
  }

  private IoTransport() {
  }

  /**
   * The transport for {@code choice}: {@code auto} is epoll where available, else NIO; an explicit native choice that
   * this machine cannot run falls back to NIO, the reason in {@link Picked#why}.
   */
  public static Picked pick(Choice choice) {
    return switch (choice) {
      case NIO -> new Picked(Transport.NIO, "http.transport=nio");
      case IO_URING -> explicit(Transport.IO_URING, "io_uring (opt-in: see IoTransport)");
      case EPOLL -> explicit(Transport.EPOLL, "epoll");
      case AUTO -> {
        if (Transport.EPOLL.available()) yield new Picked(Transport.EPOLL, "http.transport=auto: epoll available");
        yield new Picked(Transport.NIO, "http.transport=auto: epoll unavailable (" + cause(Transport.EPOLL) + ")");
      }
    };
  }

  private static Picked explicit(Transport t, String name) {
    if (t.available()) return new Picked(t, "http.transport=" + name);
    return new Picked(Transport.NIO, "http.transport=" + name + " but it is unavailable here (" + cause(t)
        + "): Java NIO instead");
  }

  private static String cause(Transport t) {
    Throwable why = t.unavailabilityCause();
    if (why == null) return "not on the class path";
    String message = why.getMessage();
    return why.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
