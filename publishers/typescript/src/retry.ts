/**
 * Retrying the failed entries of one batch call. SQS answers per entry: an
 * entry with `SenderFault: false` (throttling, internal error) is sent again —
 * alone with the other such entries — after an exponential backoff with full
 * jitter; `SenderFault: true` never succeeds on retry and is final at once.
 * Generic over the call so it is tested without SQS.
 */

import type { BatchEntry } from "./batching.js";

export interface RetryPolicy {
  /** Calls per entry, the first included (≥ 1). Default 5. */
  maxAttempts: number;
  /** Backoff ceiling before the first retry; doubles per retry. Default 100 ms. */
  baseDelayMs: number;
  /** Cap of the backoff ceiling. Default 5 s. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000 };

/** `min(maxDelayMs, baseDelayMs · 2^(retry-1))` for retry number `retry` (1-based). */
export function backoffCeiling(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
}

/**
 * Full jitter: uniform in [0, ceiling), so publishers throttled together
 * spread out instead of retrying in lockstep.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(policy, retry));
}

/** An entry SQS refused in a completed call. */
export interface EntryFailure {
  entryId: string;
  code: string;
  message: string;
  senderFault: boolean;
}

/** What one completed call said. */
export interface CallOutcome {
  failed: EntryFailure[];
  /** Entry Id → SQS MessageId of the accepted entries. */
  messageIds: Map<string, string>;
}

/** Final word on one entry. */
export interface EntryResult {
  index: number;
  attempts: number;
  messageId?: string;
  error?: { code: string; message: string; senderFault: boolean };
}

export interface RetryOutcome {
  results: EntryResult[];
  calls: number;
  /** Entry re-sends (an entry retried twice counts twice). */
  retried: number;
}

export interface RetryDeps {
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/**
 * Sends `entries` with `send`, re-sending the `SenderFault: false` failures
 * until they succeed or `maxAttempts` is reached. A call that throws (after
 * the SDK's own retries of network errors, 5xx and throttling) fails every
 * entry it carried, with the error's name as code.
 */
export async function sendWithRetry(
  entries: readonly BatchEntry[],
  send: (entries: readonly BatchEntry[]) => Promise<CallOutcome>,
  { policy, sleep, random }: RetryDeps,
): Promise<RetryOutcome> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const results: EntryResult[] = [];
  let calls = 0;
  let retried = 0;
  let pending = [...entries];
  for (let attempt = 1; pending.length > 0; attempt++) {
    calls++;
    let outcome: CallOutcome;
    try {
      outcome = await send(pending);
    } catch (err) {
      const e = err as { name?: string; message?: string; $fault?: string };
      const error = { code: e.name ?? "Error", message: e.message ?? String(err), senderFault: e.$fault === "client" };
      results.push(...pending.map((p) => ({ index: p.index, attempts: attempt, error })));
      break;
    }
    const failedById = new Map(outcome.failed.map((f) => [f.entryId, f]));
    const retry: BatchEntry[] = [];
    for (const p of pending) {
      const f = failedById.get(p.entryId);
      if (!f) {
        results.push({ index: p.index, attempts: attempt, messageId: outcome.messageIds.get(p.entryId) });
      } else if (!f.senderFault && attempt < maxAttempts) {
        retry.push(p);
      } else {
        const { code, message, senderFault } = f;
        results.push({ index: p.index, attempts: attempt, error: { code, message, senderFault } });
      }
    }
    if (retry.length > 0) {
      await sleep(backoffDelay(policy, attempt, random));
      retried += retry.length;
    }
    pending = retry;
  }
  return { results, calls, retried };
}
