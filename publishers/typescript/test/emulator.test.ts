/**
 * Against an SQS emulator (moto server), only when AWS_ENDPOINT_URL is set:
 * publishes 23 events of mixed types to queues of its own and reads them back.
 * The client gets no endpoint option: the SDK itself must honour AWS_ENDPOINT_URL.
 */

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";

import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

import {
  cartUpdateEvent,
  EVENT_TYPES,
  pageViewEvent,
  Publisher,
  purchaseEvent,
  scanEvent,
  venueUpdateEvent,
  type CloudEvent,
  type EventType,
  type QueueUrls,
} from "../src/index.js";

const endpoint = process.env.AWS_ENDPOINT_URL;

const skip = endpoint ? false : "AWS_ENDPOINT_URL is not set";

describe("SQS emulator", () => {
  const run = `ts-pub-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const queues: QueueUrls = {};
  let sqs: SQSClient;

  before(async () => {
    if (skip) return;
    sqs = new SQSClient({
      region: process.env.AWS_REGION ?? "us-east-1",
      credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test",
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
      },
    });
    for (const type of EVENT_TYPES) {
      const out = await sqs.send(new CreateQueueCommand({ QueueName: `${run}-${type}` }));
      queues[type] = out.QueueUrl!;
    }
  });

  after(async () => {
    if (skip) return;
    for (const url of Object.values(queues)) await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => {});
    sqs?.destroy();
  });

  /** 23 events: a venue-update, then purchases, scans, views and cart updates interleaved. */
  function events(): CloudEvent[] {
    const venueId = `venue-${run}`;
    const show = `show-${run}`;
    const time = new Date(Date.now() - 60_000);
    const out: CloudEvent[] = [
      venueUpdateEvent(
        { venueId, name: "Emulator Hall", timezone: "America/New_York", currency: "USD", capacity: 500 },
        { source: "venue-service", key: `${venueId}-r1`, time },
      ),
    ];
    for (let i = 0; out.length < 23; i++) {
      const opts = { time };
      switch (i % 4) {
        case 0:
          out.push(
            purchaseEvent(
              {
                orderId: `ord-${run}-${i}`,
                ticketId: `tkt-${run}-${i}`,
                eventId: show,
                venueId,
                userId: `user-${i}`,
                amount: 1000 + i,
                currency: "USD",
                quantity: 1 + (i % 3),
              },
              { source: "ticket-service", ...opts },
            ),
          );
          break;
        case 1:
          out.push(
            scanEvent(
              { ticketId: `tkt-${run}-${i - 1}`, eventId: show, venueId, entryPoint: "North Gate", result: "admitted" },
              { source: "scanning-service", key: `${run}-${i}`, ...opts },
            ),
          );
          break;
        case 2:
          out.push(
            pageViewEvent(
              { sessionId: `sess-${i}`, path: `/events/${show}`, venueId, eventId: show },
              { source: "frontend", key: `${run}-${i}`, ...opts },
            ),
          );
          break;
        default:
          out.push(
            cartUpdateEvent(
              {
                cartId: `cart-${i}`,
                userId: `user-${i}`,
                eventId: show,
                venueId,
                action: "add",
                items: [{ tier: "GA", quantity: 1, unitAmount: 4500 }],
                cartValue: 4500,
                currency: "USD",
              },
              { source: "order-service", key: `${run}-${i}`, ...opts },
            ),
          );
      }
    }
    return out;
  }

  it("publishes 23 mixed events and the queues hold exactly those bodies", { skip }, async () => {
    const sent = events();
    assert.equal(sent.length, 23);
    const publisher = new Publisher({ client: sqs, queueUrls: queues });
    const result = await publisher.publishBatch(sent);
    assert.deepEqual(result.failed, []);
    assert.equal(result.sent, 23);
    assert.ok(
      result.results.every((r) => r.messageId),
      "every event has an SQS MessageId",
    );

    // Same input, same ids: the builders are deterministic.
    assert.deepEqual(
      events().map((e) => e.id),
      sent.map((e) => e.id),
    );

    const received = new Map<EventType, string[]>();
    for (const type of EVENT_TYPES) {
      const want = sent.filter((e) => e.type === type).length;
      const bodies: string[] = [];
      const deadline = Date.now() + 20_000;
      while (bodies.length < want && Date.now() < deadline) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queues[type], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        bodies.push(...(out.Messages ?? []).map((m) => m.Body!));
      }
      received.set(type, bodies);
    }
    for (const type of EVENT_TYPES) {
      const expected = sent
        .filter((e) => e.type === type)
        .map((e) => JSON.stringify(e))
        .sort();
      assert.deepEqual([...received.get(type)!].sort(), expected, `${type}: bodies as sent`);
    }
    const ids = [...received.values()].flat().map((b) => (JSON.parse(b) as CloudEvent).id);
    assert.ok(ids.includes(`purchase-ord-${run}-0`));
    assert.ok(ids.includes(`venue-venue-${run}-r1`));
  });
});
