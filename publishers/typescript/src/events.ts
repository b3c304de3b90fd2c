/**
 * Builders for the six event types: the CloudEvents envelope around `data`,
 * a deterministic id from the caller's key, `time` defaulting to now. Each
 * validates the result, so a bad id or amount fails here, not in quarantine.
 */

import type {
  CartUpdate,
  CartUpdateEvent,
  CloudEvent,
  EventDataByType,
  EventType,
  PageView,
  PageViewEvent,
  TicketPurchase,
  TicketPurchaseEvent,
  TicketRefund,
  TicketRefundEvent,
  TicketScan,
  TicketScanEvent,
  VenueUpdate,
  VenueUpdateEvent,
} from "./generated/index.js";
import { eventId } from "./ids.js";
import { assertValidEvent } from "./validate.js";

export interface EventOptions {
  /** The publishing service, e.g. `ticket-service`; with `id` the dedupe key. */
  source: string;
  /** When it happened; default now. A `Date` or an RFC 3339 string. */
  time?: Date | string;
}

export interface KeyedEventOptions extends EventOptions {
  /**
   * Your own unique key of this event (a scan id, `${cartId}-${revision}`, …);
   * the id is `eventId(type, key)`. Derive it from data you keep, never from a
   * clock or a random number, so that re-sending gives the same id.
   */
  key: string;
}

/** RFC 3339 in UTC with milliseconds (`2026-11-24T19:02:11.000Z`). */
export function rfc3339(time: Date | string = new Date()): string {
  if (typeof time === "string") return time; // validated with the event
  if (Number.isNaN(time.getTime())) throw new RangeError("time is an invalid Date");
  return time.toISOString();
}

/** Wraps `data` in an envelope with id `eventId(type, key)` and validates it. */
export function cloudEvent<T extends EventType>(
  type: T,
  data: EventDataByType[T],
  options: KeyedEventOptions,
): Extract<CloudEvent, { type: T }> {
  const event = {
    specversion: "1.0",
    id: eventId(type, options.key),
    source: options.source,
    type,
    time: rfc3339(options.time),
    datacontenttype: "application/json",
    data,
  } as Extract<CloudEvent, { type: T }>;
  assertValidEvent(event);
  return event;
}

/** A `ticket-purchase`: one order. Id `purchase-${orderId}` unless `key` is given. */
export function purchaseEvent(data: TicketPurchase, options: EventOptions & { key?: string }): TicketPurchaseEvent {
  return cloudEvent("ticket-purchase", data, { ...options, key: options.key ?? data.orderId });
}

/** A `ticket-scan`; `key` identifies the scan (a ticket may be scanned more than once). */
export function scanEvent(data: TicketScan, options: KeyedEventOptions): TicketScanEvent {
  return cloudEvent("ticket-scan", data, options);
}

/** A `page-view`; `key` identifies the view (e.g. `${sessionId}-${sequence}`). */
export function pageViewEvent(data: PageView, options: KeyedEventOptions): PageViewEvent {
  return cloudEvent("page-view", data, options);
}

/** A `cart-update`; `key` identifies the update (e.g. `${cartId}-${revision}`). */
export function cartUpdateEvent(data: CartUpdate, options: KeyedEventOptions): CartUpdateEvent {
  return cloudEvent("cart-update", data, options);
}

/**
 * A `venue-update`; `key` identifies this version of the venue (e.g.
 * `${venueId}-${revision}`): a later change needs a new key, or it is
 * deduplicated away as a re-send of the first.
 */
export function venueUpdateEvent(data: VenueUpdate, options: KeyedEventOptions): VenueUpdateEvent {
  return cloudEvent("venue-update", data, options);
}

/**
 * A `ticket-refund`: a refund, cancellation or chargeback; `key` identifies
 * this money movement (e.g. your refund id, or `${disputeId}-${status}` for
 * each step of a chargeback). Needs no lookup of the order.
 */
export function refundEvent(data: TicketRefund, options: KeyedEventOptions): TicketRefundEvent {
  return cloudEvent("ticket-refund", data, options);
}
