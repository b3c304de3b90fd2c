//! Reports and exports against the emulator with the real adapters: a
//! simulated night ingested through the real pipeline, then the report's
//! numbers checked against the dashboard's, scheduled runs re-run without
//! duplicates, and files downloaded through the API's presigned links.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::Granularity;
use http_body_util::BodyExt;
use jobs::Ports;
use jobs::reports::{
    Breakdown, DEF_KIND, Period, ReportData, ReportDef, build_report_data, due_runs,
    local_day_start, run_due,
};
use publisher::simulate::{SimConfig, Simulation, simulate};
use runner::LocalStack;
use serde_json::{Value, json};
use tests::{stack, unique};
use tower::ServiceExt;

struct World {
    local: Arc<LocalStack>,
    venue: String,
    sim: Simulation,
    ports: Ports,
    /// Whole venue-local days covering every simulated event.
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    period: Period,
}

/// A fresh venue with a small simulated night, ingested through the real pipeline.
async fn world(seed: u64) -> World {
    let local = stack().await;
    let venue = unique("venue");
    let now = Utc::now();
    let mut cfg = SimConfig::new(now, seed);
    cfg.venue_id.clone_from(&venue);
    cfg.show_id = unique("show");
    cfg.scale = 0.15;
    let tz = cfg.timezone;
    let sim = simulate(&cfg);
    tests::ingest_simulation(&local.aws, &local.names, &sim, 100).await;
    let today = now.with_timezone(&tz).date_naive();
    let from = local_day_start(today - Duration::days(10), tz);
    let to = local_day_start(today + Duration::days(1), tz);
    let ports = runner::schedules::job_ports(&local.aws, &local.names, None);
    World {
        local,
        venue,
        sim,
        ports,
        from,
        to,
        period: Period::new(from, to, tz),
    }
}

fn state(local: &LocalStack) -> api::AppState {
    runner::wiring::api_state(&local.aws, &local.names, api::hub::RealtimeHub::default()).unwrap()
}

async fn call(
    local: &LocalStack,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (http::StatusCode, Value) {
    let state = state(local);
    let token = api::auth::issue_token(&state.auth, "tests", &[], true, Duration::hours(1));
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            body.map(|b| b.to_string()).unwrap_or_default(),
        ))
        .unwrap();
    let resp = api::app(state).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)})),
    )
}

/// Creates a report definition through the API; answers it.
async fn create_report(w: &World, def: Value) -> Value {
    let (status, created) = call(
        &w.local,
        "POST",
        &format!("/api/reports/{}", w.venue),
        Some(def),
    )
    .await;
    assert_eq!(status, http::StatusCode::CREATED, "{created}");
    created
}

async fn get_ok(local: &LocalStack, path: &str) -> Value {
    let (status, body) = call(local, "GET", path, None).await;
    assert!(status.is_success(), "GET {path} → {status}: {body}");
    body
}

/// The report's KPIs and breakdowns against the dashboard's JSON for the same scope.
fn assert_same_numbers(data: &ReportData, dash: &Value, scope: &str) {
    let k = &data.kpis;
    let int = |v: &Value| {
        v.as_i64()
            .unwrap_or_else(|| panic!("{scope}: {v} is not an integer"))
    };
    let pairs = [
        ("revenue", k.revenue, &dash["revenue"]["amount"]),
        ("ticketsSold", k.tickets_sold, &dash["ticketsSold"]),
        ("orders", k.orders, &dash["orders"]),
        (
            "averageOrderValue",
            k.average_order_value,
            &dash["averageOrderValue"]["amount"],
        ),
        (
            "scans.admitted",
            k.scans_admitted,
            &dash["scans"]["admitted"],
        ),
        (
            "scans.rejected",
            k.scans_rejected,
            &dash["scans"]["rejected"],
        ),
        (
            "scans.duplicate",
            k.scans_duplicate,
            &dash["scans"]["duplicate"],
        ),
        ("pageViews", k.page_views, &dash["pageViews"]),
        ("cart.adds", k.cart_adds, &dash["cart"]["adds"]),
        (
            "cart.checkouts",
            k.cart_checkouts,
            &dash["cart"]["checkouts"],
        ),
        ("cart.abandons", k.cart_abandons, &dash["cart"]["abandons"]),
    ];
    for (name, ours, theirs) in pairs {
        assert_eq!(ours, int(theirs), "{scope}: {name}");
    }
    assert_eq!(
        k.attendance_rate,
        dash["attendanceRate"].as_f64(),
        "{scope}: attendanceRate"
    );
    assert_eq!(
        k.conversion_rate,
        dash["funnel"]["viewToPurchase"].as_f64(),
        "{scope}: conversion"
    );
    assert_eq!(
        data.currency,
        dash["currency"].as_str().unwrap(),
        "{scope}: currency"
    );
    let keyed = |list: &Value, amount: &dyn Fn(&Value) -> i64| -> Vec<(String, i64)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|b| (b["key"].as_str().unwrap().to_owned(), amount(b)))
            .collect()
    };
    let ours = |list: &[Breakdown], f: &dyn Fn(&Breakdown) -> i64| -> Vec<(String, i64)> {
        list.iter().map(|b| (b.key.clone(), f(b))).collect()
    };
    assert_eq!(
        ours(&data.tiers, &|b| b.revenue),
        keyed(&dash["byTier"], &|b| int(&b["revenue"]["amount"])),
        "{scope}: tiers"
    );
    assert_eq!(
        ours(&data.channels, &|b| b.tickets_sold),
        keyed(&dash["byChannel"], &|b| int(&b["ticketsSold"])),
        "{scope}: channels"
    );
    assert_eq!(
        ours(&data.campaigns, &|b| b.page_views),
        keyed(&dash["byCampaign"], &|b| int(&b["pageViews"])),
        "{scope}: campaigns"
    );
    let mut doors = ours(&data.entry_points, &|b| b.scans_admitted);
    doors.sort();
    assert_eq!(
        doors,
        keyed(&dash["byEntryPoint"], &|b| int(&b["admitted"])),
        "{scope}: entry points"
    );
    // The series add up to the headline numbers.
    assert_eq!(
        data.rows.iter().map(|r| r.revenue).sum::<i64>(),
        k.revenue,
        "{scope}: hourly rows"
    );
    assert_eq!(
        data.daily.iter().map(|r| r.tickets_sold).sum::<i64>(),
        k.tickets_sold,
        "{scope}: daily rows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_numbers_equal_the_dashboard() {
    let w = world(21).await;
    let now = Utc::now();
    let data = build_report_data(
        w.ports.reader.as_ref(),
        &w.venue,
        None,
        w.from,
        w.to,
        Granularity::Hour,
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        data.kpis.revenue, w.sim.expected.venue.revenue,
        "the report sees every valid event"
    );
    assert!(
        data.kpis.tickets_sold > 0 && data.kpis.scans_admitted > 0 && !data.segments.is_empty()
    );
    let dash = get_ok(&w.local, &format!("/api/dashboards/{}", w.venue)).await;
    assert_same_numbers(&data, &dash, "venue");

    let show = w.sim.expected.show_id.clone();
    let data = build_report_data(
        w.ports.reader.as_ref(),
        &w.venue,
        Some(&show),
        w.from,
        w.to,
        Granularity::Day,
        now,
    )
    .await
    .unwrap();
    assert_eq!(data.show_name.as_deref(), Some("The Midnight Owls"));
    assert_eq!(data.rows, data.daily, "1d rows are the venue-local days");
    let dash = get_ok(
        &w.local,
        &format!("/api/dashboards/{}?eventId={show}", w.venue),
    )
    .await;
    assert_same_numbers(&data, &dash, "show");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_runs_are_idempotent_and_download_through_the_api() {
    let w = world(22).await;
    let def = json!({"name": "Launch week", "cadence": "once", "formats": ["pdf", "xlsx", "csv"],
        "from": w.from, "to": w.to});
    let created = create_report(&w, def).await;
    let report_id = created["reportId"].as_str().unwrap().to_owned();
    let prefix = format!("reports/{}/{report_id}/", w.venue);

    // Not due before the range has ended. (Judged on the stored definition:
    // other tests' passes at later times run every venue's due reports, this
    // one's included, so the object store may already hold it.)
    let stored = w
        .ports
        .docs
        .get(DEF_KIND, &w.venue, &report_id)
        .await
        .unwrap()
        .expect("the stored definition");
    let stored = ReportDef::from_doc(&stored).unwrap();
    assert!(due_runs(std::slice::from_ref(&stored), w.to - Duration::hours(1)).is_empty());
    assert_eq!(due_runs(&[stored], w.to + Duration::hours(2)).len(), 1);
    run_due(&w.ports, w.to - Duration::hours(1)).await.unwrap();

    let after = w.to + Duration::hours(2);
    run_due(&w.ports, after).await.unwrap();
    let mut first = w.ports.objects.list_keys(&prefix).await.unwrap();
    first.sort();
    assert_eq!(first.len(), 3, "{first:?}");
    let slug = w.period.slug();
    assert!(
        slug.len() == 21 && !slug.contains('T'),
        "whole local days are named by their dates: {slug}"
    );
    assert!(
        first.iter().all(|k| k.contains(&slug)),
        "{first:?} named by the local period {slug}"
    );

    // The next pass skips the done period; a forced re-run overwrites the same keys and run.
    run_due(&w.ports, after + Duration::hours(1)).await.unwrap();
    let (status, rerun) = call(
        &w.local,
        "POST",
        &format!("/api/reports/{}/{report_id}/run", w.venue),
        None,
    )
    .await;
    assert_eq!(status, http::StatusCode::OK, "{rerun}");
    let mut again = w.ports.objects.list_keys(&prefix).await.unwrap();
    again.sort();
    assert_eq!(first, again, "re-running a period never duplicates files");
    let runs = get_ok(&w.local, &format!("/api/reports/{}/runs", w.venue)).await;
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run document per period: {runs:?}");
    let run = &runs[0];
    assert_eq!(
        (run["status"].as_str(), run["trigger"].as_str()),
        (Some("succeeded"), Some("manual"))
    );

    // The PDF through its presigned link equals the stored object.
    let pdf = run["downloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"].as_str().unwrap().ends_with(".pdf"))
        .unwrap();
    let resp = reqwest::get(pdf["url"].as_str().unwrap()).await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=") && disposition.contains(&slug),
        "{disposition}"
    );
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let stored = w
        .ports
        .objects
        .get_object(pdf["key"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bytes.as_ref(), stored.as_slice());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_render_inline_or_as_a_pending_job() {
    let w = world(23).await;
    let path = format!("/api/exports/{}", w.venue);
    let (status, small) = call(
        &w.local,
        "POST",
        &path,
        Some(json!({"from": w.from, "to": w.to, "format": "csv"})),
    )
    .await;
    assert_eq!(status, http::StatusCode::CREATED, "{small}");
    assert_eq!(small["status"], "succeeded");
    let csv = reqwest::get(small["downloads"][0]["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().contains("revenue"), "{csv}");
    let hours = usize::try_from((w.to - w.from).num_hours()).unwrap();
    assert!(lines.count() <= hours, "at most one line per hour");

    let year = json!({"from": w.to - Duration::days(365), "to": w.to, "format": "xlsx"});
    let (status, big) = call(&w.local, "POST", &path, Some(year)).await;
    assert_eq!(status, http::StatusCode::ACCEPTED, "{big}");
    assert_eq!(big["status"], "pending");
    let job = big["jobId"].as_str().unwrap().to_owned();
    jobs::exports::run_pending(&w.ports, Utc::now())
        .await
        .unwrap();
    let done = get_ok(&w.local, &format!("{path}/{job}")).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let xlsx = reqwest::get(done["downloads"][0]["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip");

    let (status, bad) = call(
        &w.local,
        "POST",
        &path,
        Some(json!({"from": w.to, "to": w.from})),
    )
    .await;
    assert_eq!(status, http::StatusCode::BAD_REQUEST, "{bad}");
}

/// The messages sent to `to`.
async fn inbox(to: &str) -> Vec<String> {
    runner::emulator::sent_mail(&tests::endpoint())
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to.iter().any(|d| d.contains(to)))
        .map(|m| m.raw)
        .collect()
}

fn links_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_reports_reach_their_recipients_through_ses() {
    use mail_parser::{MessageParser, MimeHeaders};

    let w = world(31).await;
    let (gm, ops, away) = (
        format!("gm-{}@inbox.example", w.venue),
        format!("ops-{}@inbox.example", w.venue),
        format!("away-{}@inbox.example", w.venue),
    );
    let def = json!({"name": "Launch week", "cadence": "once", "formats": ["pdf", "xlsx", "csv"],
        "from": w.from, "to": w.to, "recipients": [gm, ops, away], "pausedRecipients": [away]});
    let created = create_report(&w, def).await;
    let report_id = created["reportId"].as_str().unwrap().to_owned();
    assert!(w.ports.mail.is_some(), "the local stack has a sender");

    let after = w.to + Duration::hours(2);
    let summary = run_due(&w.ports, after).await.unwrap();
    // (Other tests' venues share the emulator: count this venue's inboxes.)
    assert!(summary.emails_sent >= 2, "{summary:?}");
    // A second pass sends nothing again.
    run_due(&w.ports, after + Duration::hours(1)).await.unwrap();
    assert!(
        inbox(&away).await.is_empty(),
        "a paused recipient gets nothing"
    );
    let ops_mail = inbox(&ops).await;
    assert_eq!(ops_mail.len(), 1, "one message per recipient, once");

    let raw = inbox(&gm).await;
    assert_eq!(raw.len(), 1);
    let msg = MessageParser::default().parse(raw[0].as_bytes()).unwrap();
    assert!(
        !raw[0].contains(&ops),
        "recipients never see each other's address"
    );
    // Subject and body: the venue, the period (venue-local), the headline
    // figures — net revenue from the simulation's own totals.
    let e = &w.sim.expected.venue;
    let net = reports::format_money(e.revenue - e.refunded_amount, &w.sim.expected.currency);
    let period = format!(
        "{} – {}",
        w.from.with_timezone(&w.period.tz).format("%-d %b %Y"),
        (w.to - Duration::seconds(1))
            .with_timezone(&w.period.tz)
            .format("%-d %b %Y")
    );
    let subject = msg.subject().unwrap();
    for want in ["Riverside Hall", "Launch week", &period, &net] {
        assert!(
            subject.contains(want),
            "{want:?} not in subject {subject:?}"
        );
    }
    let text = msg.body_text(0).unwrap();
    for want in [
        &"Net revenue".to_owned(),
        &net,
        &reports::format_money(e.revenue, &w.sim.expected.currency),
        &format!("{}", e.tickets_sold),
    ] {
        assert!(text.contains(want.as_str()), "{want:?} not in\n{text}");
    }
    assert!(msg.body_html(0).unwrap().contains("<table>"));
    // The PDF attached, byte for byte the stored one; XLSX and CSV as links.
    let prefix = format!("reports/{}/{report_id}/", w.venue);
    let keys = w.ports.objects.list_keys(&prefix).await.unwrap();
    let stored = |ext: &str| {
        let key = keys.iter().find(|k| k.ends_with(ext)).unwrap().clone();
        let objects = w.ports.objects.clone();
        async move { objects.get_object(&key).await.unwrap().unwrap() }
    };
    let attachments: Vec<_> = msg.attachments().collect();
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0].content_type().map(|c| c.ctype()),
        Some("application")
    );
    assert!(
        attachments[0].attachment_name().unwrap().ends_with(".pdf"),
        "{:?}",
        attachments[0].attachment_name()
    );
    assert_eq!(attachments[0].contents(), stored(".pdf").await.as_slice());
    let links = links_in(&text);
    assert_eq!(links.len(), 2, "{links:?}");
    for (link, ext) in links.iter().zip([".xlsx", ".csv"]) {
        assert!(link.contains(ext), "{link}");
        let body = reqwest::get(link).await.unwrap();
        assert!(body.status().is_success(), "{link}: {}", body.status());
        assert_eq!(body.bytes().await.unwrap().as_ref(), stored(ext).await);
    }
    let runs = get_ok(&w.local, &format!("/api/reports/{}/runs", w.venue)).await;
    let deliveries = runs["runs"][0]["deliveries"].as_array().unwrap().clone();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert!(
        deliveries
            .iter()
            .all(|d| d["status"] == "sent" && d["pdf"] == "attached")
    );

    // A PDF that would make the message too large goes as a link instead.
    let mut small = w.ports.clone();
    if let Some(m) = &mut small.mail {
        m.max_message_bytes = 4_000;
    }
    let def = jobs::reports::ReportDef::from_doc(&created).unwrap();
    let run = jobs::reports::run_report(&small, &def, w.period, Utc::now(), "manual", true)
        .await
        .unwrap();
    assert_eq!(run.deliveries.len(), 2, "the earlier deliveries are kept");
    assert_eq!(
        inbox(&gm).await.len(),
        1,
        "the period's recipients were all reached already: nothing is sent again"
    );
    let mut fresh = def.clone();
    fresh.report_id = unique("big");
    let run = jobs::reports::run_report(&small, &fresh, w.period, Utc::now(), "manual", true)
        .await
        .unwrap();
    assert!(
        run.deliveries.iter().all(|d| d.pdf == "linked"),
        "{:?}",
        run.deliveries
    );
    let raw = inbox(&gm).await;
    assert_eq!(raw.len(), 2);
    let linked = raw
        .iter()
        .map(|r| MessageParser::default().parse(r.as_bytes()).unwrap())
        .find(|m| m.attachment_count() == 0)
        .expect("a message without attachment");
    let pdf_link = links_in(&linked.body_text(0).unwrap())
        .into_iter()
        .find(|l| l.contains(".pdf"))
        .expect("a PDF link");
    let body = reqwest::get(&pdf_link)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(body.starts_with(b"%PDF-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_whose_emails_keep_failing_pauses_itself_and_raises_an_alert() {
    let w = world(32).await;
    let gm = format!("gm-{}@inbox.example", w.venue);
    let def = json!({"name": "Daily doors", "cadence": "once", "formats": ["pdf"],
        "from": w.from, "to": w.to, "recipients": [gm]});
    let created = create_report(&w, def).await;
    let id = created["reportId"].as_str().unwrap().to_owned();
    // A sender SES has no identity for: every send is refused (MessageRejected).
    let mut failing = w.ports.clone();
    failing.mail = Some(jobs::Mail::new(Arc::new(storage::SesMailer::new(
        &w.local.aws,
        format!("nobody@{}.unverified.example", w.venue),
    ))));
    let mut at = w.to + Duration::hours(1);
    for pass in 1..=jobs::reports::delivery::PAUSE_AFTER_FAILURES {
        let s = run_due(&failing, at).await.unwrap();
        assert!(s.failed >= 1, "pass {pass}: {s:?}");
        let state = get_ok(&w.local, &format!("/api/reports/{}/{id}/delivery", w.venue)).await;
        assert_eq!(state["consecutiveFailures"], json!(pass), "{state}");
        assert_eq!(
            state["paused"],
            json!(pass == jobs::reports::delivery::PAUSE_AFTER_FAILURES)
        );
        at += Duration::hours(1);
    }
    assert!(inbox(&gm).await.is_empty());
    let state = get_ok(&w.local, &format!("/api/reports/{}/{id}/delivery", w.venue)).await;
    assert_eq!(state["pausedBy"], "failures");
    assert!(
        state["lastError"]
            .as_str()
            .unwrap()
            .contains("Did not have authority"),
        "{state}"
    );
    // The alert is listed with the venue's alerts, firing.
    let alerts = get_ok(&w.local, &format!("/api/alerts/{}", w.venue)).await;
    let firing = &alerts["firing"].as_array().unwrap();
    assert!(
        firing
            .iter()
            .any(|s| s["ruleId"] == format!("report-paused:{id}")
                && s["name"] == "Report paused: Daily doors"),
        "{alerts}"
    );
    // Paused: the next pass leaves it alone even with a working sender.
    let s = run_due(&w.ports, at).await.unwrap();
    assert!(s.paused >= 1, "{s:?}");
    assert!(inbox(&gm).await.is_empty());
    // Resuming it clears the count and resolves the alert.
    let (status, _) = call(
        &w.local,
        "POST",
        &format!("/api/reports/{}/{id}/resume", w.venue),
        None,
    )
    .await;
    assert_eq!(status, http::StatusCode::OK);
    let alerts = get_ok(&w.local, &format!("/api/alerts/{}", w.venue)).await;
    assert!(alerts["firing"].as_array().unwrap().is_empty(), "{alerts}");
    assert!(
        alerts["states"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["ruleId"] == format!("report-paused:{id}") && s["status"] == "resolved"),
        "{alerts}"
    );
    let s = run_due(&w.ports, at + Duration::hours(1)).await.unwrap();
    // Other tests' passes run over every venue of the shared table: one of
    // them may have delivered it first (then this pass skips a done period).
    assert!(s.emails_sent >= 1 || s.skipped >= 1, "{s:?}");
    assert_eq!(inbox(&gm).await.len(), 1, "delivered once after resuming");
    let state = get_ok(&w.local, &format!("/api/reports/{}/{id}/delivery", w.venue)).await;
    assert_eq!(
        (&state["paused"], &state["consecutiveFailures"]),
        (&json!(false), &json!(0))
    );

    // Recipients: paused, then removed.
    let path = format!("/api/reports/{}/{id}/recipients/{gm}", w.venue);
    let (status, def) = call(&w.local, "PUT", &path, Some(json!({"paused": true}))).await;
    assert_eq!(status, http::StatusCode::OK, "{def}");
    assert_eq!(def["pausedRecipients"], json!([gm]));
    let (status, def) = call(&w.local, "DELETE", &path, None).await;
    assert_eq!(status, http::StatusCode::OK, "{def}");
    assert_eq!(
        (def["recipients"].clone(), def["pausedRecipients"].clone()),
        (json!([]), json!([]))
    );
    let (status, err) = call(&w.local, "DELETE", &path, None).await;
    assert_eq!(status, http::StatusCode::NOT_FOUND, "{err}");
    let (status, err) = call(
        &w.local,
        "PUT",
        &format!("/api/reports/{}/{id}/recipients/not-an-address", w.venue),
        None,
    )
    .await;
    assert_eq!(status, http::StatusCode::BAD_REQUEST, "{err}");
}
