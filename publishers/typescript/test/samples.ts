/** Small valid events for the tests. */

import { pageViewEvent, purchaseEvent, scanEvent, type CloudEvent } from "../src/index.js";

export const TIME = "2026-11-24T19:02:11Z";

export function purchase(i: number, extra: { amount?: number; venueId?: string } = {}) {
  return purchaseEvent(
    {
      orderId: `ord-${i}`,
      ticketId: `tkt-${i}`,
      eventId: "show-2026-11-28",
      venueId: extra.venueId ?? "venue-riverside",
      userId: `user-${i}`,
      amount: extra.amount ?? 4500,
      currency: "USD",
      quantity: 1,
    },
    { source: "ticket-service", time: TIME },
  );
}

/** A page view whose body is about `bytes` long (the path pads it). */
export function bigView(i: number, bytes: number): CloudEvent {
  const e = pageViewEvent({ sessionId: `sess-${i}`, path: "/" }, { source: "frontend", key: `big-${i}`, time: TIME });
  const pad = bytes - Buffer.byteLength(JSON.stringify(e));
  return { ...e, data: { ...e.data, path: "/" + "x".repeat(Math.max(0, pad)) } };
}

export function scan(i: number) {
  return scanEvent(
    {
      ticketId: `tkt-${i}`,
      eventId: "show-2026-11-28",
      venueId: "venue-riverside",
      entryPoint: "North Gate",
      result: "admitted",
    },
    { source: "scanning-service", key: `tkt-${i}-1`, time: TIME },
  );
}
