// Generated from events/schemas/ticket-purchase.schema.json by `npm run generate`. Do not edit.
// ticket-purchase CloudEvent (v1)

/**
 * A CloudEvents 1.0 envelope in structured JSON mode.
 */
export interface TicketPurchaseEvent {
  data: TicketPurchase;
  datacontenttype?: string | null;
  /**
   * Unique per `source`; `source` + `id` is the dedupe key.
   */
  id: string;
  source: string;
  specversion: "1.0";
  /**
   * Event time (RFC 3339). Rollups bucket by this time, not arrival time.
   */
  time: string;
  type: "ticket-purchase";
}
/**
 * A completed order: `quantity` tickets for `amount` minor units in total.
 * Publish one event per order; `orders` counts these events.
 */
export interface TicketPurchase {
  /**
   * Total charged, in minor units of `currency` (4500 = $45.00); at most 10^12.
   */
  amount: number;
  campaignId?: string | null;
  channel?: string | null;
  /**
   * ISO 4217 code, upper case.
   */
  currency: string;
  /**
   * The show.
   */
  eventId: string;
  orderId: string;
  /**
   * Tickets in the order, 1–10,000.
   */
  quantity?: number;
  /**
   * When the show starts, if the ticket service knows (for lead-time patterns).
   */
  showStartsAt?: string | null;
  /**
   * The (first) ticket of the order.
   */
  ticketId: string;
  tier?: string | null;
  userId: string;
  venueId: string;
}
