#!/usr/bin/env bash
# Runs every test of the project, the way CI does (`.ci/run` calls this).
#
#   1. installs what the tests need (scripts/setup.sh: moto, cfn-lint,
#      schemathesis, Chromium, npm packages)
#   2. checks formatting and clippy (-D warnings)
#   3. builds the workspace once (binaries + tests), starts the emulator
#   4. runs the Rust tests with cargo-nextest (unit, adapter integration tests
#      against the emulator, the Lambda binaries under a Runtime API emulator,
#      cfn-lint on the template)
#   5. brings the local stack up with a simulated show and runs the API
#      contract checks (schemathesis), the browser test and the TypeScript
#      publisher's tests (unit, emulator, end to end) against it
#
# Usage: scripts/test.sh [--quick]   (--quick: Rust tests only, no stack/browser)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export CARGO_TERM_COLOR=never
mkdir -p .local artifacts

step() { printf '\n== %s ==\n' "$*"; }

step "setup"
scripts/setup.sh

step "emulator launcher (differential test against moto's own update and condition path; concurrent SQS deletes)"
.venv/bin/python scripts/test_moto_server.py 2000

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "build"
cargo build --workspace --bins --quiet
cargo nextest run --workspace --no-run --cargo-quiet

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

port="${AWS_ENDPOINT_URL##*:}"; port="${port%%/*}"
if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  step "emulator on :$port"
  .venv/bin/python scripts/moto_server.py -H 127.0.0.1 -p "$port" > .local/moto.log 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
fi

step "rust tests"
cargo nextest run --workspace --no-fail-fast

((quick)) && exit 0

step "local stack with a simulated show"
# A fresh emulator of its own (started by `up`), so the stack holds exactly the simulated night.
export AWS_ENDPOINT_URL="${STACK_ENDPOINT_URL:-http://127.0.0.1:4567}"
export ANALYTICS_HTTP_ADDR="${ANALYTICS_HTTP_ADDR:-127.0.0.1:3000}"
target/debug/venue-analytics up --simulate --quiet > .local/up.log 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do grep -q '^dashboard: ' .local/up.log && break; sleep 0.5; done
grep -q '^dashboard: ' .local/up.log || { cat .local/up.log; echo "the stack did not come up"; exit 1; }
grep '^dashboard: ' .local/up.log

step "flow health"
target/debug/venue-analytics flows

for extra in scripts/schemathesis.sh scripts/browser-test.sh scripts/typescript-publisher-test.sh; do
  if [[ -x "$extra" ]]; then
    step "$extra"
    "$extra"
  fi
done
echo "all checks passed"
