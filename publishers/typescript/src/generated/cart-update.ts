// Generated from events/schemas/cart-update.schema.json by `npm run generate`. Do not edit.
// cart-update CloudEvent (v1)

export type CartAction = "add" | "remove" | "checkout" | "abandon";

/**
 * A CloudEvents 1.0 envelope in structured JSON mode.
 */
export interface CartUpdateEvent {
  data: CartUpdate;
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
  type: "cart-update";
}
export interface CartUpdate {
  action: CartAction;
  cartId: string;
  /**
   * Value of the whole cart after this update, minor units.
   */
  cartValue: number;
  currency: string;
  eventId: string;
  items?: CartItem[];
  userId: string;
  venueId: string;
}
export interface CartItem {
  /**
   * 1–10,000.
   */
  quantity: number;
  /**
   * Not blank, at most 256 bytes.
   */
  tier: string;
  /**
   * Minor units per ticket; at most 10^12.
   */
  unitAmount: number;
}
