/** Errors thrown before anything is sent (and by `publish` when SQS refused). */

import type { EventResult } from "./publisher.js";

export class PublishError extends Error {
  override name = "PublishError";
}

/** The event breaks the contract; it would be quarantined, so it is not sent. */
export class InvalidEventError extends PublishError {
  override name = "InvalidEventError";
  constructor(
    /** The event's `id` (as given, possibly itself invalid). */
    readonly eventId: string,
    readonly problems: readonly string[],
    /** Position in the `publishBatch` input, when there was one. */
    readonly index?: number,
  ) {
    super(
      `invalid event ${JSON.stringify(eventId)}${index === undefined ? "" : ` (#${index})`}: ${problems.join("; ")}`,
    );
  }
}

/** One body over the 256 KiB limit: SQS (and the Lambda batch) would refuse it. */
export class MessageTooLargeError extends PublishError {
  override name = "MessageTooLargeError";
  constructor(
    readonly eventId: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`event ${JSON.stringify(eventId)} is ${bytes} bytes of JSON; the limit is ${limit} bytes (256 KiB)`);
  }
}

/** No queue URL is configured for a type being published. */
export class NoQueueUrlError extends PublishError {
  override name = "NoQueueUrlError";
  constructor(
    readonly eventType: string,
    readonly envVar: string,
  ) {
    super(`no queue URL for ${eventType}: set ${envVar}, or pass queueUrls / queueUrlPrefix`);
  }
}

/** `publish(event)` could not get the event accepted (see `result.error`). */
export class NotPublishedError extends PublishError {
  override name = "NotPublishedError";
  constructor(readonly result: EventResult) {
    const e = result.error;
    super(
      `event ${JSON.stringify(result.id)} not published after ${result.attempts} attempt(s): ` +
        `${e?.code ?? "Unknown"}${e?.senderFault ? " (sender fault)" : ""} ${e?.message ?? ""}`.trim(),
    );
  }
}
