# Sourced by scripts/test and scripts/sanitize (not run on its own): starts a
# private redis-server on a free loopback port for the Redis test suites and
# exports OIDFED_TEST_REDIS. Without redis-server the Redis suites skip,
# except in CI, where that is an error.
#
#   source scripts/test-redis.sh
#   start_test_redis        # also arranges for stop_test_redis at exit
#   ...
#   stop_test_redis         # optional, idempotent

test_redis_pid=""

stop_test_redis() {
  if [ -n "$test_redis_pid" ]; then
    kill "$test_redis_pid" 2>/dev/null || true
    wait "$test_redis_pid" 2>/dev/null || true
    test_redis_pid=""
  fi
  unset OIDFED_TEST_REDIS
}

start_test_redis() {
  trap stop_test_redis EXIT
  if command -v redis-server >/dev/null; then
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &
    test_redis_pid=$!
    export OIDFED_TEST_REDIS="redis://127.0.0.1:$port"
  elif [ "${CI:-}" = "true" ]; then
    echo "$(basename "$0"): redis-server is missing in CI" >&2
    exit 1
  fi
}
