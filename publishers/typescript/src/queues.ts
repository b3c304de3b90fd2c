/** Where each event type goes: one SQS queue per type, named after the type. */

import { NoQueueUrlError } from "./errors.js";
import type { EventType } from "./generated/index.js";

export type QueueUrls = Partial<Record<EventType, string>>;

/** `QUEUE_URL_TICKET_PURCHASE` for `ticket-purchase`, … */
export const queueUrlEnvVar = (type: EventType): string => `QUEUE_URL_${type.toUpperCase().replaceAll("-", "_")}`;

export interface QueueOptions {
  /** Queue URL per type; wins over everything else. */
  queueUrls?: QueueUrls;
  /** Queues named by type under one URL: `${queueUrlPrefix}/${type}`. Wins over the environment. */
  queueUrlPrefix?: string;
  /** Where `QUEUE_URL_*` are read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Resolves a type's queue URL from the options, then `QUEUE_URL_*`; throws `NoQueueUrlError`. */
export function queueUrlFor(type: EventType, { queueUrls, queueUrlPrefix, env = process.env }: QueueOptions): string {
  const explicit = queueUrls?.[type];
  if (explicit) return explicit;
  if (queueUrlPrefix) return `${queueUrlPrefix.replace(/\/+$/, "")}/${type}`;
  const fromEnv = env[queueUrlEnvVar(type)]?.trim();
  if (fromEnv) return fromEnv;
  throw new NoQueueUrlError(type, queueUrlEnvVar(type));
}
