/** The SQS adapter: validates, plans and sends events with `SendMessageBatch`. */

import { SQSClient, SendMessageBatchCommand, type SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";

import { planBatches, type Batch, type PendingMessage } from "./batching.js";
import { NotPublishedError } from "./errors.js";
import type { CloudEvent, EventType } from "./generated/index.js";
import { queueUrlFor, type QueueOptions } from "./queues.js";
import { DEFAULT_RETRY, sendWithRetry, type CallOutcome, type EntryResult, type RetryPolicy } from "./retry.js";
import { assertValidEvent } from "./validate.js";

/** The part of `SQSClient` the publisher uses; tests inject a fake. */
export interface SqsSender {
  send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput>;
}

export interface PublisherOptions extends QueueOptions {
  /** Default `new SQSClient({})`: region, credentials and `AWS_ENDPOINT_URL` from the environment. */
  client?: SqsSender;
  retry?: Partial<RetryPolicy>;
  /** Calls in flight at once (default 4; 1 sends the calls one by one, in order). */
  concurrency?: number;
  /** For tests: the backoff wait and the jitter source. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What happened to one event. */
export interface EventResult {
  /** Position in the `publishBatch` input. */
  index: number;
  id: string;
  type: EventType;
  queueUrl: string;
  status: "sent" | "failed";
  /** `SendMessageBatch` calls that carried this event. */
  attempts: number;
  /** SQS's MessageId, when sent. */
  messageId?: string;
  /** Why it was not sent. `senderFault: true`: the message itself is wrong, retrying cannot help. */
  error?: { code: string; message: string; senderFault: boolean };
}

export interface BatchResult {
  /** One per input event, in input order. */
  results: EventResult[];
  sent: number;
  /** The results with status `failed`. */
  failed: EventResult[];
  /** `SendMessageBatch` calls made, retries included. */
  calls: number;
  /** Entry re-sends after a `SenderFault: false` failure. */
  retried: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Publisher {
  readonly #client: SqsSender;
  readonly #queues: QueueOptions;
  readonly #retry: RetryPolicy;
  readonly #concurrency: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: PublisherOptions = {}) {
    this.#client = options.client ?? new SQSClient({});
    this.#queues = { queueUrls: options.queueUrls, queueUrlPrefix: options.queueUrlPrefix, env: options.env };
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
  }

  /** The queue URL events of `type` go to (throws `NoQueueUrlError`). */
  queueUrl(type: EventType): string {
    return queueUrlFor(type, this.#queues);
  }

  /** Publishes one event; resolves when SQS accepted it, else throws `NotPublishedError`. */
  async publish(event: CloudEvent): Promise<EventResult> {
    const { results } = await this.publishBatch([event]);
    const result = results[0]!;
    if (result.status === "failed") throw new NotPublishedError(result);
    return result;
  }

  /**
   * Publishes events of any types in as few calls as the limits allow.
   * Throws only before sending anything (an invalid event, a body over
   * 256 KiB, no queue URL for a type); per-event outcomes are in the result.
   */
  async publishBatch(events: readonly CloudEvent[]): Promise<BatchResult> {
    const messages: PendingMessage[] = events.map((event, index) => {
      assertValidEvent(event, index);
      return { queueUrl: this.queueUrl(event.type), body: JSON.stringify(event), id: event.id };
    });
    const batches = planBatches(messages);
    const outcomes = await pool(batches, this.#concurrency, (batch) => this.#send(batch, messages));

    const byIndex = new Map<number, EntryResult>();
    let calls = 0;
    let retried = 0;
    for (const o of outcomes) {
      calls += o.calls;
      retried += o.retried;
      for (const r of o.results) byIndex.set(r.index, r);
    }
    const results = events.map((event, index): EventResult => {
      const r = byIndex.get(index)!;
      return {
        index,
        id: event.id,
        type: event.type,
        queueUrl: messages[index]!.queueUrl,
        status: r.error ? "failed" : "sent",
        attempts: r.attempts,
        ...(r.messageId !== undefined && { messageId: r.messageId }),
        ...(r.error && { error: r.error }),
      };
    });
    const failed = results.filter((r) => r.status === "failed");
    return { results, sent: results.length - failed.length, failed, calls, retried };
  }

  #send(batch: Batch, messages: readonly PendingMessage[]) {
    return sendWithRetry(
      batch.entries,
      async (entries): Promise<CallOutcome> => {
        const out = await this.#client.send(
          new SendMessageBatchCommand({
            QueueUrl: batch.queueUrl,
            Entries: entries.map((e) => ({ Id: e.entryId, MessageBody: messages[e.index]!.body })),
          }),
        );
        return {
          failed: (out.Failed ?? []).map((f) => ({
            entryId: f.Id ?? "",
            code: f.Code ?? "Unknown",
            message: f.Message ?? "",
            senderFault: f.SenderFault === true,
          })),
          messageIds: new Map((out.Successful ?? []).map((s) => [s.Id ?? "", s.MessageId ?? ""])),
        };
      },
      { policy: this.#retry, sleep: this.#sleep, random: this.#random },
    );
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

let shared: Publisher | undefined;

/** The publisher `publish` / `publishBatch` use: configured from the environment on first use. */
export function defaultPublisher(): Publisher {
  return (shared ??= new Publisher());
}

/** `defaultPublisher().publish(event)`. */
export const publish = (event: CloudEvent): Promise<EventResult> => defaultPublisher().publish(event);

/** `defaultPublisher().publishBatch(events)`. */
export const publishBatch = (events: readonly CloudEvent[]): Promise<BatchResult> =>
  defaultPublisher().publishBatch(events);
