/**
 * The id grammar of the contract (docs/PUBLISHING.md): `id`, `source` and the
 * ids in `data` are 1–128 characters without whitespace, control characters,
 * `#` or `*`. An id outside it is quarantined as `invalid_id`, never trimmed,
 * so we refuse it before sending. Pattern and bounds come from the schemas.
 */

import { InvalidEventError } from "./errors.js";
import { ID_MAX_LENGTH, ID_MIN_LENGTH, ID_PATTERN, type EventType } from "./generated/index.js";

const ID_RE = new RegExp(ID_PATTERN, "u");

/** Why `value` is not an id, or `undefined` when it is one. */
export function idProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `is ${value === null ? "null" : typeof value}, not a string`;
  // Bounds count code points (as ingest does), not UTF-16 units.
  const length = [...value].length;
  if (length < ID_MIN_LENGTH) return "is empty";
  if (length > ID_MAX_LENGTH) return `is ${length} characters (at most ${ID_MAX_LENGTH})`;
  if (!ID_RE.test(value)) {
    const bad = [...value].find((c) => !ID_RE.test(c)) ?? "";
    const shown = `U+${bad.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`;
    return `contains ${shown} (no whitespace, control characters, '#' or '*')`;
  }
  return undefined;
}

export function isValidId(value: unknown): value is string {
  return idProblem(value) === undefined;
}

/** The prefix of the deterministic ids `eventId` makes. */
export const ID_PREFIXES = {
  "ticket-purchase": "purchase",
  "ticket-scan": "scan",
  "page-view": "view",
  "cart-update": "cart",
  "venue-update": "venue",
  "ticket-refund": "refund",
} as const satisfies Record<EventType, string>;

/**
 * A deterministic CloudEvent id from the caller's own key:
 * `eventId("ticket-purchase", "ord-1001")` is `"purchase-ord-1001"`. The same
 * key always gives the same id, so a re-send after a crash is deduplicated
 * (`source` + `id`). Throws `InvalidEventError` if the id leaves the grammar.
 */
export function eventId(type: EventType, key: string): string {
  const id = `${ID_PREFIXES[type]}-${key}`;
  const problem = idProblem(key) ?? idProblem(id);
  if (problem) throw new InvalidEventError(id, [`id from key ${JSON.stringify(key)} ${problem}`]);
  return id;
}
