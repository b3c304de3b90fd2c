/**
 * End to end against a running local stack (`venue-analytics up --simulate`),
 * run by scripts/typescript-publisher-test.sh: publishes with the package to a
 * fresh venue, then polls the dashboard API until its totals equal the sums of
 * what was published (a purchase sent twice counts once).
 *
 *   BASE_URL          the API (default http://127.0.0.1:3000)
 *   ANALYTICS_TOKEN   admin JWT (`venue-analytics token --admin`)
 *   AWS_ENDPOINT_URL  the emulator; queues are `${AWS_ENDPOINT_URL}/123456789012/<type>`
 *   E2E_TIMEOUT_S     how long to wait for the totals (default 60)
 */

import { randomBytes } from "node:crypto";

import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";

import {
  pageViewEvent,
  Publisher,
  purchaseEvent,
  refundEvent,
  scanEvent,
  venueUpdateEvent,
  type CloudEvent,
  type TicketPurchaseEvent,
} from "@venue-analytics/publisher";

const baseUrl = (process.env.BASE_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
const token = process.env.ANALYTICS_TOKEN ?? fail("ANALYTICS_TOKEN is not set");
const endpoint = process.env.AWS_ENDPOINT_URL ?? fail("AWS_ENDPOINT_URL is not set");
const timeoutMs = Number(process.env.E2E_TIMEOUT_S ?? 60) * 1000;

function fail(message: string): never {
  console.error(`typescript-publisher-test: ${message}`);
  process.exit(1);
}

const venueId = `venue-ts-${randomBytes(4).toString("hex")}`;
const show = `show-${venueId}`;
// A minute ago: inside the API's "last hour" and never in the future.
const time = new Date(Date.now() - 60_000);
const sqs = new SQSClient({});
const publisher = new Publisher({ client: sqs, queueUrlPrefix: `${endpoint.replace(/\/+$/, "")}/123456789012` });

const venue = venueUpdateEvent(
  { venueId, name: "TypeScript Test Hall", timezone: "America/New_York", currency: "USD", capacity: 800 },
  { source: "venue-service", key: `${venueId}-r1`, time },
);
const orders: [amount: number, quantity: number][] = [
  [4500, 1],
  [9000, 2],
  [13_500, 3],
  [2999, 1],
  [12_000, 4],
];
const purchases: TicketPurchaseEvent[] = orders.map(([amount, quantity], i) =>
  purchaseEvent(
    {
      orderId: `ord-${venueId}-${i}`,
      ticketId: `tkt-${venueId}-${i}`,
      eventId: show,
      venueId,
      userId: `user-${i}`,
      amount,
      currency: "USD",
      quantity,
      tier: "GA",
      channel: "web",
    },
    { source: "ticket-service", time },
  ),
);
const scans = [
  ...purchases.slice(0, 3).map((p, i) => ["admitted", p.data.ticketId, i] as const),
  ["duplicate", purchases[0]!.data.ticketId, 3] as const,
].map(([result, ticketId, i]) =>
  scanEvent(
    { ticketId, eventId: show, venueId, entryPoint: "North Gate", result },
    { source: "scanning-service", key: `${venueId}-${i}`, time },
  ),
);
const views = [0, 1, 2].map((i) =>
  pageViewEvent(
    { sessionId: `sess-${venueId}-${i}`, path: `/events/${show}`, venueId, eventId: show },
    { source: "frontend", key: `${venueId}-${i}`, time },
  ),
);

// A partial refund of order 1, a chargeback on order 4 that opens and is won
// (money back), and a cancellation of order 3: net = gross − 4500 − 2999.
const refunds = [
  refundEvent(
    { orderId: `ord-${venueId}-1`, eventId: show, venueId, userId: "user-1", amount: 4500, currency: "USD", quantity: 1, reason: "refund" },
    { source: "payment-service", key: `${venueId}-r1`, time },
  ),
  refundEvent(
    { orderId: `ord-${venueId}-4`, eventId: show, venueId, userId: "user-4", amount: 12_000, currency: "USD", quantity: 4, reason: "chargeback", status: "opened" },
    { source: "payment-service", key: `${venueId}-cb-opened`, time },
  ),
  refundEvent(
    { orderId: `ord-${venueId}-4`, eventId: show, venueId, userId: "user-4", amount: 12_000, currency: "USD", quantity: 4, reason: "chargeback", status: "won" },
    { source: "payment-service", key: `${venueId}-cb-won`, time },
  ),
  refundEvent(
    { orderId: `ord-${venueId}-3`, eventId: show, venueId, userId: "user-3", amount: 2999, currency: "USD", quantity: 1, reason: "cancellation" },
    { source: "payment-service", key: `${venueId}-c3`, time },
  ),
];

const expected = {
  netRevenue: orders.reduce((n, [amount]) => n + amount, 0) - 4500 - 2999,
  netTicketsSold: orders.reduce((n, [, quantity]) => n + quantity, 0) - 2,
  refunds: refunds.length,
  revenue: orders.reduce((n, [amount]) => n + amount, 0),
  ticketsSold: orders.reduce((n, [, quantity]) => n + quantity, 0),
  orders: orders.length,
  admitted: scans.filter((s) => s.data.result === "admitted").length,
  duplicateScans: scans.filter((s) => s.data.result === "duplicate").length,
  pageViews: views.length,
};

async function send(label: string, events: CloudEvent[]) {
  const r = await publisher.publishBatch(events);
  if (r.failed.length) fail(`${label}: not published: ${JSON.stringify(r.failed)}`);
  console.log(`published ${label}: ${r.sent} event(s) in ${r.calls} call(s)`);
}

interface Summary {
  currency: string;
  timezone: string;
  revenue: { amount: number; currency: string };
  netRevenue: { amount: number; currency: string };
  refunds: { count: number };
  ticketsSold: number;
  netTicketsSold: number;
  orders: number;
  scans: { admitted: number; rejected: number; duplicate: number };
  pageViews: number;
}

const actual = (s: Summary) => ({
  netRevenue: s.netRevenue?.amount,
  netTicketsSold: s.netTicketsSold,
  refunds: s.refunds?.count,
  revenue: s.revenue.amount,
  ticketsSold: s.ticketsSold,
  orders: s.orders,
  admitted: s.scans.admitted,
  duplicateScans: s.scans.duplicate,
  pageViews: s.pageViews,
});

// The venue's currency and zone come from its venue-update, which may land after the first sales.
const matches = (s: Summary) =>
  JSON.stringify(actual(s)) === JSON.stringify(expected) && s.currency === "USD" && s.timezone === "America/New_York";

async function dashboard(): Promise<{ status: number; body?: Summary; text?: string }> {
  const res = await fetch(`${baseUrl}/api/dashboards/${encodeURIComponent(venueId)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) return { status: res.status, text: (await res.text()).slice(0, 300) };
  return { status: res.status, body: (await res.json()) as Summary };
}

/** Whether ingest has taken every message off the queue (so the re-send was consumed too). */
async function drained(queueUrl: string): Promise<boolean> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0";
}

const started = Date.now();
// The venue first, so its first events land on the right local day at once.
await send("venue-update", [venue]);
await send(`${purchases.length} purchases, ${scans.length} scans, ${views.length} page views, ${refunds.length} refunds`, [
  ...purchases,
  ...scans,
  ...views,
  ...refunds,
]);
// A re-send (as after a crash before the outbox row was marked): same source + id, counted once.
await publisher.publish(purchases[1]!);
console.log(`re-sent ${purchases[1]!.id}`);
console.log(`venue ${venueId}: expecting ${JSON.stringify(expected)}`);

let last: Awaited<ReturnType<typeof dashboard>> | undefined;
let lastError: unknown;
while (Date.now() - started < timeoutMs) {
  try {
    last = await dashboard();
    lastError = undefined;
    // Matching once is not enough: the re-sent purchase may still be queued.
    // Only totals that still match once its queue is empty prove it counted once.
    if (last.body && matches(last.body) && (await drained(publisher.queueUrl("ticket-purchase")))) {
      last = await dashboard();
      if (last.body && matches(last.body)) {
        console.log(
          `dashboard matches after ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(actual(last.body))}`,
        );
        process.exit(0);
      }
    }
  } catch (err) {
    lastError = err;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
const shown = (s: Summary) => JSON.stringify({ ...actual(s), currency: s.currency, timezone: s.timezone });
const wanted = JSON.stringify({ ...expected, currency: "USD", timezone: "America/New_York" });
fail(
  `after ${timeoutMs / 1000} s GET ${baseUrl}/api/dashboards/${venueId} ` +
    (lastError
      ? `failed: ${String(lastError)} (is the stack up at BASE_URL?)`
      : last?.body
        ? `shows ${shown(last.body)}, expected ${wanted}`
        : `answers ${last?.status}: ${last?.text}`),
);
