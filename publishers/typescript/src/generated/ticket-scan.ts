// Generated from events/schemas/ticket-scan.schema.json by `npm run generate`. Do not edit.
// ticket-scan CloudEvent (v1)

export type ScanResult = "admitted" | "rejected" | "duplicate";

/**
 * A CloudEvents 1.0 envelope in structured JSON mode.
 */
export interface TicketScanEvent {
  data: TicketScan;
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
  type: "ticket-scan";
}
export interface TicketScan {
  /**
   * The gate: not blank, at most 256 bytes.
   */
  entryPoint: string;
  eventId: string;
  result: ScanResult;
  ticketId: string;
  venueId: string;
}
