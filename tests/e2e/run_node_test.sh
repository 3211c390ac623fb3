#!/usr/bin/env bash
# Runs one node end-to-end test script of tests/e2e (meson suite e2e) once
# its prerequisites are there: Node.js >= 20.19 and the npm packages that
# scripts/install-e2e-deps installs from package-lock.json (scripts/test runs
# it). Without them the test is skipped (exit 77), except in CI (CI=true),
# where that is a failure: the suite must run there.
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

command -v node >/dev/null || missing "node is missing (Node.js >= 20.19 is needed)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  missing "node $(node --version) is too old (>= 20.19 is needed)"
if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  missing "the npm packages of tests/e2e are not installed or older than package-lock.json (run scripts/install-e2e-deps)"
fi
exec node "$script" "$@"
