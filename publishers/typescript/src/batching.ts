/**
 * Planning of `SendMessageBatch` calls: pure, so the limits are testable
 * without SQS. Per call: at most 10 entries and 256 KiB of bodies; entry Ids
 * unique within the call and `[A-Za-z0-9_-]{1,80}`. A CloudEvent id need not
 * match that (and one call may carry the same event twice), so entry Ids are
 * the message's position in the input: `m0`, `m1`, …
 */

import { MessageTooLargeError } from "./errors.js";

export const MAX_BATCH_ENTRIES = 10;
/** Largest body, and largest sum of bodies in one call (256 KiB). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** One message to send. */
export interface PendingMessage {
  queueUrl: string;
  body: string;
  /** The CloudEvent id, for errors and reports. */
  id: string;
}

export interface BatchEntry {
  /** `m${index}`: unique within the whole plan. */
  entryId: string;
  /** Position in the planned input. */
  index: number;
  /** UTF-8 size of the body. */
  bytes: number;
}

export interface Batch {
  queueUrl: string;
  entries: BatchEntry[];
}

export const entryId = (index: number): string => `m${index}`;

/**
 * Groups messages by queue (queues in order of first appearance, messages in
 * input order) and packs each queue's greedily into calls within the limits.
 * Throws `MessageTooLargeError` for a body over 256 KiB before planning anything.
 */
export function planBatches(messages: readonly PendingMessage[]): Batch[] {
  const sizes = messages.map((m) => {
    const bytes = Buffer.byteLength(m.body, "utf8");
    if (bytes > MAX_PAYLOAD_BYTES) throw new MessageTooLargeError(m.id, bytes, MAX_PAYLOAD_BYTES);
    return bytes;
  });
  const byQueue = new Map<string, BatchEntry[]>();
  messages.forEach((m, index) => {
    const list = byQueue.get(m.queueUrl) ?? [];
    list.push({ entryId: entryId(index), index, bytes: sizes[index]! });
    byQueue.set(m.queueUrl, list);
  });
  const batches: Batch[] = [];
  for (const [queueUrl, entries] of byQueue) {
    let current: BatchEntry[] = [];
    let bytes = 0;
    for (const e of entries) {
      if (current.length === MAX_BATCH_ENTRIES || bytes + e.bytes > MAX_PAYLOAD_BYTES) {
        batches.push({ queueUrl, entries: current });
        current = [];
        bytes = 0;
      }
      current.push(e);
      bytes += e.bytes;
    }
    if (current.length) batches.push({ queueUrl, entries: current });
  }
  return batches;
}
