// Generated from events/schemas/page-view.schema.json by `npm run generate`. Do not edit.
// page-view CloudEvent (v1)

/**
 * A CloudEvents 1.0 envelope in structured JSON mode.
 */
export interface PageViewEvent {
  data: PageView;
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
  type: "page-view";
}
export interface PageView {
  campaignId?: string | null;
  eventId?: string | null;
  path: string;
  referrer?: string | null;
  sessionId: string;
  userId?: string | null;
  /**
   * Views without a venue count in flow health only.
   */
  venueId?: string | null;
}
