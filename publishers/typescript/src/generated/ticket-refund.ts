// Generated from events/schemas/ticket-refund.schema.json by `npm run generate`. Do not edit.
// ticket-refund CloudEvent (v1)

/**
 * Why money went back to a buyer.
 */
export type RefundReason = "refund" | "cancellation" | "chargeback";
/**
 * Where a chargeback stands. The bank takes the money when a dispute is
 * `opened`; a `won` dispute gives it back; `lost` confirms it is gone.
 */
export type ChargebackStatus = "opened" | "won" | "lost";

/**
 * A CloudEvents 1.0 envelope in structured JSON mode.
 */
export interface TicketRefundEvent {
  data: TicketRefund;
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
  type: "ticket-refund";
}
/**
 * Money (and tickets) going back to a buyer: a refund, a cancellation or a
 * chargeback. Needs no lookup of the original order: it lands in the bucket
 * of its own time, in its own currency.
 *
 * Effect on the numbers (`a` = `amount`, `q` = `quantity`): a refund, a
 * cancellation and an `opened` chargeback take `a` and `q` off net revenue
 * and net tickets; a `won` chargeback puts them back; a `lost` chargeback
 * changes no money (it was taken when the dispute opened) and is counted.
 */
export interface TicketRefund {
  /**
   * Refunded, in minor units of `currency` (partial refunds are smaller
   * than the order); at most 10^12.
   */
  amount: number;
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
   * Tickets given back (0 for a refund of money only, such as fees).
   */
  quantity: number;
  reason: RefundReason;
  /**
   * Chargebacks only, and required for them.
   */
  status?: ChargebackStatus | null;
  userId: string;
  venueId: string;
}
