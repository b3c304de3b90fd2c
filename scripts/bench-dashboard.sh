#!/usr/bin/env bash
# Benchmark (not a timed test) of GET /api/dashboards/{venue} on the local stack:
#   1. requests/s, p50 and p99 under load with oha (`cargo install oha`; wrk as a fallback);
#   2. DynamoDB round trips per dashboard load, counted on the SDK client by the
#      `a_dashboard_load_costs_at_most_three_dynamodb_round_trips` test run against
#      the same emulator and venue (bar: <= 3).
#
# Without BASE_URL it starts its own stack (moto + `venue-analytics up --simulate`)
# on free ports and stops it afterwards. With BASE_URL, also set AWS_ENDPOINT_URL
# to that stack's emulator.
#
#   DURATION     load duration (default 20s)   CONCURRENCY  connections (default 16)
#   VENUE_ID     venue (default venue-bench when self-started, else venue-riverside)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/debug/venue-analytics"
duration="${DURATION:-20s}"
concurrency="${CONCURRENCY:-16}"
cargo build -p venue-analytics

work="$(mktemp -d)"
stack_pid=""
cleanup() {
  if [ -n "$stack_pid" ]; then
    kill -TERM "$stack_pid" 2>/dev/null || true
    wait "$stack_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ -z "${BASE_URL:-}" ]; then
  venue="${VENUE_ID:-venue-bench}"
  export AWS_ENDPOINT_URL="http://127.0.0.1:$(free_port)"
  export ANALYTICS_HTTP_ADDR="127.0.0.1:$(free_port)"
  base="http://$ANALYTICS_HTTP_ADDR"
  echo "starting a stack: emulator $AWS_ENDPOINT_URL, API $base, simulated venue $venue"
  "$bin" up --simulate --venue "$venue" >"$work/up.log" 2>&1 &
  stack_pid=$!
  for _ in $(seq 600); do
    grep -q '^dashboard: ' "$work/up.log" && break
    kill -0 "$stack_pid" 2>/dev/null || { cat "$work/up.log" >&2; echo "the stack exited" >&2; exit 1; }
    sleep 0.5
  done
  grep -q '^dashboard: ' "$work/up.log" || { tail -20 "$work/up.log" >&2; echo "the simulation did not land within 5 min" >&2; exit 1; }
else
  venue="${VENUE_ID:-venue-riverside}"
  base="$BASE_URL"
  : "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the emulator of the stack at BASE_URL}"
fi

token="$("$bin" token --venue "$venue" 2>/dev/null)"
url="$base/api/dashboards/$venue"
curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$url"

echo "load: GET $url for $duration with $concurrency connections"
if command -v oha >/dev/null; then
  oha -z "$duration" -c "$concurrency" --no-tui --output-format json \
    -H "Authorization: Bearer $token" "$url" >"$work/oha.json"
  rps="$(jq '.summary.requestsPerSec' "$work/oha.json")"
  p50="$(jq '.latencyPercentiles.p50 * 1000' "$work/oha.json")"
  p99="$(jq '.latencyPercentiles.p99 * 1000' "$work/oha.json")"
  ok="$(jq '[.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0' "$work/oha.json")"
  tool=oha
elif command -v wrk >/dev/null; then
  wrk -d "$duration" -c "$concurrency" -t 4 --latency -H "Authorization: Bearer $token" "$url" | tee "$work/wrk.txt"
  to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }'; }
  rps="$(awk '/^Requests\/sec/ { print $2 }' "$work/wrk.txt")"
  p50="$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt" | to_ms)"
  p99="$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt" | to_ms)"
  ok="$(awk '/Non-2xx/ { print $NF }' "$work/wrk.txt")"
  tool=wrk
else
  echo "neither oha (cargo install oha) nor wrk (apt-get install wrk) is installed" >&2
  exit 1
fi

echo "round trips: counting DynamoDB requests of 50 dashboard loads"
ROUND_TRIPS_VENUE="$venue" ROUND_TRIPS_LOADS=50 \
  cargo test -q -p tests --test api_contract a_dashboard_load_costs_at_most_three_dynamodb_round_trips -- --nocapture \
  2>&1 | tee "$work/rt.txt" | grep -E '^ROUND_TRIPS|panicked|FAILED' || true
per_load="$(awk '/^ROUND_TRIPS/ { for (i = 1; i <= NF; i++) if ($i ~ /^per_load=/) { sub(/per_load=/, "", $i); print $i } }' "$work/rt.txt")"

echo
printf 'GET /api/dashboards/%s  (%s, %s, %s connections, debug build, moto emulator)\n' "$venue" "$tool" "$duration" "$concurrency"
printf '  requests/s          %10.1f\n' "$rps"
printf '  p50 latency (ms)    %10.2f\n' "$p50"
printf '  p99 latency (ms)    %10.2f\n' "$p99"
printf '  non-200 responses   %10s\n' "${ok:-0}"
printf '  DynamoDB round trips per load %4s  (bar: <= 3)\n' "${per_load:-?}"
[ -n "$per_load" ] && awk -v n="$per_load" 'BEGIN { exit !(n <= 3) }'
