/** A fake `SQSClient.send` for SendMessageBatch: records calls, fails entries on demand. */

import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";

import type { SqsSender } from "../src/index.js";

export interface RecordedCall {
  queueUrl: string;
  entries: { Id: string; MessageBody: string }[];
}

/** Decides an entry's fate on one call: undefined = accepted. */
export type Fate = (
  entry: { Id: string; MessageBody: string },
  call: number,
) => { code: string; senderFault: boolean; message?: string } | undefined;

export class FakeSqs implements SqsSender {
  readonly calls: RecordedCall[] = [];
  constructor(private readonly fate: Fate = () => undefined) {}

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    const entries = (command.input.Entries ?? []).map((e) => ({ Id: e.Id!, MessageBody: e.MessageBody! }));
    const call = this.calls.push({ queueUrl: command.input.QueueUrl!, entries });
    const out: SendMessageBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
    for (const e of entries) {
      const f = this.fate(e, call);
      if (f) out.Failed!.push({ Id: e.Id, Code: f.code, SenderFault: f.senderFault, Message: f.message ?? f.code });
      else out.Successful!.push({ Id: e.Id, MessageId: `msg-${call}-${e.Id}`, MD5OfMessageBody: "" });
    }
    return out;
  }

  /** Entry Ids per call. */
  get shape(): string[][] {
    return this.calls.map((c) => c.entries.map((e) => e.Id));
  }
}

export const noSleep = async (_ms: number) => {};

export const QUEUES = {
  "ticket-purchase": "http://sqs.test/123456789012/ticket-purchase",
  "ticket-scan": "http://sqs.test/123456789012/ticket-scan",
  "page-view": "http://sqs.test/123456789012/page-view",
  "cart-update": "http://sqs.test/123456789012/cart-update",
  "venue-update": "http://sqs.test/123456789012/venue-update",
  "ticket-refund": "http://sqs.test/123456789012/ticket-refund",
} as const;
