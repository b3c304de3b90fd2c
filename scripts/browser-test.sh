#!/usr/bin/env bash
# Headless-Chromium test of the dashboard against a running local stack
# (`venue-analytics up --simulate`): the KPIs must equal the API's numbers and a
# purchase published while the page is open must appear without a reload.
# Screenshots land in artifacts/ (or ARTIFACTS_DIR).
#
#   BASE_URL        the stack's API (default http://127.0.0.1:3000)
#   AWS_ENDPOINT_URL the stack's emulator, for `venue-analytics publish` (default 127.0.0.1:4566)
#   VENUE_ID        a venue with data (default venue-riverside)
#   ANALYTICS_TOKEN admin JWT (default: `venue-analytics token --admin`)
#   VIEWER_TOKEN    viewer JWT of VENUE_ID, what the sign-in test's fake identity provider issues
#   PUBLISH_AMOUNT  minor units of the live purchase (default 4321)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/debug/venue-analytics"
[ -x "$bin" ] || cargo build -p venue-analytics

export BASE_URL="${BASE_URL:-http://127.0.0.1:3000}"
export VENUE_ID="${VENUE_ID:-venue-riverside}"
export PUBLISH_AMOUNT="${PUBLISH_AMOUNT:-4321}"
export ARTIFACTS_DIR="${ARTIFACTS_DIR:-$root/artifacts}"
export ANALYTICS_TOKEN="${ANALYTICS_TOKEN:-$("$bin" token --admin 2>/dev/null)}"
export VIEWER_TOKEN="${VIEWER_TOKEN:-$("$bin" token --venue "$VENUE_ID" --role viewer 2>/dev/null)}"
mkdir -p "$ARTIFACTS_DIR"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The purchase goes to the venue's first show (or a fresh one) in the venue's currency.
curl -fsS -H "Authorization: Bearer $ANALYTICS_TOKEN" "$BASE_URL/api/dashboards/$VENUE_ID" >"$work/dashboard.json" \
  || { echo "GET $BASE_URL/api/dashboards/$VENUE_ID failed: is the stack up (venue-analytics up --simulate)?" >&2; exit 1; }
curl -fsS -H "Authorization: Bearer $ANALYTICS_TOKEN" "$BASE_URL/api/venues" >"$work/venues.json"
currency="$(jq -r '.revenue.currency // "USD"' "$work/dashboard.json")"
show="$(jq -r --arg v "$VENUE_ID" '[.venues[] | select(.venueId == $v) | .shows[]?.eventId][0] // "show-browser-test"' "$work/venues.json")"
id="$(cat /proc/sys/kernel/random/uuid)"
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
jq -cn --arg id "$id" --arg time "$now" --arg venue "$VENUE_ID" --arg show "$show" \
  --arg currency "$currency" --argjson amount "$PUBLISH_AMOUNT" '{
    specversion: "1.0", id: $id, source: "browser-test", type: "ticket-purchase", time: $time,
    datacontenttype: "application/json",
    data: { orderId: ("ord-" + $id), ticketId: ("tkt-" + $id), eventId: $show, venueId: $venue,
            userId: "user-browser-test", amount: $amount, currency: $currency, quantity: 1,
            tier: "GA", channel: "web" } }' >"$work/purchase.ndjson"
export PUBLISH_CMD="'$bin' publish '$work/purchase.ndjson'"
echo "live purchase: $PUBLISH_AMOUNT $currency minor units for $VENUE_ID / $show"

cd "$root/tests/browser"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node --test
echo "screenshots: $ARTIFACTS_DIR"
