package com.wedsync.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * The local addresses the load generator's sockets connect from. Linux gives each (source address, destination
 * address, destination port) about 28,000 ephemeral ports, so past {@link #PER_ADDRESS} sockets to one server the
 * connections are spread over 127.0.0.2, 127.0.0.3, … (all of 127/8 is loopback), one WebSocket client bound to each,
 * in consecutive blocks of socket indexes.
 */
final class SourceAddresses {
  /** Sockets per source address before the next one is taken: well under the ~28k ephemeral ports of one. */
  static final int PER_ADDRESS = 20_000;

  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();
  private final int perAddress;

  private SourceAddresses(Vertx vertx, List<String> addresses, int perAddress) {
    this.perAddress = perAddress;
    if (addresses.isEmpty()) {
      clients.add(client(vertx, null));
    } else {
      for (String a : addresses) {
        clients.add(client(vertx, a));
        this.addresses.add(a);
      }
    }
  }

  /** The kernel's choice of source address (127.0.0.1 towards a loopback server): for fewer than PER_ADDRESS sockets. */
  static SourceAddresses single(Vertx vertx) {
    return new SourceAddresses(vertx, List.of(), Integer.MAX_VALUE);
  }

  /**
   * {@code count} addresses 127.0.0.2 … 127.0.0.(count+1), socket i on the (i / perAddress)-th, wrapping around; 0
   * means automatic: a single default address up to PER_ADDRESS sockets, else as many as {@code sockets} needs.
   */
  static SourceAddresses of(Vertx vertx, int count, int sockets, String targetHost) {
    int n = count > 0 ? count : (sockets <= PER_ADDRESS ? 0 : (sockets + PER_ADDRESS - 1) / PER_ADDRESS);
    if (n == 0) return single(vertx);
    if (n > 253) throw new IllegalArgumentException("--sources: at most 253 source addresses (127.0.0.2-254)");
    if (!targetHost.startsWith("127.") && !targetHost.equals("localhost")) {
      throw new IllegalArgumentException("--sources: spreading over 127.0.0.x source addresses needs a loopback "
          + "target, not " + targetHost);
    }
    List<String> a = new ArrayList<>();
    for (int k = 0; k < n; k++) a.add("127.0.0." + (2 + k));
    int per = count > 0 ? Math.max(1, (sockets + n - 1) / n) : PER_ADDRESS;
    return new SourceAddresses(vertx, a, per);
  }

  private static WebSocketClient client(Vertx vertx, String localAddress) {
    // The default pool allows 50 WebSockets per server; a load generator needs them all open at once.
    // Frames up to 16 MiB: a presence_state of a 2,000-member channel is far over Vert.x's 64 KiB default, and a client
    // that refuses it closes its socket (as browsers and the JS clients never do).
    WebSocketClientOptions o = new WebSocketClientOptions().setMaxConnections(1_000_000).setConnectTimeout(30_000)
        .setMaxFrameSize(16 << 20).setMaxMessageSize(16 << 20);
    if (localAddress != null) o.setLocalAddress(localAddress);
    return vertx.createWebSocketClient(o);
  }

  /** The client socket {@code index} connects with. */
  WebSocketClient clientFor(int index) {
    return clients.get((index / perAddress) % clients.size());
  }

  /** e.g. "kernel's choice" or "127.0.0.2-127.0.0.3, 20,000 sockets each". */
  String describe() {
    if (addresses.isEmpty()) return "the kernel's choice (one address)";
    String range = addresses.size() == 1 ? addresses.get(0)
        : addresses.get(0) + "-" + addresses.get(addresses.size() - 1);
    return String.format("%s, up to %,d sockets each", range, perAddress);
  }
}
