import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SQSClient } from "@aws-sdk/client-sqs";

import { NoQueueUrlError, Publisher, queueUrlEnvVar, queueUrlFor, type SqsSender } from "../src/index.js";
import { FakeSqs } from "./fake-sqs.js";
import { purchase, scan } from "./samples.js";

describe("queue URLs", () => {
  it("come from the map, then the prefix, then QUEUE_URL_*", () => {
    const env = { QUEUE_URL_TICKET_PURCHASE: "http://env/purchase", QUEUE_URL_TICKET_SCAN: " " };
    assert.equal(queueUrlEnvVar("cart-update"), "QUEUE_URL_CART_UPDATE");
    assert.equal(queueUrlFor("ticket-purchase", { env }), "http://env/purchase");
    assert.equal(
      queueUrlFor("ticket-purchase", { env, queueUrlPrefix: "http://h:4566/123456789012/" }),
      "http://h:4566/123456789012/ticket-purchase",
    );
    assert.equal(queueUrlFor("ticket-purchase", { env, queueUrls: { "ticket-purchase": "http://map" } }), "http://map");
    assert.throws(
      () => queueUrlFor("ticket-scan", { env }),
      (err: unknown) => err instanceof NoQueueUrlError && /QUEUE_URL_TICKET_SCAN/.test(err.message),
    );
  });

  it("a missing one fails the batch before anything is sent", async () => {
    const sqs = new FakeSqs();
    const p = new Publisher({ client: sqs, env: { QUEUE_URL_TICKET_PURCHASE: "http://q/p" } });
    await assert.rejects(p.publishBatch([purchase(1), scan(1)]), NoQueueUrlError);
    assert.equal(sqs.calls.length, 0);
  });

  it("a real SQSClient fits the injectable client type", () => {
    const client: SqsSender = new SQSClient({ region: "us-east-1" });
    assert.ok(new Publisher({ client, queueUrlPrefix: "http://x" }));
  });
});
