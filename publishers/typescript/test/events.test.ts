import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";

import {
  cartUpdateEvent,
  EVENT_TYPES,
  eventId,
  eventProblems,
  idProblem,
  InvalidEventError,
  Publisher,
  purchaseEvent,
  venueUpdateEvent,
  type CloudEvent,
  type TicketPurchase,
} from "../src/index.js";
import { FakeSqs, QUEUES } from "./fake-sqs.js";
import { purchase, TIME } from "./samples.js";

const SAMPLES = new URL("../../../../events/cloudevents/", import.meta.url);

const order: TicketPurchase = {
  orderId: "ord-1001",
  ticketId: "tkt-5001",
  eventId: "show-2026-11-28",
  venueId: "venue-riverside",
  userId: "user-42",
  amount: 9000,
  currency: "USD",
  quantity: 2,
  tier: "GA",
  channel: "web",
  campaignId: "fall-promo",
};

describe("event builders", () => {
  it("purchaseEvent builds the contract's envelope with id purchase-{orderId}", () => {
    const e = purchaseEvent(order, { source: "ticket-service", time: "2026-11-24T19:02:11Z" });
    const sample = JSON.parse(readFileSync(new URL("ticket-purchase.json", SAMPLES), "utf8"));
    assert.deepEqual(e, { ...sample, id: "purchase-ord-1001" });
    assert.equal(
      JSON.stringify(e),
      JSON.stringify({ ...sample, id: "purchase-ord-1001" }),
      "same key order as the sample",
    );
  });

  it("ids are deterministic and time defaults to now in RFC 3339", () => {
    const before = Date.now();
    const a = purchaseEvent(order, { source: "ticket-service" });
    const b = purchaseEvent(order, { source: "ticket-service", time: new Date(0) });
    assert.equal(a.id, b.id);
    assert.match(a.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Date.parse(a.time) >= before - 1 && Date.parse(a.time) <= Date.now());
    assert.equal(b.time, "1970-01-01T00:00:00.000Z");
    assert.equal(eventId("ticket-scan", "tkt-1-gate"), "scan-tkt-1-gate");
    assert.equal(
      venueUpdateEvent({ venueId: "v-1", timezone: "Europe/Paris" }, { source: "venue-service", key: "v-1-r3" }).id,
      "venue-v-1-r3",
    );
  });

  it("refuses ids outside the grammar", () => {
    for (const bad of [
      "",
      "has space",
      "a#b",
      "a*b",
      "tab\there",
      "nul\u0000",
      "c1\u0085",
      "x".repeat(129),
      "nbsp\u00a0",
    ]) {
      assert.ok(idProblem(bad), `${JSON.stringify(bad)} accepted`);
    }
    for (const good of ["ord-1", "ünïcode", "😀".repeat(128), "a:b/c@d", "x".repeat(128)]) {
      assert.equal(idProblem(good), undefined, good);
    }
    assert.throws(() => eventId("ticket-purchase", "ord 1"), InvalidEventError);
    assert.throws(() => eventId("ticket-purchase", "x".repeat(120)), /at most 128/, "prefix counts toward the limit");
    assert.throws(
      () => purchaseEvent({ ...order, venueId: "venue#1" }, { source: "ticket-service" }),
      (err: unknown) =>
        err instanceof InvalidEventError && err.eventId === "purchase-ord-1001" && /data\.venueId/.test(err.message),
    );
    assert.throws(() => purchaseEvent(order, { source: "ticket service" }), /source contains U\+0020/);
    assert.throws(
      () =>
        venueUpdateEvent(
          { venueId: "v", shows: [{ eventId: "show*", name: "n", startsAt: TIME }] },
          { source: "s", key: "k" },
        ),
      /data\.shows\[0\]\.eventId/,
    );
  });

  it("refuses money that is not integer minor units of an upper-case currency", () => {
    const problems = (data: Partial<TicketPurchase>) =>
      eventProblems({ ...purchase(1), data: { ...purchase(1).data, ...data } });
    assert.deepEqual(problems({}), []);
    assert.match(problems({ amount: 45.5 }).join(), /data\.amount must be an integer/);
    assert.match(problems({ amount: -1 }).join(), /data\.amount must be ≥ 0/);
    assert.match(problems({ amount: 1e13 }).join(), /data\.amount must be ≤/);
    assert.match(problems({ currency: "usd" }).join(), /data\.currency/);
    assert.match(problems({ currency: "US" }).join(), /data\.currency/);
    assert.match(problems({ quantity: 1.5 }).join(), /data\.quantity/);
    assert.throws(
      () =>
        cartUpdateEvent(
          { cartId: "c", userId: "u", eventId: "s", venueId: "v", action: "add", cartValue: -5, currency: "EUR" },
          { source: "order-service", key: "c-1" },
        ),
      /cartValue/,
    );
    assert.throws(
      () => purchaseEvent(order, { source: "ticket-service", time: "yesterday" }),
      /time must be an RFC 3339 date-time/,
    );
  });

  it("accepts every sample in events/cloudevents", () => {
    const files = readdirSync(SAMPLES).filter((f) => f.endsWith(".json"));
    // One sample per event type.
    assert.equal(files.length, EVENT_TYPES.length);
    for (const f of files) {
      assert.deepEqual(eventProblems(JSON.parse(readFileSync(new URL(f, SAMPLES), "utf8"))), [], f);
    }
  });

  it("publishBatch refuses an invalid event before sending anything", async () => {
    const sqs = new FakeSqs();
    const bad = { ...purchase(2), id: "purchase ord 2" } satisfies CloudEvent;
    await assert.rejects(
      new Publisher({ client: sqs, queueUrls: QUEUES }).publishBatch([purchase(1), bad]),
      (err: unknown) => err instanceof InvalidEventError && err.index === 1 && err.eventId === "purchase ord 2",
    );
    assert.equal(sqs.calls.length, 0);
  });
});
