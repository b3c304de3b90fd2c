export * from "./generated/index.js";
export * from "./errors.js";
export { eventId, idProblem, isValidId, ID_PREFIXES } from "./ids.js";
export {
  amountProblem,
  assertValidEvent,
  currencyProblem,
  eventProblems,
  MAX_AMOUNT,
  timeProblem,
} from "./validate.js";
export * from "./events.js";
export {
  entryId,
  MAX_BATCH_ENTRIES,
  MAX_PAYLOAD_BYTES,
  planBatches,
  type Batch,
  type BatchEntry,
  type PendingMessage,
} from "./batching.js";
export { backoffCeiling, backoffDelay, DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
export { queueUrlEnvVar, queueUrlFor, type QueueOptions, type QueueUrls } from "./queues.js";
export * from "./publisher.js";
