#!/usr/bin/env bash
# Benchmark (not a timed test) of the API under load on the local stack, with
# the release build: requests/s, p50 and p99 (oha) for the dashboard, metrics
# and customers routes of a venue with CUSTOMERS customers (default 10,000,
# one purchase each over six hours),
# after the nightly insights job has summarised it.
#
# Starts its own stack (moto + `venue-analytics up --simulate`) on free ports,
# publishes one purchase per customer, waits until they are ingested, runs
# `venue-analytics job insights`, loads each route, and stops the stack.
#
#   DURATION     load per route (default 15s)   CONCURRENCY  connections (default 16)
#   CUSTOMERS    customers to seed (default 10000)   PROFILE  cargo profile (default release)
#
# Needs oha (`cargo install --locked oha`; installed here when missing).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
profile="${PROFILE:-release}"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/$profile/venue-analytics"
[ "$profile" = dev ] && bin="$target/debug/venue-analytics"
duration="${DURATION:-15s}"
concurrency="${CONCURRENCY:-16}"
customers="${CUSTOMERS:-10000}"
venue="venue-load"
command -v oha >/dev/null || cargo install --locked oha
cargo build --profile "$profile" -p venue-analytics

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
export AWS_ENDPOINT_URL="http://127.0.0.1:$(free_port)"
export ANALYTICS_HTTP_ADDR="127.0.0.1:$(free_port)"
base="http://$ANALYTICS_HTTP_ADDR"
echo "starting a stack: emulator $AWS_ENDPOINT_URL, API $base, venue $venue"
"$bin" up --simulate --venue "$venue" --quiet >"$work/up.log" 2>&1 &
stack_pid=$!
for _ in $(seq 600); do
  grep -q '^dashboard: ' "$work/up.log" && break
  kill -0 "$stack_pid" 2>/dev/null || { cat "$work/up.log" >&2; echo "the stack exited" >&2; exit 1; }
  sleep 0.5
done
grep -q '^dashboard: ' "$work/up.log" || { tail -20 "$work/up.log" >&2; echo "the simulation did not land within 5 min" >&2; exit 1; }
token="$("$bin" token --venue "$venue" 2>/dev/null)"
admin="$("$bin" token --admin 2>/dev/null)"
get() { curl -fsS -H "Authorization: Bearer $token" "$base$1"; }

echo "seeding $customers customers (one purchase each, over the last 6 hours: the read load is measured, not the ingest)"
python3 - "$venue" "$customers" >"$work/purchases.ndjson" <<'PY'
import json, sys, uuid, datetime as dt
venue, n = sys.argv[1], int(sys.argv[2])
now = dt.datetime.now(dt.timezone.utc)
for i in range(n):
    t = now - dt.timedelta(seconds=(i * 6 * 3600) // n + 60)
    print(json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()), "source": "load-seed",
        "type": "ticket-purchase", "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"orderId": f"load-{i}", "ticketId": f"load-t-{i}", "eventId": "load-show",
                 "venueId": venue, "userId": f"load-fan-{i:05d}", "amount": 2500 + (i % 7) * 500,
                 "currency": "USD", "quantity": 1 + i % 3, "tier": "GA"}}))
PY
"$bin" publish "$work/purchases.ndjson" >/dev/null
started=$(date +%s)
while :; do
  seen="$(curl -fsS -H "Authorization: Bearer $admin" "$base/api/analytics/flows" 2>/dev/null | jq '[.flows[] | select(.source == "load-seed") | .total] | add // 0' || echo 0)"
  [ "$seen" -ge "$customers" ] 2>/dev/null && break
  [ $(( $(date +%s) - started )) -gt 1800 ] && { echo "ingest did not finish within 30 min ($seen of $customers)" >&2; exit 1; }
  sleep 5
done
echo "ingested in $(( $(date +%s) - started )) s; running the insights job"
"$bin" job insights | jq -c '{venues, customers, written, failed}'

printf '\n%-44s %10s %10s %10s %8s\n' "route ($profile build, $concurrency connections, $duration)" "req/s" "p50 ms" "p99 ms" "non-200"
for route in "/api/dashboards/$venue" "/api/metrics/$venue?metric=revenue&granularity=1h" "/api/customers/$venue" "/api/customers/$venue?limit=1000"; do
  get "$route" >/dev/null
  oha -z "$duration" -c "$concurrency" --no-tui --output-format json \
    -H "Authorization: Bearer $token" "$base$route" >"$work/oha.json"
  jq -r --arg r "$route" '[$r, .summary.requestsPerSec, .latencyPercentiles.p50 * 1000, .latencyPercentiles.p99 * 1000,
      ([.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0)]
      | "\(.[0]) \(.[1]) \(.[2]) \(.[3]) \(.[4])"' "$work/oha.json" |
    awk '{ printf "%-44s %10.1f %10.2f %10.2f %8d\n", $1, $2, $3, $4, $5 }'
done
echo
get "/api/customers/$venue?limit=5" | jq -c '{customers: .totals.customers, model: .model.source, page: (.customers | length), next: (.nextCursor != null)}'
