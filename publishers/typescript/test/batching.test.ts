import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MAX_PAYLOAD_BYTES, MessageTooLargeError, planBatches, Publisher } from "../src/index.js";
import { FakeSqs, noSleep, QUEUES } from "./fake-sqs.js";
import { bigView, purchase, scan } from "./samples.js";

const publisher = (sqs: FakeSqs) => new Publisher({ client: sqs, queueUrls: QUEUES, sleep: noSleep, concurrency: 1 });

describe("batching", () => {
  it("sends 25 events in 3 calls of 10, 10 and 5 with positional entry Ids", async () => {
    const sqs = new FakeSqs();
    const events = Array.from({ length: 25 }, (_, i) => purchase(i));
    const result = await publisher(sqs).publishBatch(events);
    assert.deepEqual(
      sqs.calls.map((c) => c.entries.length),
      [10, 10, 5],
    );
    assert.deepEqual(
      sqs.shape.flat(),
      events.map((_, i) => `m${i}`),
    );
    assert.ok(sqs.calls.every((c) => c.queueUrl === QUEUES["ticket-purchase"]));
    assert.deepEqual(
      sqs.calls.flatMap((c) => c.entries.map((e) => e.MessageBody)),
      events.map((e) => JSON.stringify(e)),
      "bodies are the events' JSON, in order",
    );
    assert.equal(result.sent, 25);
    assert.equal(result.calls, 3);
    assert.deepEqual(result.failed, []);
    assert.deepEqual(
      result.results.map((r) => r.id),
      events.map((e) => e.id),
    );
    assert.ok(result.results.every((r) => r.status === "sent" && r.attempts === 1 && r.messageId));
  });

  it("closes a call before its bodies would pass 256 KiB", async () => {
    const sqs = new FakeSqs();
    // 100 KiB each: two fit in one call (200 KiB), three would not.
    const events = Array.from({ length: 5 }, (_, i) => bigView(i, 100 * 1024));
    await publisher(sqs).publishBatch(events);
    assert.deepEqual(sqs.shape, [["m0", "m1"], ["m2", "m3"], ["m4"]]);
    for (const c of sqs.calls) {
      const bytes = c.entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody), 0);
      assert.ok(bytes <= MAX_PAYLOAD_BYTES, `${bytes} bytes in one call`);
    }
  });

  it("sends a body of exactly 256 KiB alone, and small ones around it together", () => {
    const plan = planBatches([
      { queueUrl: "q", body: "{}", id: "a" },
      { queueUrl: "q", body: "x".repeat(MAX_PAYLOAD_BYTES), id: "b" },
      { queueUrl: "q", body: "{}", id: "c" },
    ]);
    assert.deepEqual(
      plan.map((b) => b.entries.map((e) => e.entryId)),
      [["m0"], ["m1"], ["m2"]],
    );
  });

  it("counts UTF-8 bytes, not characters", () => {
    const euro = "€".repeat(50 * 1024); // 150 KiB of UTF-8 in 50 Ki characters
    const plan = planBatches([
      { queueUrl: "q", body: euro, id: "a" },
      { queueUrl: "q", body: euro, id: "b" },
    ]);
    assert.equal(plan.length, 2);
  });

  it("groups mixed types by queue, keeping entry Ids unique across the whole input", async () => {
    const sqs = new FakeSqs();
    await publisher(sqs).publishBatch([purchase(0), scan(0), purchase(1), scan(1)]);
    assert.deepEqual(
      sqs.calls.map((c) => [c.queueUrl, c.entries.map((e) => e.Id)]),
      [
        [QUEUES["ticket-purchase"], ["m0", "m2"]],
        [QUEUES["ticket-scan"], ["m1", "m3"]],
      ],
    );
  });

  it("may carry the same event twice in one call (entry Ids are positions, not event ids)", async () => {
    const sqs = new FakeSqs();
    const result = await publisher(sqs).publishBatch([purchase(7), purchase(7)]);
    assert.deepEqual(sqs.shape, [["m0", "m1"]]);
    assert.equal(result.sent, 2);
  });

  it("refuses a body over 256 KiB before sending anything, naming the event id", async () => {
    const sqs = new FakeSqs();
    const huge = bigView(9, MAX_PAYLOAD_BYTES + 1);
    await assert.rejects(publisher(sqs).publishBatch([purchase(1), huge]), (err: unknown) => {
      assert.ok(err instanceof MessageTooLargeError);
      assert.equal(err.eventId, "view-big-9");
      assert.equal(err.bytes, MAX_PAYLOAD_BYTES + 1);
      assert.match(err.message, /view-big-9/);
      assert.match(err.message, /256 KiB/);
      return true;
    });
    assert.equal(sqs.calls.length, 0);
  });

  it("sends calls concurrently but reports in input order", async () => {
    const sqs = new FakeSqs();
    const events = Array.from({ length: 35 }, (_, i) => (i % 2 ? purchase(i) : scan(i)));
    const result = await new Publisher({ client: sqs, queueUrls: QUEUES, concurrency: 4 }).publishBatch(events);
    assert.equal(sqs.calls.length, 4);
    assert.deepEqual(
      result.results.map((r) => r.index),
      events.map((_, i) => i),
    );
    assert.deepEqual(
      result.results.map((r) => r.type),
      events.map((e) => e.type),
    );
  });
});
