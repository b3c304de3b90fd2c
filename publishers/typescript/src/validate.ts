/**
 * Checks an event against the parts of the contract that ingest quarantines
 * for and TypeScript cannot see: the id grammar, money, time, the envelope.
 * Used by the builders and again by `publishBatch` (events may be built by hand).
 */

import { InvalidEventError } from "./errors.js";
import { DATA_ID_PATHS, EVENT_TYPES, type CloudEvent, type EventType } from "./generated/index.js";
import { idProblem } from "./ids.js";

/** Largest amount the schemas accept, in minor units (10^12). */
export const MAX_AMOUNT = 1_000_000_000_000;
const CURRENCY_RE = /^[A-Z]{3}$/;
// RFC 3339 date-time (upper-case T/Z as ingest writes them; offsets allowed).
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Problems with a money amount in integer minor units, or none. */
export function amountProblem(value: unknown, max = MAX_AMOUNT): string | undefined {
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    return `must be an integer of minor units (got ${JSON.stringify(value)})`;
  if (value < 0) return `must be ≥ 0 (got ${value})`;
  if (value > max) return `must be ≤ ${max} (got ${value})`;
  return undefined;
}

export function currencyProblem(value: unknown): string | undefined {
  return typeof value === "string" && CURRENCY_RE.test(value)
    ? undefined
    : `must be an upper-case ISO 4217 code like "USD" (got ${JSON.stringify(value)})`;
}

export function timeProblem(value: unknown): string | undefined {
  return typeof value === "string" && RFC3339_RE.test(value) && Number.isFinite(Date.parse(value))
    ? undefined
    : `must be an RFC 3339 date-time like "2026-11-24T19:02:11Z" (got ${JSON.stringify(value)})`;
}

/** The values at an id path of `DATA_ID_PATHS` (`shows[].eventId`), with their concrete paths. */
function* valuesAt(data: unknown, path: string): Generator<[string, unknown]> {
  const [head = "", ...rest] = path.split(".");
  const array = head.endsWith("[]");
  const key = array ? head.slice(0, -2) : head;
  if (!isObject(data)) return;
  const value = data[key];
  if (value === undefined || value === null) return; // required fields are the type checker's job
  const items: [string, unknown][] = array
    ? Array.isArray(value)
      ? value.map((v, i) => [`${key}[${i}]`, v])
      : []
    : [[key, value]];
  for (const [p, v] of items) {
    if (rest.length === 0) yield [p, v];
    else for (const [q, w] of valuesAt(v, rest.join("."))) yield [`${p}.${q}`, w];
  }
}

/** Every contract problem of `event` (empty when it is fine to send). */
export function eventProblems(event: unknown): string[] {
  if (!isObject(event)) return ["is not an object"];
  const out: string[] = [];
  const check = (field: string, problem: string | undefined) => {
    if (problem) out.push(`${field} ${problem}`);
  };
  if (event.specversion !== "1.0") out.push(`specversion must be "1.0"`);
  check("id", idProblem(event.id));
  check("source", idProblem(event.source));
  check("time", timeProblem(event.time));
  const dct = event.datacontenttype;
  if (dct !== undefined && dct !== null && dct !== "application/json")
    out.push(`datacontenttype must be "application/json"`);
  const type = event.type as EventType;
  if (!EVENT_TYPES.includes(type)) {
    out.push(`type must be one of ${EVENT_TYPES.join(", ")} (got ${JSON.stringify(event.type)})`);
    return out;
  }
  const data = event.data;
  if (!isObject(data)) return [...out, "data must be an object"];
  for (const path of DATA_ID_PATHS[type]) {
    for (const [p, v] of valuesAt(data, path)) check(`data.${p}`, idProblem(v));
  }
  const count = (field: string, v: unknown) => {
    if (v !== undefined && (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)) {
      out.push(`data.${field} must be an integer ≥ 0 (got ${JSON.stringify(v)})`);
    }
  };
  switch (type) {
    case "ticket-purchase":
      check("data.amount", amountProblem(data.amount));
      check("data.currency", currencyProblem(data.currency));
      count("quantity", data.quantity);
      break;
    case "cart-update": {
      // The schema bounds only unitAmount; ingest rejects any negative amount.
      check("data.cartValue", amountProblem(data.cartValue, Number.MAX_SAFE_INTEGER));
      check("data.currency", currencyProblem(data.currency));
      const items = Array.isArray(data.items) ? data.items : [];
      items.forEach((item: unknown, i) => {
        const it = isObject(item) ? item : {};
        check(`data.items[${i}].unitAmount`, amountProblem(it.unitAmount));
        count(`items[${i}].quantity`, it.quantity);
      });
      break;
    }
    case "ticket-refund":
      check("data.amount", amountProblem(data.amount));
      check("data.currency", currencyProblem(data.currency));
      count("quantity", data.quantity);
      if (data.amount === 0 && data.quantity === 0) out.push("data: a refund of neither money nor tickets");
      if (data.reason === "chargeback" && (data.status === undefined || data.status === null))
        out.push('data.status is required for a chargeback ("opened", "won" or "lost")');
      if (data.reason !== "chargeback" && data.status !== undefined && data.status !== null)
        out.push("data.status is for chargebacks only");
      break;
    case "venue-update":
      if (data.currency !== undefined && data.currency !== null) check("data.currency", currencyProblem(data.currency));
      break;
    case "ticket-scan":
    case "page-view":
      break;
  }
  return out;
}

/** Throws `InvalidEventError` (naming the event id and every problem) unless `event` may be sent. */
export function assertValidEvent(event: CloudEvent, index?: number): void {
  const problems = eventProblems(event);
  if (problems.length) {
    const id = String((event as { id?: unknown } | null)?.id);
    throw new InvalidEventError(id, problems, index);
  }
}
