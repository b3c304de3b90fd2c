import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { backoffCeiling, backoffDelay, DEFAULT_RETRY, NotPublishedError, Publisher } from "../src/index.js";
import { FakeSqs, noSleep, QUEUES } from "./fake-sqs.js";
import { purchase } from "./samples.js";

const events = (n: number) => Array.from({ length: n }, (_, i) => purchase(i));

describe("retry", () => {
  it("re-sends only the entries that failed with SenderFault false, until they succeed", async () => {
    // m1 is throttled on calls 1 and 2, m3 on call 1.
    const throttled: Record<string, number[]> = { m1: [1, 2], m3: [1] };
    const sqs = new FakeSqs((e, call) =>
      throttled[e.Id]?.includes(call) ? { code: "ThrottlingException", senderFault: false } : undefined,
    );
    const delays: number[] = [];
    const result = await new Publisher({
      client: sqs,
      queueUrls: QUEUES,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
    }).publishBatch(events(5));
    assert.deepEqual(sqs.shape, [["m0", "m1", "m2", "m3", "m4"], ["m1", "m3"], ["m1"]]);
    // The retried bodies are the same bytes: the same CloudEvent, the same id.
    assert.equal(sqs.calls[2]!.entries[0]!.MessageBody, sqs.calls[0]!.entries[1]!.MessageBody);
    assert.equal(result.sent, 5);
    assert.equal(result.calls, 3);
    assert.equal(result.retried, 3);
    assert.deepEqual(
      result.results.map((r) => r.attempts),
      [1, 3, 1, 2, 1],
    );
    // Full jitter with random() = 0.5: half of 100 ms, then half of 200 ms.
    assert.deepEqual(delays, [50, 100]);
  });

  it("reports SenderFault true as a permanent failure without retrying it", async () => {
    const sqs = new FakeSqs((e) =>
      e.Id === "m2" ? { code: "InvalidMessageContents", senderFault: true, message: "bad body" } : undefined,
    );
    let slept = 0;
    const result = await new Publisher({
      client: sqs,
      queueUrls: QUEUES,
      sleep: async () => void slept++,
    }).publishBatch(events(3));
    assert.equal(sqs.calls.length, 1);
    assert.equal(slept, 0, "no backoff for a sender fault");
    assert.equal(result.sent, 2);
    assert.deepEqual(result.failed, [
      {
        index: 2,
        id: "purchase-ord-2",
        type: "ticket-purchase",
        queueUrl: QUEUES["ticket-purchase"],
        status: "failed",
        attempts: 1,
        error: { code: "InvalidMessageContents", message: "bad body", senderFault: true },
      },
    ]);
  });

  it("gives up after maxAttempts, backing off before each retry", async () => {
    const sqs = new FakeSqs((e) => (e.Id === "m0" ? { code: "InternalError", senderFault: false } : undefined));
    const delays: number[] = [];
    const result = await new Publisher({
      client: sqs,
      queueUrls: QUEUES,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.999,
    }).publishBatch(events(2));
    assert.equal(result.calls, 4);
    assert.equal(result.retried, 3);
    assert.deepEqual(
      result.failed.map((f) => [f.id, f.attempts, f.error?.code, f.error?.senderFault]),
      [["purchase-ord-0", 4, "InternalError", false]],
    );
    assert.deepEqual(delays, [99, 199, 249], "ceilings 100, 200, then capped at 250");
  });

  it("publish() resolves when sent and throws NotPublishedError with the reason otherwise", async () => {
    const ok = await new Publisher({ client: new FakeSqs(), queueUrls: QUEUES }).publish(purchase(1));
    assert.equal(ok.status, "sent");
    const refusing = new FakeSqs(() => ({ code: "InvalidMessageContents", senderFault: true }));
    await assert.rejects(
      new Publisher({ client: refusing, queueUrls: QUEUES }).publish(purchase(1)),
      (err: unknown) =>
        err instanceof NotPublishedError &&
        err.result.error?.code === "InvalidMessageContents" &&
        /purchase-ord-1/.test(err.message),
    );
  });

  it("fails every entry of a call that throws (after the SDK's own retries), and the other calls still go", async () => {
    let call = 0;
    const sqs = new FakeSqs();
    const client = {
      send: async (...args: Parameters<FakeSqs["send"]>) => {
        if (++call === 1)
          throw Object.assign(new Error("no such queue"), { name: "QueueDoesNotExist", $fault: "client" });
        return sqs.send(...args);
      },
    };
    const result = await new Publisher({ client, queueUrls: QUEUES, concurrency: 1 }).publishBatch(events(12));
    assert.equal(result.sent, 2);
    assert.equal(result.failed.length, 10);
    assert.deepEqual(result.failed[0]!.error, {
      code: "QueueDoesNotExist",
      message: "no such queue",
      senderFault: true,
    });
  });

  it("full jitter stays in [0, ceiling) and ceilings double up to the cap", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((r) => backoffCeiling(DEFAULT_RETRY, r)),
      [100, 200, 400, 800, 1600, 3200, 5000],
    );
    assert.equal(backoffCeiling(DEFAULT_RETRY, 2000), 5000, "no overflow past the cap");
    for (let retry = 1; retry <= 8; retry++) {
      for (const r of [0, 0.25, 0.9999]) {
        const d = backoffDelay(DEFAULT_RETRY, retry, () => r);
        assert.ok(d >= 0 && d < backoffCeiling(DEFAULT_RETRY, retry), `${d}`);
      }
    }
    assert.equal(
      backoffDelay(DEFAULT_RETRY, 3, () => 0),
      0,
    );
  });
});
