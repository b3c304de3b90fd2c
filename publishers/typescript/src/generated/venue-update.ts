// Generated from events/schemas/venue-update.schema.json by `npm run generate`. Do not edit.
// venue-update CloudEvent (v1)

/**
 * A CloudEvents 1.0 envelope in structured JSON mode.
 */
export interface VenueUpdateEvent {
  data: VenueUpdate;
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
  type: "venue-update";
}
export interface VenueUpdate {
  capacity?: number | null;
  /**
   * Default currency for the venue's dashboards.
   */
  currency?: string | null;
  name?: string | null;
  shows?: ShowInfo[] | null;
  /**
   * IANA time zone, e.g. `America/New_York`; daily rollups use it.
   */
  timezone?: string | null;
  venueId: string;
}
export interface ShowInfo {
  capacity?: number | null;
  eventId: string;
  name: string;
  /**
   * When tickets went on sale (for sales forecasts).
   */
  onSaleAt?: string | null;
  startsAt: string;
}
