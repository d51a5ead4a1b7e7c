# Shared by the single-node benchmark scripts (bench-forms, bench-delivery): throw-away hubs on free ports, each with
# its own fresh embedded PostgreSQL and log under a temporary directory, stopped (and the directory deleted) on exit.
# The caller sets BENCH_NAME, sources this file from the repository root, calls ensure_jar and then start_bench_env.

# A free TCP port on 127.0.0.1: one nothing answers on (a tiny race with other programs is acceptable here).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "$BENCH_NAME: no free port found" >&2
  return 1
}
WORK=""
declare -A HUB_PID=() HUB_HTTP=() HUB_PG=()
USED_PORTS=" "
# Sets PORT to a free port not handed out before (not via $(...): the list of used ports must survive the call).
next_port() {
  PORT=$(free_port)
  while [[ "$USED_PORTS" == *" $PORT "* ]]; do PORT=$(free_port); done
  USED_PORTS+="$PORT "
}

stop_hub() {
  local name=$1 pid=${HUB_PID[$1]:-}
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$BENCH_NAME: hub $name did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  fi
  # An embedded PostgreSQL outlives a hub that was killed: stop it by the pid in its own data directory.
  local pm="$WORK/$name/pg/postmaster.pid" pgpid
  if [ -f "$pm" ]; then
    pgpid=$(head -n 1 "$pm" 2>/dev/null || true)
    if [ -n "$pgpid" ] && ps -p "$pgpid" -o comm= 2>/dev/null | grep -q postgres; then
      kill -TERM "$pgpid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.25; done
    fi
  fi
}

# Other background processes of a benchmark (the Socket.IO peer, its Redis): stopped with SIGTERM on exit.
BACKGROUND_PIDS=()

cleanup() {
  local rc=$? pid
  for pid in "${BACKGROUND_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${BACKGROUND_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for name in "${!HUB_PID[@]}"; do stop_hub "$name"; done
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  exit $rc
}
# The load generator runs in the background and is waited for, so that a signal is handled at once (bash runs traps
# only after a foreground command ends) and takes the generator down with the hubs.
BENCH_PID=""
on_signal() {
  if [ -n "$BENCH_PID" ]; then kill -TERM "$BENCH_PID" 2>/dev/null || true; fi
  exit 130
}

# The work directory, the traps, and private copies of the jars — JAR for the hubs, BENCH_JAR for the load
# generator: a build started meanwhile (mvn package rewrites them in place) must not pull classes out from under the
# running JVMs.
start_bench_env() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")
  trap cleanup EXIT
  trap on_signal INT TERM
  JAR="$WORK/hub.jar"
  cp target/hub.jar "$JAR"
  BENCH_JAR="$WORK/bench.jar"
  cp bench/target/bench.jar "$BENCH_JAR"
}

# The server's test classpath (its embedded PostgreSQL and Redis come from Maven test artifacts), in
# target/test-classpath.txt, with target/test-classes compiled.
build_test_classpath() {
  ./mvnw -q -B -DskipTests -pl hub test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/target/test-classpath.txt"
}

# Starts hub NAME in the background with its own ports, data directory and log, plus the given WEDSYNC_HUB_ settings.
# Only keys conf/hub.json has may be set (the hub refuses unknown WEDSYNC_HUB_ variables).
start_hub() {
  local name=$1; shift
  next_port; HUB_HTTP[$name]=$PORT
  next_port; HUB_PG[$name]=$PORT
  mkdir -p "$WORK/$name"
  local envs=(
    "WEDSYNC_HUB_HTTP_PORT=${HUB_HTTP[$name]}"
    "WEDSYNC_HUB_DATABASE_DATA_DIR=$WORK/$name/pg"
    "WEDSYNC_HUB_DATABASE_EMBEDDED_PORT=${HUB_PG[$name]}"
    "WEDSYNC_HUB_LOG_FORMAT=text"
    "WEDSYNC_HUB_LOG_LEVEL=WARN"
    "WEDSYNC_HUB_FORMS_SPILL_DIR=$WORK/$name/spill"
    # The load generator is thousands of clients on a few loopback addresses: lift the per-address and per-user
    # connection limits, which guard a real deployment against one client, not a benchmark.
    "WEDSYNC_HUB_SOCKET_MAX_CONNECTIONS_PER_IP=10000000"
    "WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_IP=1000000" "WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_IP=1000000"
    "WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_USER=1000000" "WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_USER=1000000"
    "$@"
  )
  echo "hub for $name: java ${BENCH_HUB_JAVA_OPTS:-} -jar target/hub.jar (a copy)," \
    "one node, fresh embedded PostgreSQL, demo data, with"
  for kv in "${envs[@]}"; do echo "  $kv"; done
  # shellcheck disable=SC2086  # JAVA_OPTS-style variables are word lists on purpose
  env "${envs[@]}" java ${BENCH_HUB_JAVA_OPTS:-} -jar "$JAR" >"$WORK/$name/hub.log" 2>&1 &
  HUB_PID[$name]=$!
}

wait_ready() {
  local name=$1 url="http://127.0.0.1:${HUB_HTTP[$1]}/ready"
  for _ in $(seq 1 240); do
    if curl -sf -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "${HUB_PID[$name]}" 2>/dev/null; then
      echo "$BENCH_NAME: hub $name exited during start-up; its log:" >&2
      cat "$WORK/$name/hub.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "$BENCH_NAME: hub $name was not ready within 120 s; its log:" >&2
  tail -n 50 "$WORK/$name/hub.log" >&2
  exit 1
}


# Prints each hub's log warnings and errors (the start-up warning about the dev secret is expected); with a non-zero
# first argument (the benchmark's exit code) also the last lines of each log.
report_hub_logs() {
  local rc=$1 name warnings
  for name in "${!HUB_PID[@]}"; do
    [ -f "$WORK/$name/hub.log" ] || continue
    warnings=$(grep -E ' (WARN|ERROR) ' "$WORK/$name/hub.log" | grep -v 'development JWT secret' || true)
    if [ -n "$warnings" ]; then
      echo "hub for $name, log warnings and errors ($(printf '%s\n' "$warnings" | wc -l) lines, first 20):"
      printf '%s\n' "$warnings" | head -n 20 | sed 's/^/  /'
    else
      echo "hub for $name: no warnings or errors in its log"
    fi
    if [ "$rc" -ne 0 ]; then
      echo "$BENCH_NAME: the benchmark failed (exit $rc); last lines of the $name hub's log:" >&2
      tail -n 30 "$WORK/$name/hub.log" >&2
    fi
  done
}

# Builds the two jars — target/hub.jar (the server) and bench/target/bench.jar (the load generator) — when either is
# missing, older than a source file, the bench jar lacks the benchmark class $1 (a path in the jar), or --rebuild was
# given ($2 = 1). (No grep -q: with pipefail, unzip would die of SIGPIPE when grep stops early.)
ensure_jar() {
  if [ "$2" = 1 ] || [ ! -f target/hub.jar ] || [ ! -f bench/target/bench.jar ] \
     || [ -n "$(find src/main conf pom.xml hub/pom.xml -newer target/hub.jar | head -n 1)" ] \
     || [ -n "$(find bench/src/main bench/pom.xml target/hub.jar -newer bench/target/bench.jar | head -n 1)" ] \
     || ! { unzip -l bench/target/bench.jar 2>/dev/null || jar tf bench/target/bench.jar 2>/dev/null; } \
       | grep "$1" >/dev/null; then
    echo "building target/hub.jar and bench/target/bench.jar ..." >&2
    ./mvnw -q -B -DskipTests -Dimage.skip package
  fi
}
