//! The router end to end through `oneshot`, over in-memory test doubles of
//! the domain *ports* (the AWS adapters are tested by the lead against the
//! emulator).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use api::{AppState, AuthConfig, RealtimeHub, app, issue_token};
use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use domain::ports::*;
use domain::{Dimension, EventType, Granularity, Metric};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &str = "test-secret";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    at("2026-11-24T20:30:20Z")
}

// ---- in-memory doubles of the ports --------------------------------------

#[derive(Default)]
struct MemReader {
    venues: Vec<VenueRecord>,
    rollups: Vec<(String, Option<String>, Granularity, RollupRow)>,
    customers: Mutex<Vec<CustomerRow>>,
    flows: Vec<FlowRecord>,
    calls: AtomicUsize,
    fail: AtomicBool,
}

impl MemReader {
    fn call(&self) -> StoreResult<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.fail.load(Ordering::SeqCst) {
            Err(StoreError::Transient("throttled".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl AnalyticsReader for MemReader {
    async fn rollups(
        &self,
        venue: &str,
        show: Option<&str>,
        g: Granularity,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<RollupRow>> {
        self.call()?;
        let mut rows: Vec<RollupRow> = self
            .rollups
            .iter()
            .filter(|(v, s, gr, r)| {
                v == venue && s.as_deref() == show && *gr == g && (from..to).contains(&r.bucket)
            })
            .map(|(_, _, _, r)| r.clone())
            .collect();
        rows.sort_by_key(|r| r.bucket);
        Ok(rows)
    }
    async fn venue(&self, venue: &str) -> StoreResult<Option<VenueRecord>> {
        self.call()?;
        Ok(self.venues.iter().find(|v| v.venue_id == venue).cloned())
    }
    async fn venues(&self) -> StoreResult<Vec<VenueRecord>> {
        self.call()?;
        Ok(self.venues.clone())
    }
    async fn flows(&self, _now: DateTime<Utc>) -> StoreResult<Vec<FlowRecord>> {
        self.call()?;
        Ok(self.flows.clone())
    }
    async fn customers(&self, venue: &str) -> StoreResult<Vec<CustomerRow>> {
        self.call()?;
        Ok(self
            .customers
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.venue_id == venue)
            .cloned()
            .collect())
    }
    async fn customer(&self, venue: &str, customer: &str) -> StoreResult<Option<CustomerRow>> {
        self.call()?;
        Ok(self
            .customers
            .lock()
            .unwrap()
            .iter()
            .find(|c| c.venue_id == venue && c.customer_id == customer)
            .cloned())
    }
    async fn erase_customer(&self, venue: &str, customer: &str) -> StoreResult<bool> {
        self.call()?;
        let mut all = self.customers.lock().unwrap();
        let before = all.len();
        all.retain(|c| !(c.venue_id == venue && c.customer_id == customer));
        Ok(all.len() != before)
    }
    async fn put_customer_insight(
        &self,
        _venue: &str,
        _customer: &str,
        _insight: Value,
    ) -> StoreResult<()> {
        self.call()
    }
}

#[derive(Default)]
struct MemDocs(Mutex<BTreeMap<(String, String, String), Value>>);

#[async_trait]
impl DocumentStore for MemDocs {
    async fn put(
        &self,
        kind: &str,
        venue: &str,
        id: &str,
        doc: &Value,
        _ttl: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        self.0
            .lock()
            .unwrap()
            .insert((kind.into(), venue.into(), id.into()), doc.clone());
        Ok(())
    }
    async fn get(&self, kind: &str, venue: &str, id: &str) -> StoreResult<Option<Value>> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(&(kind.into(), venue.into(), id.into()))
            .cloned())
    }
    async fn list(&self, kind: &str, venue: &str) -> StoreResult<Vec<Value>> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|((k, v, _), _)| k == kind && v == venue)
            .map(|(_, d)| d.clone())
            .collect())
    }
    async fn delete(&self, kind: &str, venue: &str, id: &str) -> StoreResult<bool> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .remove(&(kind.into(), venue.into(), id.into()))
            .is_some())
    }
}

struct MemObjects;

#[async_trait]
impl ObjectStore for MemObjects {
    async fn put_object(&self, _: &str, _: Vec<u8>, _: &str, _: Option<&str>) -> StoreResult<()> {
        Ok(())
    }
    async fn get_object(&self, _: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(None)
    }
    async fn list_keys(&self, _: &str) -> StoreResult<Vec<String>> {
        Ok(vec![])
    }
    async fn presigned_get(&self, key: &str, secs: u64) -> StoreResult<String> {
        Ok(format!("https://objects.test/{key}?expires={secs}"))
    }
}

struct MemQueues;

#[async_trait]
impl QueueStats for MemQueues {
    async fn dlq_depth(&self, t: EventType) -> StoreResult<Option<i64>> {
        Ok(Some(if t == EventType::TicketScan { 3 } else { 0 }))
    }
}

// ---- fixtures --------------------------------------------------------------

fn row(
    t: &str,
    base: &[(Metric, i64)],
    breakdowns: &[(Metric, Dimension, &str, i64)],
) -> RollupRow {
    RollupRow {
        bucket: at(t).timestamp(),
        base: base.iter().copied().collect(),
        breakdowns: breakdowns
            .iter()
            .map(|(m, d, k, v)| (*m, *d, (*k).to_owned(), *v))
            .collect(),
        currency: Some("USD".into()),
    }
}

fn reader() -> MemReader {
    let venue = VenueRecord {
        venue_id: "v1".into(),
        name: Some("Hall".into()),
        timezone: Some("America/New_York".into()),
        capacity: Some(1000),
        currency: Some("USD".into()),
        shows: vec![ShowRecord {
            event_id: "s1".into(),
            name: "Opening".into(),
            starts_at: at("2026-11-26T01:00:00Z"),
            capacity: Some(100),
            on_sale_at: None,
        }],
    };
    let sales = [
        (Metric::Revenue, 9000),
        (Metric::TicketsSold, 2),
        (Metric::Orders, 1),
        (Metric::PageViews, 10),
        (Metric::ScansAdmitted, 1),
    ];
    let mut rollups = vec![];
    for show in [None, Some("s1".to_owned())] {
        rollups.push((
            "v1".into(),
            show.clone(),
            Granularity::Day,
            row(
                "2026-11-24T05:00:00Z",
                &sales,
                &[
                    (Metric::Revenue, Dimension::Tier, "GA", 9000),
                    (Metric::TicketsSold, Dimension::Tier, "GA", 2),
                    (Metric::Orders, Dimension::Tier, "GA", 1),
                    (Metric::PageViews, Dimension::Campaign, "fall", 4),
                ],
            ),
        ));
        rollups.push((
            "v1".into(),
            show.clone(),
            Granularity::Minute,
            row("2026-11-24T20:29:00Z", &sales, &[]),
        ));
        rollups.push((
            "v1".into(),
            show.clone(),
            Granularity::Hour,
            row("2026-11-24T20:00:00Z", &sales, &[]),
        ));
    }
    // A venue with data but no venue-update yet.
    rollups.push((
        "v2".into(),
        None,
        Granularity::Day,
        row("2026-11-24T00:00:00Z", &[(Metric::Orders, 1)], &[]),
    ));
    MemReader {
        venues: vec![venue],
        rollups,
        customers: Mutex::new(vec![CustomerRow {
            venue_id: "v1".into(),
            customer_id: "u1".into(),
            spend: 9000,
            spend_by_currency: Default::default(),
            orders: 1,
            tickets: 2,
            currency: Some("USD".into()),
            first_purchase_at: Some(at("2026-11-24T20:29:10Z")),
            last_purchase_at: Some(at("2026-11-24T20:29:10Z")),
            weekday: [0, 1, 0, 0, 0, 0, 0],
            hour: {
                let mut h = [0; 24];
                h[15] = 1;
                h
            },
            lead_hours_sum: 28.5,
            lead_count: 1,
            tiers: BTreeMap::from([("GA".into(), 2)]),
            insight: None,
        }]),
        flows: vec![FlowRecord {
            event_type: EventType::TicketPurchase,
            source: "ticket-service".into(),
            last_event_at: Some(at("2026-11-24T20:29:10Z")),
            total: 1,
            rejected: 0,
            events_last_hour: 1,
        }],
        ..MemReader::default()
    }
}

struct Harness {
    state: AppState,
    reader: Arc<MemReader>,
    docs: Arc<MemDocs>,
}

fn harness() -> Harness {
    let reader = Arc::new(reader());
    let docs = Arc::new(MemDocs::default());
    let state = AppState::new(
        reader.clone(),
        docs.clone(),
        Arc::new(MemObjects),
        Arc::new(MemQueues),
        RealtimeHub::default(),
        AuthConfig::new(SECRET),
    )
    .with_clock(now);
    Harness {
        state,
        reader,
        docs,
    }
}

fn token(venues: &[&str], admin: bool) -> String {
    let venues: Vec<String> = venues.iter().map(|v| (*v).to_owned()).collect();
    issue_token(
        &AuthConfig::new(SECRET),
        "alice",
        &venues,
        admin,
        Duration::hours(1),
    )
}

async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, headers, json)
}

async fn get(state: &AppState, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
    let (s, _, b) = send(state, "GET", uri, token, None).await;
    (s, b)
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status"], expected.as_u16(), "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
}

// ---- tests -------------------------------------------------------------------

#[tokio::test]
async fn health_reports_dependencies() {
    let h = harness();
    let (s, body) = get(&h.state, "/health", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(
        body["dependencies"],
        json!({"dynamodb": "ok", "s3": "ok", "sqs": "ok"})
    );
    h.reader.fail.store(true, Ordering::SeqCst);
    let (s, body) = get(&h.state, "/health", None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["dependencies"]["dynamodb"], "error");
}

#[tokio::test]
async fn authentication_and_venue_authorisation() {
    let h = harness();
    let url = "/api/dashboards/v1";
    let (s, hdrs, body) = send(&h.state, "GET", url, None, None).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED);
    assert_eq!(hdrs[header::WWW_AUTHENTICATE], "Bearer");

    let expired = issue_token(
        &AuthConfig::new(SECRET),
        "alice",
        &["v1".into()],
        false,
        Duration::hours(-1),
    );
    let (s, body) = get(&h.state, url, Some(&expired)).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().unwrap().contains("expired"));

    let foreign = issue_token(
        &AuthConfig::new("another-secret"),
        "alice",
        &["v1".into()],
        false,
        Duration::hours(1),
    );
    let (s, body) = get(&h.state, url, Some(&foreign)).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED);

    let (s, body) = get(&h.state, url, Some("garbage")).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED);

    let (s, body) = get(&h.state, url, Some(&token(&["v9"], false))).await;
    assert_error(s, &body, StatusCode::FORBIDDEN);

    let (s, _) = get(&h.state, url, Some(&token(&["v1"], false))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = get(&h.state, url, Some(&token(&[], true))).await;
    assert_eq!(s, StatusCode::OK, "admin reads any venue");

    let (s, body) = get(&h.state, "/api/dashboards/nowhere", Some(&token(&[], true))).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = get(&h.state, "/api/dashboards/v2", Some(&token(&["v2"], false))).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a venue with rollups but no metadata exists: {body}"
    );
    assert_eq!(body["orders"], 1);
    assert_eq!(body["timezone"], "UTC");
}

#[tokio::test]
async fn dashboard_summary_in_three_round_trips() {
    let h = harness();
    let t = token(&["v1"], false);
    let (s, body) = get(&h.state, "/api/dashboards/v1", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        h.reader.calls.load(Ordering::SeqCst),
        3,
        "venue + daily totals + last hour"
    );
    assert_eq!(body["venueId"], "v1");
    assert_eq!(body["revenue"], json!({"amount": 9000, "currency": "USD"}));
    assert_eq!(body["ticketsSold"], 2);
    assert_eq!(body["orders"], 1);
    assert_eq!(body["salesVelocity"], 2.0);
    assert_eq!(
        body["scans"],
        json!({"admitted": 1, "rejected": 0, "duplicate": 0})
    );
    assert_eq!(body["attendanceRate"], 0.5);
    assert_eq!(body["pageViews"], 10);
    assert_eq!(body["cart"]["adds"], 0);
    assert_eq!(body["byTier"][0]["key"], "GA");
    assert_eq!(body["shows"][0]["eventId"], "s1");

    let (s, body) = get(&h.state, "/api/dashboards/v1?eventId=s1", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["eventId"], "s1");
    assert_eq!(body["capacity"], 100);
    assert_eq!(body["capacityUtilisation"], 0.02);
    assert!(body["noShows"].is_null(), "the show has not started");
}

#[tokio::test]
async fn metrics_are_zero_filled_and_queries_validated() {
    let h = harness();
    let t = token(&["v1"], false);
    let (s, body) = get(&h.state, "/api/metrics/v1?metric=revenue&granularity=1h&from=2026-11-24T18:00:00Z&to=2026-11-24T21:00:00Z", Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["metric"], "revenue");
    assert_eq!(body["granularity"], "1h");
    let points = body["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(points[0], json!({"t": "2026-11-24T18:00:00Z", "value": 0}));
    assert_eq!(
        points[2],
        json!({"t": "2026-11-24T20:00:00Z", "value": 9000})
    );

    let (_, body) = get(&h.state, "/api/metrics/v1?metric=salesVelocity&granularity=1m&from=2026-11-24T20:29:00Z&to=2026-11-24T20:30:00Z", Some(&t)).await;
    assert_eq!(body["points"][0]["value"], 120.0);

    let (_, body) = get(&h.state, "/api/metrics/v1?metric=orders&granularity=1d&from=2026-11-23T12:00:00Z&to=2026-11-25T12:00:00Z", Some(&t)).await;
    let ts: Vec<_> = body["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["t"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ts,
        [
            "2026-11-23T05:00:00Z",
            "2026-11-24T05:00:00Z",
            "2026-11-25T05:00:00Z"
        ],
        "New York midnights"
    );
    assert_eq!(body["points"][1]["value"], 1);

    for bad in [
        "/api/metrics/v1?granularity=1h",
        "/api/metrics/v1?metric=bogus",
        "/api/metrics/v1?metric=revenue&granularity=2h",
        "/api/metrics/v1?metric=revenue&from=yesterday",
        "/api/metrics/v1?metric=revenue&from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z",
        "/api/metrics/v1?metric=revenue&granularity=1m&from=2026-01-01T00:00:00Z&to=2026-11-24T00:00:00Z",
        "/api/customers/v1?limit=lots",
        "/api/analytics/v1/breakdowns?dimension=color",
    ] {
        let (s, body) = get(&h.state, bad, Some(&t)).await;
        assert_error(s, &body, StatusCode::BAD_REQUEST);
    }
}

/// Fine rows expire (1m after 8 days, 5m after 35): a series, or its
/// comparison, reaching before they are kept is refused with the
/// granularities that cover it; one inside is served. (Now: 2026-11-24T20:30:20Z.)
#[tokio::test]
async fn fine_series_are_refused_before_their_rows_are_kept() {
    let h = harness();
    let t = token(&["v1"], false);
    for (query, covering) in [
        // 9 days back: past 1m, within 5m.
        (
            "granularity=1m&from=2026-11-15T20:00:00Z&to=2026-11-15T21:00:00Z",
            Some("5m or 1h or 1d"),
        ),
        (
            "granularity=5m&from=2026-11-15T20:00:00Z&to=2026-11-15T21:00:00Z",
            None,
        ),
        // 40 days back: past 5m too.
        (
            "granularity=5m&from=2026-10-15T20:00:00Z&to=2026-10-15T21:00:00Z",
            Some("1h or 1d"),
        ),
        // The last hour, kept; compared with a year back, not.
        (
            "granularity=1m&from=2026-11-24T19:30:00Z&to=2026-11-24T20:30:00Z",
            None,
        ),
        (
            "granularity=1m&from=2026-11-24T19:30:00Z&to=2026-11-24T20:30:00Z&compare=year",
            Some("1h or 1d"),
        ),
        (
            "granularity=1m&from=2026-11-24T19:30:00Z&to=2026-11-24T20:30:00Z&compare=previous",
            None,
        ),
        (
            "granularity=1h&from=2026-11-24T19:00:00Z&to=2026-11-24T21:00:00Z&compare=year",
            None,
        ),
        // Just inside and just outside 8 days.
        (
            "granularity=1m&from=2026-11-16T20:31:00Z&to=2026-11-16T20:40:00Z",
            None,
        ),
        (
            "granularity=1m&from=2026-11-16T20:30:00Z&to=2026-11-16T20:40:00Z",
            Some("5m or 1h or 1d"),
        ),
    ] {
        let path = format!("/api/metrics/v1?metric=revenue&{query}");
        let (s, body) = get(&h.state, &path, Some(&t)).await;
        match covering {
            None => assert_eq!(s, StatusCode::OK, "{query}: {body}"),
            Some(covering) => {
                assert_error(s, &body, StatusCode::BAD_REQUEST);
                let message = body["error"].as_str().unwrap_or_default();
                assert!(
                    message.contains("are kept")
                        && message.ends_with(&format!("ask for {covering}")),
                    "{query}: {body}"
                );
            }
        }
    }
}

/// Check-ins are 5-minute rows: a window before they are kept is refused,
/// pointing to the hourly metric; a recent one is served.
#[tokio::test]
async fn check_ins_are_refused_before_their_rows_are_kept() {
    let h = harness();
    let t = token(&["v1"], false);
    let old = "/api/analytics/v1/checkins?from=2026-10-15T18:00:00Z&to=2026-10-15T21:00:00Z";
    let (s, body) = get(&h.state, old, Some(&t)).await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("granularity 1h or 1d"),
        "{body}"
    );
    let recent = "/api/analytics/v1/checkins?from=2026-11-24T18:00:00Z&to=2026-11-24T20:00:00Z";
    let (s, body) = get(&h.state, recent, Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let h = harness();
    let (s, body) = get(&h.state, "/api/nothing/here", None).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, _, body) = send(&h.state, "PATCH", "/api/dashboards/v1", None, None).await;
    assert_error(s, &body, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn flows_are_admin_only_and_list_every_type() {
    let h = harness();
    let (s, body) = get(
        &h.state,
        "/api/analytics/flows",
        Some(&token(&["v1"], false)),
    )
    .await;
    assert_error(s, &body, StatusCode::FORBIDDEN);
    let (s, body) = get(&h.state, "/api/analytics/flows", Some(&token(&[], true))).await;
    assert_eq!(s, StatusCode::OK);
    let flows = body["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 6);
    assert_eq!(flows[0]["type"], "ticket-purchase");
    assert_eq!(flows[0]["status"], "flowing");
    assert_eq!(flows[1]["status"], "never");
    assert!(flows[1]["source"].is_null());
    assert_eq!(flows[1]["dlqDepth"], 3);
    assert_eq!(body["silentAfterMinutes"], 15);
}

#[tokio::test]
async fn widgets_crud() {
    let h = harness();
    let t = token(&["v1"], false);
    let widget = json!({"title": "Revenue", "kind": "timeseries", "metric": "revenue", "granularity": "1h", "position": {"x": 0, "y": 0, "w": 6, "h": 3}});
    let (s, hdrs, created) = send(
        &h.state,
        "POST",
        "/api/widgets/v1",
        Some(&t),
        Some(widget.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["widgetId"].as_str().unwrap().to_owned();
    assert_eq!(hdrs[header::LOCATION], format!("/api/widgets/v1/{id}"));
    assert!(uuid::Uuid::parse_str(&id).is_ok());

    let (_, list) = get(&h.state, "/api/widgets/v1", Some(&t)).await;
    assert_eq!(list["widgets"].as_array().unwrap().len(), 1);

    let mut changed = widget.clone();
    changed["title"] = json!("Sales");
    let (s, _, updated) = send(
        &h.state,
        "PUT",
        &format!("/api/widgets/v1/{id}"),
        Some(&t),
        Some(changed.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(updated["title"], "Sales");
    assert_eq!(updated["createdAt"], created["createdAt"]);
    let (s, _, body) = send(
        &h.state,
        "PUT",
        "/api/widgets/v1/missing",
        Some(&t),
        Some(changed),
    )
    .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);

    let mut bad = widget.clone();
    bad["kind"] = json!("pie");
    let (s, _, body) = send(&h.state, "POST", "/api/widgets/v1", Some(&t), Some(bad)).await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, _, body) = send(
        &h.state,
        "POST",
        "/api/widgets/v1",
        Some(&t),
        Some(json!({"title": 1})),
    )
    .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);

    let (s, _, _) = send(
        &h.state,
        "DELETE",
        &format!("/api/widgets/v1/{id}"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, body) = send(
        &h.state,
        "DELETE",
        &format!("/api/widgets/v1/{id}"),
        Some(&t),
        None,
    )
    .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customer_erasure_is_audited() {
    let h = harness();
    let t = token(&["v1"], false);
    let (s, body) = get(&h.state, "/api/customers/v1", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["topCustomers"][0]["customerId"], "u1");
    assert_eq!(body["totals"]["customers"], 1);
    let (s, body) = get(&h.state, "/api/customers/v1/u1", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["averageLeadHours"], 28.5);

    let (s, _, _) = send(&h.state, "DELETE", "/api/customers/v1/u1", Some(&t), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let trail = h.docs.list("audit", "v1").await.unwrap();
    // The erasure's own record (intent first, then outcome), and the request's.
    let (audits, requests): (Vec<_>, Vec<_>) =
        trail.iter().partition(|d| d.get("action").is_some());
    assert_eq!(audits.len(), 1);
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (
            &requests[0]["sub"],
            &requests[0]["method"],
            &requests[0]["status"]
        ),
        (&json!("alice"), &json!("DELETE"), &json!(204))
    );
    assert_eq!(audits[0]["by"], "alice");
    assert_eq!(audits[0]["status"], "erased");
    assert_eq!(audits[0]["customerId"], "u1");
    let (s, _, body) = send(&h.state, "DELETE", "/api/customers/v1/u1", Some(&t), None).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = get(&h.state, "/api/customers/v1/u1", Some(&t)).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_group_answers_for_a_venue() {
    let h = harness();
    let t = token(&["v1"], false);
    h.docs
        .put(
            "report-run",
            "v1",
            "run-1",
            &json!({"runId": "run-1", "objectKeys": ["reports/v1/run-1.pdf"]}),
            None,
        )
        .await
        .unwrap();
    for group in [
        "dashboards",
        "metrics",
        "analytics",
        "realtime",
        "widgets",
        "customers",
        "campaigns",
        "insights",
        "predictions",
        "alerts",
        "reports",
        "exports",
    ] {
        let uri = if group == "metrics" {
            "/api/metrics/v1?metric=orders".to_owned()
        } else {
            format!("/api/{group}/v1")
        };
        let (s, body) = get(&h.state, &uri, Some(&t)).await;
        assert_eq!(s, StatusCode::OK, "{group}: {body}");
    }
    let (_, body) = get(&h.state, "/api/reports/v1", Some(&t)).await;
    assert_eq!(
        body["runs"][0]["downloads"][0]["url"],
        "https://objects.test/reports/v1/run-1.pdf?expires=900"
    );
    let (_, body) = get(&h.state, "/api/predictions/v1", Some(&t)).await;
    assert_eq!(
        body["models"]["sales"],
        "decay+baseline+pre-show-uplift/poisson-map"
    );
    assert_eq!(body["shows"][0]["sales"]["ticketsSold"], 2);
    let (_, body) = get(&h.state, "/api/realtime/v1", Some(&t)).await;
    assert_eq!(body["ticketsSold"], 2);
    assert_eq!(body["perMinute"].as_array().unwrap().len(), 15);
    let (_, body) = get(&h.state, "/api/campaigns/v1", Some(&t)).await;
    assert_eq!(body["campaigns"][0]["campaign"], "fall");
    let (_, body) = get(&h.state, "/api/venues", Some(&t)).await;
    assert_eq!(body["venues"][0]["venueId"], "v1");
    assert!(body.get("websocketUrl").is_none(), "{body}");
    let (_, body) = get(&h.state, "/api/venues", Some(&token(&["v9"], false))).await;
    assert_eq!(body["venues"], json!([]));
    // On AWS the page opens live updates on the WebSocket API.
    let wss = "wss://abc.execute-api.eu-west-1.amazonaws.com/prod";
    let state = h.state.clone().with_websocket_url(Some(wss.into()));
    let (_, body) = get(&state, "/api/venues", Some(&t)).await;
    assert_eq!(body["websocketUrl"], wss);
}

#[tokio::test]
async fn alert_and_report_documents_round_trip() {
    let h = harness();
    let t = token(&["v1"], false);
    let rule = json!({"name": "Slow", "kind": {"type": "threshold", "metric": "ticketsSold", "windowMinutes": 60, "op": "lt", "value": 5}});
    let (s, _, created) = send(&h.state, "POST", "/api/alerts/v1", Some(&t), Some(rule)).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    h.docs
        .put(
            "alert-state",
            "v1",
            "x",
            &json!({"ruleId": created["id"], "status": "firing"}),
            None,
        )
        .await
        .unwrap();
    let (_, overview) = get(&h.state, "/api/alerts/v1", Some(&t)).await;
    assert_eq!(overview["rules"][0]["createdBy"], "alice");
    assert_eq!(overview["firing"].as_array().unwrap().len(), 1);

    let def = json!({"name": "Weekly", "cadence": "weekly", "formats": ["pdf", "xlsx"], "recipients": ["gm@venue.example"]});
    let (s, _, created) = send(&h.state, "POST", "/api/reports/v1", Some(&t), Some(def)).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["timezone"], "America/New_York");
    let id = created["reportId"].as_str().unwrap();
    let (s, body) = get(&h.state, &format!("/api/reports/v1/{id}"), Some(&t)).await;
    assert_eq!((s, body["name"].as_str()), (StatusCode::OK, Some("Weekly")));
    let (s, body) = get(&h.state, "/api/reports/v1/runs", Some(&t)).await;
    assert_eq!((s, body["runs"].clone()), (StatusCode::OK, json!([])));
    let (s, _, body) = send(
        &h.state,
        "POST",
        "/api/reports/v1",
        Some(&t),
        Some(json!({"name": "x", "cadence": "hourly", "formats": ["pdf"]})),
    )
    .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn page_assets_and_openapi() {
    let h = harness();
    let res = app(h.state.clone())
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    let res = app(h.state.clone())
        .oneshot(Request::get("/assets/app.css").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    let (s, body) = get(&h.state, "/assets/nope.js", None).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);

    let res = app(h.state.clone())
        .oneshot(
            Request::get("/health")
                .header(header::ORIGIN, "https://elsewhere.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");

    let (s, doc) = get(&h.state, "/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/health",
        "/api/venues",
        "/api/dashboards/{venueId}",
        "/api/metrics/{venueId}",
        "/api/analytics/flows",
        "/api/analytics/{venueId}/breakdowns",
        "/api/realtime/{venueId}/ws",
        "/api/widgets/{venueId}/{widgetId}",
        "/api/customers/{venueId}/{customerId}",
        "/api/campaigns/{venueId}",
        "/api/insights/{venueId}",
        "/api/predictions/{venueId}",
        "/api/alerts/{venueId}/{ruleId}",
        "/api/reports/{venueId}/runs",
        "/api/exports/{venueId}",
        "/api/analytics/{venueId}/checkins",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    let metric_params: Vec<_> = paths["/api/metrics/{venueId}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        metric_params,
        [
            "venueId",
            "metric",
            "granularity",
            "from",
            "to",
            "eventId",
            "currency",
            "compare"
        ]
    );
    assert!(paths["/api/widgets/{venueId}"]["post"]["responses"]["201"].is_object());
    assert!(doc["components"]["schemas"]["DashboardSummary"].is_object());
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            for (code, response) in op["responses"].as_object().unwrap() {
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {code} lacks a description"
                );
            }
            let public = [
                "/",
                "/health",
                "/assets/{file}",
                "/api/openapi.json",
                "/api/sign-in",
                "/api/realtime/{venueId}/ws",
            ];
            assert_eq!(
                op["security"].is_array(),
                !public.contains(&path.as_str()),
                "{method} {path} security"
            );
        }
    }
}

#[tokio::test]
async fn the_sign_in_method_is_public_and_follows_the_configuration() {
    let h = harness();
    let (s, body) = get(&h.state, "/api/sign-in", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"mode": "token"}));
    let hosted = api::sign_in::SignIn::from_vars(|k| {
        let base = "https://va-1.auth.eu-west-1.amazoncognito.com";
        match k {
            "ANALYTICS_OAUTH_AUTHORIZE_URL" => Some(format!("{base}/oauth2/authorize")),
            "ANALYTICS_OAUTH_TOKEN_URL" => Some(format!("{base}/oauth2/token")),
            "ANALYTICS_OAUTH_CLIENT_ID" => Some("client-1".into()),
            _ => None,
        }
    })
    .unwrap();
    let state = h.state.clone().with_sign_in(hosted);
    let (s, body) = get(&state, "/api/sign-in", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["mode"], "oauth");
    assert_eq!(body["clientId"], "client-1");
    assert!(body.get("logoutUrl").is_none());
}

/// A show id is part of the rollup keys (`*` is the venue scope's): one
/// outside the id grammar is refused on every route that takes it, before
/// any read, instead of reading another scope or an empty one.
#[tokio::test]
async fn event_ids_outside_the_id_grammar_are_refused() {
    let h = harness();
    let t = token(&["v1"], false);
    let long = "x".repeat(300);
    for route in [
        "/api/dashboards/v1?",
        "/api/metrics/v1?metric=revenue&granularity=1h&",
        "/api/analytics/v1?",
        "/api/analytics/v1/funnel?",
        "/api/analytics/v1/breakdowns?dimension=tier&",
        "/api/analytics/v1/checkins?",
        "/api/analytics/v1/pacing?",
        "/api/campaigns/v1?",
        "/api/predictions/v1?",
    ] {
        for id in ["*", "%23", "a%20b", "tab%09", long.as_str()] {
            let path = format!("{route}eventId={id}");
            let (s, body) = get(&h.state, &path, Some(&t)).await;
            assert_error(s, &body, StatusCode::BAD_REQUEST);
            assert!(
                body["error"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("invalid_id: eventId"),
                "{path}: {body}"
            );
        }
    }
}

/// An HS256 token of the test secret with the given header and claims.
fn signed(header: &Value, claims: &Value) -> String {
    use base64::Engine as _;
    use jsonwebtoken::crypto::sign;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    // Issuing a token installs the API's crypto provider (each test may run
    // in its own process).
    let _ = token(&[], false);
    let input = format!("{}.{}", b64(header), b64(claims));
    let sig = sign(
        input.as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        jsonwebtoken::Algorithm::HS256,
    )
    .unwrap();
    format!("{input}.{sig}")
}

/// Tokens that verify but must not pass, and requests a verifier must not
/// guess about: each is refused with a JSON error, never served.
#[tokio::test]
async fn tokens_not_valid_yet_with_critical_extensions_or_doubled_are_refused() {
    let h = harness();
    let url = "/api/dashboards/v1";
    // jsonwebtoken checks exp and nbf against the system clock.
    let exp = Utc::now().timestamp() + 3600;
    let claims = |extra: Value| {
        let mut c = json!({"sub": "alice", "venues": ["v1"], "role": "viewer", "exp": exp});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        c
    };
    let plain = json!({"alg": "HS256", "typ": "JWT"});
    // The hand-made token is accepted as it is: what refuses the others is
    // what they add.
    let good = signed(&plain, &claims(json!({})));
    assert_eq!(get(&h.state, url, Some(&good)).await.0, StatusCode::OK);
    for (what, t) in [
        (
            "not valid for another day (nbf)",
            signed(
                &plain,
                &claims(json!({"nbf": Utc::now().timestamp() + 86_400})),
            ),
        ),
        (
            "a critical extension",
            signed(
                &json!({"alg": "HS256", "typ": "JWT", "crit": ["exp-v2"], "exp-v2": 1}),
                &claims(json!({})),
            ),
        ),
    ] {
        let (s, body) = get(&h.state, url, Some(&t)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_error(s, &body, StatusCode::UNAUTHORIZED);
    }
    // Two Authorization headers, good one first or second.
    for pair in [[&good[..], "garbage"], ["garbage", &good[..]]] {
        let mut req = Request::builder().uri(url);
        for t in pair {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let res = app(h.state.clone())
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_error(status, &body, StatusCode::UNAUTHORIZED);
    }
}

/// A body over the limit is 413 with the JSON error body, not a 400.
#[tokio::test]
async fn an_oversized_body_is_413() {
    let h = harness();
    let t = token(&["v1"], false);
    let big = json!({"name": "x".repeat(3 * 1024 * 1024)});
    let (s, _, body) = send(&h.state, "POST", "/api/widgets/v1", Some(&t), Some(big)).await;
    assert_error(s, &body, StatusCode::PAYLOAD_TOO_LARGE);
}
