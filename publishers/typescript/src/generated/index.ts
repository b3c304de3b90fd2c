// Generated from events/schemas/*.schema.json by `npm run generate`. Do not edit.

/**
 * The six event types; each is also the name of its SQS queue.
 */
export type EventType =
  "ticket-purchase" | "ticket-scan" | "page-view" | "cart-update" | "venue-update" | "ticket-refund";

/** The event types, in the schemas' order; each is also its queue's name. */
export const EVENT_TYPES = ["ticket-purchase","ticket-scan","page-view","cart-update","venue-update","ticket-refund"] as const satisfies readonly EventType[];

/** The id grammar (ECMA-262 pattern) of `id`, `source` and the ids in `data`. */
export const ID_PATTERN = "^[^#*\\s\\u0000-\\u001f\\u007f-\\u009f]+$";
/** Length bounds of an id, in Unicode code points. */
export const ID_MIN_LENGTH = 1;
export const ID_MAX_LENGTH = 128;

/** Where `data` holds ids, per type (`a[].b`: field `b` of every item of array `a`). */
export const DATA_ID_PATHS = {
  "ticket-purchase": ["eventId","orderId","ticketId","userId","venueId"],
  "ticket-scan": ["eventId","ticketId","venueId"],
  "page-view": ["eventId","sessionId","userId","venueId"],
  "cart-update": ["cartId","eventId","userId","venueId"],
  "venue-update": ["shows[].eventId","venueId"],
  "ticket-refund": ["eventId","orderId","userId","venueId"],
} as const satisfies Record<EventType, readonly string[]>;

export type * from "./ticket-purchase.js";
export type * from "./ticket-scan.js";
export type * from "./page-view.js";
export type * from "./cart-update.js";
export type * from "./venue-update.js";
export type * from "./ticket-refund.js";

import type { TicketPurchaseEvent } from "./ticket-purchase.js";
import type { TicketScanEvent } from "./ticket-scan.js";
import type { PageViewEvent } from "./page-view.js";
import type { CartUpdateEvent } from "./cart-update.js";
import type { VenueUpdateEvent } from "./venue-update.js";
import type { TicketRefundEvent } from "./ticket-refund.js";

/** Any event of the contract. */
export type CloudEvent = TicketPurchaseEvent | TicketScanEvent | PageViewEvent | CartUpdateEvent | VenueUpdateEvent | TicketRefundEvent;

/** The `data` payload of each event type. */
export interface EventDataByType {
  "ticket-purchase": TicketPurchaseEvent["data"];
  "ticket-scan": TicketScanEvent["data"];
  "page-view": PageViewEvent["data"];
  "cart-update": CartUpdateEvent["data"];
  "venue-update": VenueUpdateEvent["data"];
  "ticket-refund": TicketRefundEvent["data"];
}
