package com.wedsync.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * One system under test as the fan-out (P1) and presence (P6) workloads drive it: the hub, or the Socket.IO peer.
 * Clients and channels are numbered by the workload; the target maps them to users, forms, rooms.
 */
interface LoadTarget {
  /** e.g. "hub" or "Socket.IO"; used in the printed figures. */
  String name();

  /** Whatever must exist before {@code clients} clients use {@code channels} channels (the hub: users, forms). */
  void prepare(int clients, int channels) throws Exception;

  /** Opens client {@code index}'s socket; every frame it gets that is not a reply goes to {@code pushes}. */
  Future<LoadClient> open(int index, Handler<Buffer> pushes);

  /** What a pushed frame did to the channel's presence (keys are client indexes), or null when it is no presence frame. */
  PresenceChange presence(Buffer frame);

  /** The server's process id, for its CPU share; -1 when unknown. */
  long serverPid();

  /** The server's heap in use now, in bytes (no collection forced); -1 when it cannot be read. */
  long serverHeapBytes();

  /** One line on how the server runs (URL, adapter), printed with the workload. */
  String describe();

  /** One client of a target. Every method may be called from any thread. */
  interface LoadClient extends ClientSocket {
    /** The connection underneath. */
    ClientSocket socket();

    @Override
    default boolean closed() {
      return socket().closed();
    }

    @Override
    default Future<Void> close() {
      return socket().close();
    }

    /** Joins channel {@code channel}; with {@code presence}, ready to track presence there. */
    Future<Void> join(int channel, boolean presence);

    /** Publishes {@code payloadJson} to every other subscriber of the channel; fails with the server's reason. */
    Future<Void> publish(int channel, String payloadJson);

    /** Announces this client's presence on the (joined) channel. */
    Future<Void> track(int channel);

  }

  /** A presence frame: a full state (replaces what the client knew) or a diff, as client indexes. */
  record PresenceChange(boolean state, int[] joins, int[] leaves) {}
}
