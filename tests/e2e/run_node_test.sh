#!/usr/bin/env bash
# Runs one node end-to-end test script of tests/e2e (meson suite e2e) once
# its prerequisites are there: Node.js >= 20.19 (the machine's own or the one
# in tests/e2e/runtime, as tests/e2e/e2e-node picks) and the npm packages
# that scripts/install-e2e-deps installs from package-lock.json (scripts/test
# runs it). Without them the test is skipped (exit 77), except in CI
# (CI=true), where that is a failure: the suite must run there.
set -euo pipefail
script="$1"
shift
here="$(cd "$(dirname "$0")" && pwd)"

missing() {
  if [ "${CI:-}" = "true" ]; then
    echo "e2e: $1: failing, as in CI the e2e suite must run" >&2
    exit 1
  fi
  echo "e2e: $1: skipped" >&2
  exit 77
}

node=$("$here/e2e-node" 2>/dev/null) || missing "$("$here/e2e-node" 2>&1 || true)"
if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  missing "the npm packages of tests/e2e are not installed or older than package-lock.json (run scripts/install-e2e-deps)"
fi
exec "$node" "$script" "$@"
