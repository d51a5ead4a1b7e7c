# Redis 7 for the tests, from Debian's packages, without installing anything on the system.
#
# No Maven artifact carries Redis 7 (the embedded-redis artifact is 6.2), and sharded pub/sub and Redis Cluster tests
# need it. `ensure_redis7` downloads Debian's redis-server and redis-tools with `apt-get download` (no root needed
# when the package lists are there), unpacks them with `dpkg -x` into .tools/redis/ of the repository (git-ignored),
# together with the shared libraries redis-tools depends on (liblzf, libjemalloc, libatomic, ...), and writes two
# wrappers, .tools/redis/bin/redis-server and .tools/redis/bin/redis-cli, that run the unpacked binaries with those
# libraries. The tests (support/RedisBinaries) start those wrappers; nothing in /usr or /etc is touched, no service
# is started.
#
# Usage (from the repository root): . scripts/lib/redis7.sh && ensure_redis7
# Returns non-zero, after saying why and what to do, when it cannot provide Redis 7.

REDIS7_DIR=.tools/redis

redis7_say() { echo "redis7: $*" >&2; }

# The major version a redis-server command prints, 0 when it does not run.
redis7_major() {
  "$@" --version 2>/dev/null | sed -n 's/.*v=\([0-9]*\)\..*/\1/p' | grep . || echo 0
}

# The version apt would download, empty when apt knows none (package lists missing).
redis7_candidate() {
  apt-cache policy redis-server 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)' || true
}

ensure_redis7() {
  local dir="$REDIS7_DIR"
  if [ -x "$dir/bin/redis-server" ] && [ "$(redis7_major "$dir/bin/redis-server")" -ge 7 ] \
      && "$dir/bin/redis-cli" --version >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    if [ "$(redis7_major redis-server)" -ge 7 ] && command -v redis-cli >/dev/null 2>&1; then
      redis7_say "no apt-get here; the tests use redis-server $(redis-server --version | cut -d' ' -f3) from the PATH"
      return 0
    fi
    redis7_say "this machine has no apt-get/dpkg, so Redis 7 cannot be fetched from Debian into $dir."
    redis7_say "Install Redis 7 or newer (redis-server and redis-cli on the PATH; e.g. 'brew install redis'," \
      "'dnf install redis', or a build from https://redis.io/download): the sharded pub/sub and Redis Cluster" \
      "tests (ShardedPubSubTest, RedisClusterTest) use it."
    return 1
  fi
  if [ -z "$(redis7_candidate)" ]; then
    # A fresh machine (or container) has no package lists: apt knows no version of anything yet.
    if [ "$(id -u)" = 0 ]; then
      redis7_say "no apt package lists yet; running apt-get update ..."
      apt-get update -qq >/dev/null || { redis7_say "apt-get update failed"; return 1; }
    else
      redis7_say "apt has no package lists; run 'sudo apt-get update' once, then this again."
      return 1
    fi
  fi
  local candidate major
  candidate="$(redis7_candidate)"
  major="$(echo "$candidate" | sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9]*\)\..*/\2/p')"
  if [ -z "$major" ] || [ "$major" -lt 7 ]; then
    redis7_say "apt offers redis-server '$candidate', the tests need 7 or newer; install Redis 7 yourself" \
      "(redis-server and redis-cli on the PATH)."
    return 1
  fi
  # redis-tools carries the binary (redis-server is a link to redis-check-rdb) and names the libraries it needs;
  # libc6 is the system's own (it must match the dynamic loader), everything else is unpacked beside the binary.
  local libs
  libs="$(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances \
    redis-tools | sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p' | grep -v '^libc6$' | sort -u | tr '\n' ' ')"
  redis7_say "fetching redis-server $candidate (+ redis-tools $libs) into $dir (apt-get download, dpkg -x) ..."
  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2086 # $libs is a list of package names
  if ! (cd "$work" && apt-get download -q redis-server redis-tools $libs >download.log 2>&1); then
    redis7_say "apt-get download failed:"
    cat "$work/download.log" >&2
    rm -rf "$work"
    return 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir/bin"
  local deb
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$dir"; done
  rm -rf "$work"
  # The library folders, relative to $dir (the wrappers find them from where they are, so the checkout may move).
  local libdirs
  libdirs="$(cd "$dir" && find usr lib -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | tr '\n' ' ')"
  local tool
  for tool in redis-server redis-cli; do
    cat >"$dir/bin/$tool" <<EOF
#!/bin/sh
# Written by scripts/lib/redis7.sh: Debian's $tool unpacked in this folder, with the libraries unpacked beside it.
root="\$(cd "\$(dirname "\$0")/.." && pwd)"
libs=
for d in $libdirs; do libs="\$libs\$root/\$d:"; done
LD_LIBRARY_PATH="\$libs\${LD_LIBRARY_PATH:-}" exec "\$root/usr/bin/$tool" "\$@"
EOF
    chmod +x "$dir/bin/$tool"
  done
  local libpath
  libpath="$(for d in $libdirs; do printf '%s:' "$(cd "$dir" && pwd)/$d"; done)"
  local missing
  missing="$(LD_LIBRARY_PATH="$libpath" ldd "$dir/usr/bin/redis-check-rdb" | grep 'not found' || true)"
  if [ -n "$missing" ]; then
    redis7_say "the unpacked redis-server still misses libraries:"
    echo "$missing" >&2
    return 1
  fi
  if [ "$(redis7_major "$dir/bin/redis-server")" -lt 7 ]; then
    redis7_say "$dir/bin/redis-server does not run: $("$dir/bin/redis-server" --version 2>&1)"
    return 1
  fi
  redis7_say "$("$dir/bin/redis-server" --version | cut -d' ' -f1-3) ready in $dir/bin"
}
