#!/usr/bin/env bash
# Tests the TypeScript publisher (publishers/typescript): its unit tests, its
# emulator test, and an end-to-end run against a running local stack
# (`venue-analytics up --simulate`): events published with the package to a
# fresh venue must show up in GET /api/dashboards/{venueId} with the exact
# totals (a purchase published twice counts once).
#
#   BASE_URL          the stack's API (default http://127.0.0.1:3000)
#   AWS_ENDPOINT_URL  the stack's emulator (default http://127.0.0.1:4566); queues
#                     are ${AWS_ENDPOINT_URL}/123456789012/<type>
#   ANALYTICS_TOKEN   admin JWT (default: `venue-analytics token --admin`)
#   E2E_TIMEOUT_S     seconds to wait for the dashboard totals (default 60)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/debug/venue-analytics"
[ -x "$bin" ] || cargo build -p venue-analytics
pkg="$root/publishers/typescript"

export BASE_URL="${BASE_URL:-http://127.0.0.1:3000}"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export ANALYTICS_TOKEN="${ANALYTICS_TOKEN:-$("$bin" token --admin 2>/dev/null)}"

curl -fsS -o /dev/null "$BASE_URL/health" 2>/dev/null \
  || { echo "no API at $BASE_URL: start the stack first (venue-analytics up --simulate)" >&2; exit 1; }

cd "$pkg"
if [ ! -d node_modules/@aws-sdk/client-sqs ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

start=$SECONDS
# Builds, then the unit tests and (AWS_ENDPOINT_URL is set) the emulator test.
npm test
node dist/e2e/stack.js
echo "typescript publisher: e2e passed in $((SECONDS - start))s"
