//! The intelligence behind the dashboards against the emulator with the real
//! adapters: a silent flow fires an alert within its window and resolves
//! when events return (state, history, realtime push and webhook), and a
//! simulated show night gets real numbers from the predictions, customers,
//! insights and campaigns endpoints after the nightly insights job.

use std::sync::{Arc, Mutex};

use api::hub::RealtimeHub;
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::EventType;
use http_body_util::BodyExt;
use jobs::Ports;
use pipeline::Message;
use publisher::simulate::{SimConfig, Simulation, simulate};
use runner::LocalStack;
use serde_json::{Value, json};
use storage::{DynamoDocuments, DynamoReader, S3Objects, SqsQueueStats};
use tests::{stack, unique};
use tower::ServiceExt;

fn ports(local: &LocalStack, push: Option<RealtimeHub>) -> Ports {
    let (aws, names) = (&local.aws, &local.names);
    Ports {
        reader: Arc::new(DynamoReader::new(aws.dynamodb.clone(), names.clone())),
        docs: Arc::new(DynamoDocuments::new(
            aws.dynamodb.clone(),
            names.app.clone(),
        )),
        objects: Arc::new(S3Objects::new(aws.s3.clone(), names.reports_bucket.clone())),
        queues: Arc::new(SqsQueueStats::new(aws.sqs.clone(), names.dlq_urls.clone())),
        push: push.map(|h| Arc::new(h) as Arc<dyn domain::ports::RealtimePush>),
        mail: None,
    }
}

/// A request through the whole router with an admin token.
async fn call(
    local: &LocalStack,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (http::StatusCode, Value) {
    let state =
        runner::wiring::api_state(&local.aws, &local.names, RealtimeHub::default()).unwrap();
    call_on(state, method, path, body).await
}

/// A request through the whole router of `state` with an admin token.
async fn call_on(
    state: api::state::AppState,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (http::StatusCode, Value) {
    let token = api::auth::issue_token(&state.auth, "tests", &[], true, Duration::hours(1));
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.map_or_else(axum::body::Body::empty, |b| {
            axum::body::Body::from(b.to_string())
        }))
        .unwrap();
    let resp = api::app(state).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn get_ok(local: &LocalStack, path: &str) -> Value {
    let (status, body) = call(local, "GET", path, None).await;
    assert!(status.is_success(), "GET {path} → {status}: {body}");
    body
}

/// One event through the real ingest pipeline of its queue, with the ingest clock at `now`.
async fn ingest(
    local: &LocalStack,
    t: EventType,
    data: Value,
    time: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "specversion": "1.0", "id": id, "source": "intelligence-test", "type": t.as_str(),
        "time": time, "datacontenttype": "application/json", "data": data,
    });
    let pipeline = storage::wire::ingest_pipeline(t, &local.aws, &local.names)
        .with_clock(Arc::new(move || now));
    let out = pipeline
        .handle(&[Message {
            id: id.clone(),
            body: body.to_string(),
        }])
        .await;
    assert_eq!(
        (out.committed, out.quarantined, out.failed.len()),
        (1, 0, 0),
        "{t} event not committed: {out:?}"
    );
}

fn purchase(venue: &str, show: &str) -> Value {
    json!({"orderId": unique("ord"), "ticketId": unique("tkt"), "eventId": show, "venueId": venue, "userId": "user-1",
        "amount": 4500, "currency": "USD", "quantity": 1, "tier": "GA", "channel": "web"})
}

/// Records the JSON bodies POSTed to it.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = Arc::clone(&got);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = Arc::clone(&sink);
            async move {
                sink.lock().unwrap().push(v);
                http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_flow_fires_within_its_window_and_resolves_when_events_return() {
    let local = stack().await;
    let venue = unique("venue");
    let show = unique("show");
    // The ingest clock and the jobs' `now` run ahead of the wall clock, so
    // other tests ingesting in real time cannot touch this one's window.
    let t0 = (Utc::now() + Duration::days(1))
        .duration_trunc(Duration::minutes(1))
        .unwrap();
    let venue_data = json!({"venueId": venue, "name": "Quiet Hall", "timezone": "UTC", "capacity": 300, "currency": "USD",
        "shows": [{"eventId": show, "name": "Late Show", "startsAt": t0 + Duration::days(7), "capacity": 300, "onSaleAt": t0 - Duration::days(1)}]});
    ingest(
        &local,
        EventType::VenueUpdate,
        venue_data,
        t0 - Duration::hours(1),
        t0,
    )
    .await;
    ingest(
        &local,
        EventType::TicketPurchase,
        purchase(&venue, &show),
        t0 - Duration::seconds(30),
        t0,
    )
    .await;

    // A rule through the API: an invalid one is refused with every problem, a valid one stored.
    let bad = json!({"name": "", "kind": {"type": "flowSilent", "eventType": "ticket-sale", "minutes": 0}});
    let (status, body) = call(&local, "POST", &format!("/api/alerts/{venue}"), Some(bad)).await;
    assert_eq!(status, http::StatusCode::BAD_REQUEST, "{body}");
    let msg = body["error"].as_str().unwrap();
    assert!(
        msg.contains("name must not be empty")
            && msg.contains("unknown event type")
            && msg.contains("minutes must be between"),
        "{msg}"
    );
    let (hook, received) = webhook_receiver().await;
    let rule = json!({"name": "Ticket sales silent", "kind": {"type": "flowSilent", "eventType": "ticket-purchase", "minutes": 10}, "webhookUrl": hook});
    let (status, created) = call(&local, "POST", &format!("/api/alerts/{venue}"), Some(rule)).await;
    assert_eq!(status, http::StatusCode::CREATED, "{created}");
    let rule_id = created["id"].as_str().unwrap().to_owned();

    let hub = RealtimeHub::default();
    let mut dashboards = hub.subscribe();
    let ports = ports(&local, Some(hub));
    let state = |ports: &Ports| {
        let (ports, venue, rule_id) = (ports.clone(), venue.clone(), rule_id.clone());
        async move {
            ports
                .docs
                .get(jobs::alerts::STATE_KIND, &venue, &rule_id)
                .await
                .unwrap()
                .expect("a stored state")
        }
    };

    // 5 minutes after the last purchase: within the window.
    jobs::alerts::run(&ports, t0 + Duration::minutes(5))
        .await
        .unwrap();
    let s = state(&ports).await;
    assert_eq!(s["status"], "ok", "{s}");
    assert!(received.lock().unwrap().is_empty());

    // 12 minutes of silence: fires once, with history, push and webhook.
    let fired_at = t0 + Duration::minutes(12);
    let summary = jobs::alerts::run(&ports, fired_at).await.unwrap();
    assert!(
        summary.fired >= 1 && summary.webhooks_sent >= 1,
        "{summary:?}"
    );
    let s = state(&ports).await;
    assert_eq!(s["status"], "firing", "{s}");
    assert_eq!(
        s["since"]
            .as_str()
            .and_then(|t| t.parse::<DateTime<Utc>>().ok()),
        Some(fired_at),
        "{s}"
    );
    assert!(
        s["message"].as_str().unwrap().contains("ticket-purchase"),
        "{s}"
    );
    let pushed = loop {
        let m = dashboards.recv().await.unwrap();
        if m.venue == venue {
            break m.message.clone();
        }
    };
    assert_eq!(
        (
            pushed["type"].as_str(),
            pushed["kind"].as_str(),
            pushed["ruleId"].as_str()
        ),
        (Some("alert"), Some("fired"), Some(rule_id.as_str()))
    );
    {
        let hooks = received.lock().unwrap();
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0]["kind"], "fired");
        assert_eq!(hooks[0]["venueId"], venue.as_str());
    }
    let overview = get_ok(&local, &format!("/api/alerts/{venue}")).await;
    assert_eq!(
        overview["firing"].as_array().unwrap().len(),
        1,
        "{overview}"
    );
    assert_eq!(overview["firing"][0]["ruleId"], rule_id.as_str());
    assert_eq!(overview["firing"][0]["name"], "Ticket sales silent");
    assert_eq!(overview["history"][0]["kind"], "fired");

    // Still silent a minute later: still firing, no second notification.
    let summary = jobs::alerts::run(&ports, fired_at + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(state(&ports).await["since"], s["since"]);
    assert_eq!(received.lock().unwrap().len(), 1, "{summary:?}");

    // Events return: one purchase through the pipeline, then the next run resolves.
    let back = fired_at + Duration::minutes(3);
    ingest(
        &local,
        EventType::TicketPurchase,
        purchase(&venue, &show),
        back - Duration::seconds(10),
        back,
    )
    .await;
    let summary = jobs::alerts::run(&ports, back + Duration::minutes(1))
        .await
        .unwrap();
    assert!(summary.resolved >= 1, "{summary:?}");
    assert_eq!(state(&ports).await["status"], "resolved");
    assert_eq!(received.lock().unwrap().last().unwrap()["kind"], "resolved");
    let overview = get_ok(&local, &format!("/api/alerts/{venue}")).await;
    assert_eq!(overview["firing"], json!([]));
    let kinds: Vec<&str> = overview["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["resolved", "fired"], "newest first");
}

fn night(venue: &str, now: DateTime<Utc>) -> Simulation {
    let mut cfg = SimConfig::new(now, 7);
    cfg.venue_id = venue.to_owned();
    cfg.show_id = unique("show");
    cfg.scale = 0.5;
    simulate(&cfg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_venue_gets_forecasts_segments_and_campaigns() {
    let local = stack().await;
    let venue = unique("venue");
    let now = Utc::now();
    let sim = night(&venue, now);
    tests::ingest_simulation(&local.aws, &local.names, &sim, 50).await;
    let show = &sim.expected.show_id;
    let expected = &sim.expected.show;

    // Predictions for the show: the model on its real hourly sales and scans.
    let p = get_ok(&local, &format!("/api/predictions/{venue}?eventId={show}")).await;
    let sales = &p["sales"];
    assert_eq!(
        sales["ticketsSold"].as_i64(),
        Some(expected.tickets_sold),
        "{p}"
    );
    let projected = sales["projectedFinalTickets"].as_i64().unwrap();
    let (low, high) = (
        sales["intervalLow"].as_i64().unwrap(),
        sales["intervalHigh"].as_i64().unwrap(),
    );
    assert!(
        expected.tickets_sold <= low && low <= projected && projected <= high,
        "{sales}"
    );
    assert!(high <= sales["capacity"].as_i64().unwrap(), "{sales}");
    assert_eq!(sales["onSaleSource"], "show");
    assert!(
        sales["sellOutProbability"]
            .as_f64()
            .is_some_and(|x| (0.0..=1.0).contains(&x)),
        "{sales}"
    );
    assert!(sales["projectedSellOutAt"].is_null() || sales["projectedSellOutAt"].is_string());
    let att = &p["attendance"];
    assert_eq!(
        att["admittedSoFar"].as_i64(),
        Some(expected.scans_admitted),
        "{att}"
    );
    assert!(
        att["doorsOpenedAt"].is_string(),
        "doors opened 90 minutes ago: {att}"
    );
    let expected_att = att["expectedAttendance"].as_i64().unwrap();
    assert!(
        expected.scans_admitted <= expected_att && expected_att <= expected.tickets_sold,
        "{att}"
    );
    assert_eq!(
        att["expectedNoShows"].as_i64(),
        Some(expected.tickets_sold - expected_att)
    );
    println!("forecast of the simulated show: {sales}\nattendance: {att}");
    let list = get_ok(&local, &format!("/api/predictions/{venue}")).await;
    assert!(
        list["shows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["eventId"] == show.as_str()),
        "{list}"
    );

    // Customers before the nightly job: scored live; after it: the stored insights.
    let live = get_ok(&local, &format!("/api/customers/{venue}")).await;
    assert_eq!(live["model"]["source"], "live", "{}", live["model"]);
    let summary = jobs::insights::run(&ports(&local, None), now)
        .await
        .unwrap();
    let mine = summary
        .per_venue
        .iter()
        .find(|v| v.venue_id == venue)
        .expect("the venue was fitted");
    println!(
        "insights job: {} venues, {} customers; this venue {mine:?}",
        summary.venues, summary.customers
    );
    let c = get_ok(&local, &format!("/api/customers/{venue}?limit=5")).await;
    assert_eq!(c["model"]["source"], "nightly", "{}", c["model"]);
    assert_eq!(
        c["model"]["customers"].as_u64(),
        Some(mine.customers as u64)
    );
    let customers = c["totals"]["customers"].as_i64().unwrap();
    let segmented: i64 = c["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["customers"].as_i64().unwrap())
        .sum();
    assert!(customers > 20 && segmented == customers, "{c}");
    let revenue: i64 = c["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["revenue"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(revenue, c["totals"]["revenue"]["amount"].as_i64().unwrap());
    let top = c["topCustomers"].as_array().unwrap();
    assert_eq!(top.len(), 5);
    let ltv: Vec<i64> = top
        .iter()
        .map(|t| t["lifetimeValue"]["amount"].as_i64().unwrap())
        .collect();
    assert!(
        ltv.windows(2).all(|w| w[0] >= w[1]),
        "by lifetime value: {ltv:?}"
    );
    let one = get_ok(
        &local,
        &format!(
            "/api/customers/{venue}/{}",
            top[0]["customerId"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(one["insight"]["lifetimeValue"].as_i64(), Some(ltv[0]));
    assert_eq!(one["model"]["source"], "nightly");

    let i = get_ok(&local, &format!("/api/insights/{venue}")).await;
    assert_eq!(i["method"], c["model"]["model"]);
    assert!(
        i["predictedRevenue12m"]["amount"].as_i64().unwrap() > 0,
        "{i}"
    );
    assert!(
        i["busiestHour"].is_u64() && i["repeatPurchaseRate"].is_f64(),
        "{i}"
    );
    println!(
        "insights: method {} fallback {} segments {}",
        i["method"], i["model"]["fallbackReason"], i["segments"]
    );

    let camp = get_ok(&local, &format!("/api/campaigns/{venue}")).await;
    let campaigns = camp["campaigns"].as_array().unwrap();
    let revenue: i64 = campaigns
        .iter()
        .map(|c| c["revenue"]["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(
        revenue,
        sim.expected.venue.revenue_by_campaign.values().sum::<i64>(),
        "{camp}"
    );
    assert!(
        campaigns.iter().any(
            |c| c["reach"].as_i64().unwrap() > 0 && c["conversionRate"].as_f64().unwrap() > 0.0
        ),
        "{camp}"
    );
    assert!(camp["notes"][0].as_str().unwrap().contains("not tracked"));
}

/// The customers routes read a bounded amount whatever the venue's size: a
/// venue over the live-fit limit (set to 10 here, 2,000 deployed) pages its
/// customers by cursor before the nightly job has run, says its summary is
/// pending, and after the job answers from the stored customer base. The
/// expected ids and money come from the purchases sent, not from the code.
#[tokio::test]
async fn a_large_venue_pages_its_customers_and_reads_the_nightly_summary() {
    let local = stack().await;
    let venue = unique("big-venue");
    let now = Utc::now();
    let mut expected: std::collections::BTreeMap<String, i64> = Default::default();
    let mut messages = Vec::new();
    for i in 0..25 {
        // Customers 0–4 buy three times: repeat buyers for the model.
        for k in 0..if i < 5 { 3 } else { 1 } {
            let user = format!("fan-{i:02}");
            let amount = 1000 + 100 * i + 10 * k;
            *expected.entry(user.clone()).or_default() += amount;
            let time = now - Duration::days(30 - 7 * k) + Duration::minutes(i);
            messages.push(Message {
                id: format!("m{i}-{k}"),
                body: json!({"specversion":"1.0","id":unique("p"),"source":"ticket-service","type":"ticket-purchase",
                    "time":time.to_rfc3339(),"data":{"orderId":format!("o-{i}-{k}"),"ticketId":format!("t-{i}-{k}"),"eventId":"show-1","venueId":venue,
                    "userId":user,"amount":amount,"currency":"EUR","quantity":1,"tier":"GA"}})
                .to_string(),
            });
        }
    }
    let store = Arc::new(storage::DynamoIngest::new(
        local.aws.dynamodb.clone(),
        local.names.clone(),
    ));
    let quarantine = tests::quarantine(&local);
    let outcome =
        pipeline::Pipeline::new(EventType::TicketPurchase, store.clone(), quarantine.clone())
            .handle(&messages)
            .await;
    assert_eq!(outcome.committed, messages.len(), "{outcome:?}");
    // The nightly job covers the venues that sent a venue-update (see the note on #11).
    let update = Message {
        id: "vu".into(),
        body: json!({"specversion":"1.0","id":unique("vu"),"source":"venue-service","type":"venue-update",
            "time":now.to_rfc3339(),"data":{"venueId":venue,"name":"Big","timezone":"Europe/Berlin","capacity":900,"currency":"EUR","shows":[]}})
        .to_string(),
    };
    let outcome = pipeline::Pipeline::new(EventType::VenueUpdate, store, quarantine)
        .handle(&[update])
        .await;
    assert_eq!(outcome.committed, 1, "{outcome:?}");

    let state = || {
        runner::wiring::api_state(&local.aws, &local.names, RealtimeHub::default())
            .unwrap()
            .with_live_fit_max(10)
    };
    let get = |path: String| async move {
        let (status, body) = call_on(state(), "GET", &path, None).await;
        (status, body)
    };
    // Before the job: pages only, every id once, in id order.
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/customers/{venue}?limit=10&cursor={c}"),
            None => format!("/api/customers/{venue}?limit=10"),
        };
        let (status, page) = get(path).await;
        assert_eq!(status, http::StatusCode::OK, "{page}");
        assert!(
            page["totals"].is_null() && page["model"].is_null(),
            "no summary yet: {page}"
        );
        let rows = page["customers"].as_array().unwrap();
        assert!(rows.len() <= 10);
        ids.extend(
            rows.iter()
                .map(|r| r["customerId"].as_str().unwrap().to_owned()),
        );
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(ids, expected.keys().cloned().collect::<Vec<_>>());
    let (status, body) = get(format!("/api/insights/{venue}")).await;
    assert_eq!(status, http::StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("nightly"),
        "{body}"
    );
    let (status, body) = get(format!("/api/customers/{venue}?cursor=not-ours!")).await;
    assert_eq!(status, http::StatusCode::BAD_REQUEST, "{body}");

    // After the job: the stored base, and pages scored with its model.
    jobs::insights::run(&ports(&local, None), now)
        .await
        .unwrap();
    let (status, c) = get(format!("/api/customers/{venue}?limit=5")).await;
    assert_eq!(status, http::StatusCode::OK, "{c}");
    assert_eq!(c["totals"]["customers"], 25);
    assert_eq!(c["totals"]["orders"], 35);
    assert_eq!(
        c["totals"]["revenue"]["amount"].as_i64(),
        Some(expected.values().sum::<i64>())
    );
    assert_eq!(c["totals"]["revenue"]["currency"], "EUR");
    assert_eq!(c["model"]["source"], "nightly", "{}", c["model"]);
    let top = c["topCustomers"].as_array().unwrap();
    assert_eq!(top.len(), 5);
    let ltv: Vec<i64> = top
        .iter()
        .map(|t| t["lifetimeValue"]["amount"].as_i64().unwrap())
        .collect();
    assert!(ltv.windows(2).all(|w| w[0] >= w[1]), "{ltv:?}");
    assert!(
        c["customers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["lifetimeValue"].is_object()),
        "{c}"
    );
    let (status, i) = get(format!("/api/insights/{venue}")).await;
    assert_eq!(status, http::StatusCode::OK, "{i}");
    assert_eq!(i["customers"], 25);
    assert_eq!(i["repeatPurchaseRate"], 0.2);

    // An erased customer leaves the stored top list too.
    let gone = top[0]["customerId"].as_str().unwrap().to_owned();
    let (status, _) = call_on(
        state(),
        "DELETE",
        &format!("/api/customers/{venue}/{gone}"),
        None,
    )
    .await;
    assert_eq!(status, http::StatusCode::NO_CONTENT);
    let (_, c) = get(format!("/api/customers/{venue}?limit=100")).await;
    let listed = |key: &str| {
        c[key]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["customerId"] == gone.as_str())
    };
    assert!(!listed("topCustomers") && !listed("customers"), "{c}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_venue_is_scored_between_nights_when_it_has_something_new() {
    let local = stack().await;
    let venue = unique("venue");
    let show = unique("show");
    let t0 = Utc::now();
    let venue_data =
        json!({"venueId": venue, "name": "New Hall", "timezone": "UTC", "currency": "USD"});
    ingest(
        &local,
        EventType::VenueUpdate,
        venue_data,
        t0 - Duration::hours(5),
        t0,
    )
    .await;
    for k in 0..3 {
        let mut p = purchase(&venue, &show);
        p["userId"] = json!(format!("user-{k}"));
        ingest(
            &local,
            EventType::TicketPurchase,
            p,
            t0 - Duration::hours(k),
            t0,
        )
        .await;
    }
    let ports = ports(&local, None);
    // Only this venue: the shared emulator holds every test's venues.
    let mine = [venue.clone()];
    let refitted = |s: &jobs::insights::RefreshSummary| s.refitted.contains(&venue);

    // No scores yet: scored at once, by the refresh, with what it saw.
    let first = jobs::insights::refresh_venues(&ports, &mine, t0)
        .await
        .unwrap();
    assert!(refitted(&first), "{first:?}");
    let base = get_ok(&local, &format!("/api/customers/{venue}")).await;
    assert_eq!(base["model"]["source"], "scheduled", "{base}");
    assert_eq!(base["totals"]["customers"].as_i64(), Some(3), "{base}");

    // Nothing new: the scores stand.
    let again = jobs::insights::refresh_venues(&ports, &mine, t0 + Duration::minutes(5))
        .await
        .unwrap();
    assert!(!refitted(&again), "{again:?}");

    // A new purchase: scored again once the venue's interval since the last
    // fit (15 min for a small venue) has passed, not before.
    let t1 = t0 + Duration::minutes(6);
    ingest(
        &local,
        EventType::TicketPurchase,
        purchase(&venue, &show),
        t1 - Duration::minutes(1),
        t1,
    )
    .await;
    assert_eq!(jobs::insights::refresh_interval(3), Duration::minutes(15));
    let early = jobs::insights::refresh_venues(&ports, &mine, t0 + Duration::minutes(10))
        .await
        .unwrap();
    assert!(
        !refitted(&early),
        "within 15 minutes of the last fit: {early:?}"
    );
    let due = jobs::insights::refresh_venues(&ports, &mine, t0 + Duration::minutes(16))
        .await
        .unwrap();
    assert!(refitted(&due), "{due:?}");
    assert_eq!(jobs::insights::refresh_interval(50_000), Duration::hours(6));
}
