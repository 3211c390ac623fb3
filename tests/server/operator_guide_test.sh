#!/usr/bin/env bash
# Follows docs/operator-guide.md end to end: extracts its ```sh blocks, in
# order, and runs them as one script in a fresh directory, with the built
# oidfed first on PATH and a free loopback port. Any failing command fails
# the test; the server is stopped whatever happens.
set -euo pipefail
guide="$1"
cli="$2"
work=$(mktemp -d)
# Stops the server if it still runs, waits for it to go, then removes the
# work directory. Never fails: under set -e a failing command here (a kill of
# a server that had already exited) would turn a passing run into exit 1.
cleanup() {
  local pid
  if pid=$(cat "$work/federation/serve.pid" 2>/dev/null); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work" || true
}
trap cleanup EXIT

# A port nothing listens on, below the ephemeral range (32768 and up), where
# the local ends of the other tests' client connections would make the bind
# fail.
for _ in $(seq 1 50); do
  port=$((20000 + RANDOM % 12000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done

awk '/^```sh$/ {inside = 1; next} /^```$/ {inside = 0; next} inside {print}' "$guide" > "$work/guide.sh"
[ -s "$work/guide.sh" ] || { echo "no sh blocks in $guide" >&2; exit 1; }

cd "$work"
export PATH="$(dirname "$cli"):$PATH"
export PORT="$port"
bash -euo pipefail guide.sh > output.txt 2>&1 || { cat output.txt; cat federation/serve.log 2>/dev/null; exit 1; }
cat output.txt
# What the guide promises a reader sees:
grep -q "verdict: valid" output.txt
grep -q '"private_key_jwt"' output.txt
grep -q "signature: verified" output.txt
grep -q 'oidfed_reloads_total{result="ok"} 9' output.txt
grep -q 'key_retired' output.txt
# The trust mark chapter: a valid mark and its status, the expired
# delegation seen by /readyz and the trust mark endpoint, the revocation.
grep -q '"status": *"active"\|status: *active\|^active' output.txt
grep -q '"kind":"delegation"' output.txt
grep -q 'trust mark endpoint: 404' output.txt
grep -q '(exit 1: the mark is revoked)' output.txt
