# Shared by the benchmarks with a Socket.IO peer (bench-fanout, bench-presence): the Socket.IO 4 server of
# scripts/peer/ with @socket.io/redis-adapter on an embedded Redis, both stopped on exit. Source after bench-hub.sh
# and start_bench_env; then start_peer, and wait_peer before the load generator runs.
# PEER_PID, PEER_URL and PEER_ADAPTER are set for the caller.

PEER_PID="" PEER_URL="" PEER_ADAPTER=""

# Installs the pinned packages into scripts/peer/node_modules (git-ignored) when they are missing or older than the
# lock file.
install_peer() {
  command -v node >/dev/null && command -v npm >/dev/null || {
    echo "$BENCH_NAME: node and npm are needed for the Socket.IO peer (or run with --no-peer)" >&2; exit 1; }
  if [ ! -d scripts/peer/node_modules ] || [ scripts/peer/package-lock.json -nt scripts/peer/node_modules ]; then
    echo "installing the Socket.IO peer's packages (npm ci) ..." >&2
    (cd scripts/peer && npm ci --no-audit --no-fund --loglevel=error >&2)
    touch scripts/peer/node_modules
  fi
}

# An embedded Redis as the tests start one (com.wedsync.hub.support.PeerRedis, test classpath). Sets REDIS_URL, or
# leaves it empty when no Redis could be had (the peer then runs with the in-memory adapter, and says so).
start_peer_redis() {
  REDIS_URL=""
  echo "building the test classpath for an embedded Redis ..." >&2
  if ! build_test_classpath >&2; then
    echo "$BENCH_NAME: could not build the test classpath: the Socket.IO peer runs WITHOUT Redis" >&2
    return 0
  fi
  cp -r target/test-classes "$WORK/test-classes"
  java -cp "$WORK/test-classes:$JAR:$(cat target/test-classpath.txt)" com.wedsync.hub.support.PeerRedis \
    "$WORK/redis-url" >"$WORK/redis.log" 2>&1 &
  BACKGROUND_PIDS+=($!)
  local pid=$!
  for _ in $(seq 1 120); do
    if [ -f "$WORK/redis-url" ]; then REDIS_URL=$(cat "$WORK/redis-url"); return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "$BENCH_NAME: the embedded Redis did not start (log below): the Socket.IO peer runs WITHOUT Redis" >&2
  tail -n 20 "$WORK/redis.log" >&2
}

# $1 = 1 to run the peer without Redis on purpose.
start_peer() {
  install_peer
  if [ "${1:-0}" = 1 ]; then REDIS_URL=""; else start_peer_redis; fi
  next_port
  local port=$PORT args=(--port "$PORT")
  if [ -n "$REDIS_URL" ]; then args+=(--redis "$REDIS_URL"); fi
  echo "Socket.IO peer: node scripts/peer/server.js ${args[*]}"
  # shellcheck disable=SC2086  # a word list on purpose
  node ${BENCH_PEER_NODE_OPTS:-} scripts/peer/server.js "${args[@]}" >"$WORK/peer.log" 2>&1 &
  PEER_PID=$!
  BACKGROUND_PIDS+=("$PEER_PID")
  PEER_URL="http://127.0.0.1:$port"
}

wait_peer() {
  for _ in $(seq 1 60); do
    if curl -sf -o /dev/null "$PEER_URL/stats"; then
      PEER_ADAPTER=$(sed -n 's/.*peer listening on [^ ]* (\(.*\))$/\1/p' "$WORK/peer.log")
      echo "Socket.IO peer ready: $PEER_ADAPTER"
      if [ -z "$REDIS_URL" ]; then
        echo "  NOTE: the Socket.IO peer runs WITHOUT Redis (in-memory adapter); its figures are then a best case."
      fi
      return 0
    fi
    if ! kill -0 "$PEER_PID" 2>/dev/null; then
      echo "$BENCH_NAME: the Socket.IO peer exited during start-up; its output:" >&2
      cat "$WORK/peer.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "$BENCH_NAME: the Socket.IO peer was not ready within 30 s; its output:" >&2
  cat "$WORK/peer.log" >&2
  exit 1
}
