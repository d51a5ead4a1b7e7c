package com.wedsync.hub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server that can be told to {@linkplain #stall() stall}: connections stay
 * open and bytes are still read, but nothing is passed on until {@link #resume()}. To the client that is a server
 * that accepts and never replies (a PostgreSQL stuck on a lock, a Redis paused by its host), which a refused
 * connection does not show. Plain threads and sockets, independent of the Vert.x code under test.
 */
public final class StallingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private volatile boolean stalled;
  private volatile boolean closed;

  private StallingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "stalling-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy to {@code 127.0.0.1:targetPort}; close it to stop it. */
  public static StallingProxy to(int targetPort) {
    try {
      return new StallingProxy(targetPort);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the proxy's port", e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** From now on nothing is passed on, in either direction. */
  public void stall() {
    stalled = true;
  }

  /** Passes on what was held back and everything after it. */
  public void resume() {
    synchronized (gate) {
      stalled = false;
      gate.notifyAll();
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (!closed) System.err.println("stalling proxy: " + e.getMessage());
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          awaitResumed();
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // one side closed (or the proxy did): the other follows
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "stalling-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void awaitResumed() throws InterruptedException {
    synchronized (gate) {
      while (stalled && !closed) gate.wait(100);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    resume();
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
    sockets.forEach(StallingProxy::closeQuietly);
  }
}
