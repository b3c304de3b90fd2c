//! Trustworthy numbers, end to end: a realistic mixed set published with the
//! CLI, drained by two concurrent pollers per queue (two Lambdas), read back
//! through the API and compared with numbers computed independently from the
//! generator's records. And batches with each known poison trigger: the
//! culprit is quarantined, every innocent event commits, nothing reaches a DLQ.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use domain::EventType;
use pipeline::Message;
use runner::LocalStack;
use tests::mixed::{METRICS, MixedSet, generate};
use tests::queues::{Queues, create_queues, depth, drain, start_pollers};
use tests::{get_json, root, stack, unique};

/// Publishes NDJSON lines with the CLI (`venue-analytics publish`, or `--raw` for bodies it refuses).
fn publish_with_cli(queues: &Queues, lines: &[String], raw: Option<EventType>) {
    if lines.is_empty() {
        return;
    }
    let bin = root().join("target/debug/venue-analytics");
    assert!(
        bin.exists(),
        "{} is missing: build it first (`cargo build --workspace --bins`, as scripts/test.sh does)",
        bin.display()
    );
    let dir = root().join(".local");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "{}{}.ndjson",
        queues.prefix,
        raw.map_or("all", |t| t.as_str())
    ));
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let mut cmd = std::process::Command::new(bin);
    cmd.arg("publish").arg(&file);
    if let Some(t) = raw {
        cmd.args(["--raw", "--queue", t.as_str()]);
    }
    let out = cmd
        .env("AWS_ENDPOINT_URL", tests::endpoint())
        .env("ANALYTICS_QUEUE_PREFIX", &queues.prefix)
        .output()
        .expect("running the CLI");
    assert!(
        out.status.success(),
        "venue-analytics publish failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn series(
    local: &LocalStack,
    venue: &str,
    show: Option<&str>,
    metric: &str,
    g: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, i64)> {
    let (metric, currency) = metric.split_once('@').unwrap_or((metric, ""));
    let mut path = format!(
        "/api/metrics/{}?metric={metric}&currency={currency}&granularity={g}&from={}&to={}",
        encode(venue),
        encode(&from.to_rfc3339()),
        encode(&to.to_rfc3339())
    );
    if let Some(s) = show {
        path.push_str(&format!("&eventId={}", encode(s)));
    }
    let v = get_json(local, &path).await;
    v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["t"].as_str().unwrap().parse().unwrap(),
                p["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// A dashboard period with edges inside minutes, hours and days counts
/// exactly the events whose minute starts in it, and its comparison the
/// period before: against the generator's records.
async fn check_periods(local: &LocalStack, set: &MixedSet, vi: usize, now: DateTime<Utc>) {
    let v = &set.venues[vi];
    let minute_up = |t: DateTime<Utc>| {
        let s = t.timestamp();
        DateTime::from_timestamp(s + (60 - s.rem_euclid(60)) % 60, 0).unwrap()
    };
    let windows = [
        (
            now - Duration::seconds(27 * 3600 + 13),
            now - Duration::seconds(3 * 3600 - 41),
        ),
        (
            now - Duration::seconds(77 * 3600 + 37 * 60 + 20),
            now - Duration::seconds(20 * 3600 - 5),
        ),
        (
            now - Duration::seconds(50 * 60 - 7),
            now + Duration::hours(1),
        ),
    ];
    for show in [None, Some(0)] {
        for (from, to) in windows {
            let mut path = format!(
                "/api/dashboards/{}?from={}&to={}&compare=previous",
                encode(&v.id),
                encode(&from.to_rfc3339()),
                encode(&to.to_rfc3339())
            );
            if let Some(s) = show {
                path.push_str(&format!("&eventId={}", encode(&v.shows[s])));
            }
            let dash = get_json(local, &path).await;
            let (a, b) = (minute_up(from), minute_up(to));
            let what = format!("{} {show:?} [{from}, {to})", v.id);
            assert_eq!(
                dash["period"]["from"],
                a.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "{what}"
            );
            assert_eq!(dash["period"]["resolution"], "1m", "{what}");
            let want = set.totals_between(vi, show, a, b);
            assert_eq!(dash["orders"], want.orders, "{what}: orders");
            assert_eq!(dash["revenue"]["amount"], want.revenue, "{what}: revenue");
            assert_eq!(dash["ticketsSold"], want.tickets, "{what}: tickets");
            assert_eq!(dash["pageViews"], want.views, "{what}: page views");
            assert_eq!(dash["scans"]["admitted"], want.admitted, "{what}: admitted");
            assert_eq!(dash["refunds"]["count"], want.refunds, "{what}: refunds");
            let before = set.totals_between(vi, show, minute_up(from - (to - from)), a);
            let c = &dash["comparison"];
            assert_eq!(
                c["current"]["orders"], want.orders,
                "{what}: compared orders"
            );
            assert_eq!(
                c["previous"]["orders"], before.orders,
                "{what}: previous orders"
            );
            assert_eq!(
                c["previous"]["ticketsSold"], before.tickets,
                "{what}: previous tickets"
            );
        }
    }
}

/// Every total, every 1h point and every 1d point (at local midnight) of
/// every venue and show equals the independent expectation.
async fn check_numbers(local: &LocalStack, set: &MixedSet, now: DateTime<Utc>) {
    let (from, to) = (now - Duration::days(4), now + Duration::days(1));
    for (vi, v) in set.venues.iter().enumerate() {
        let tz = v.zone();
        let dash = get_json(local, &format!("/api/dashboards/{}", encode(&v.id))).await;
        let want = set.totals(vi, None);
        assert_eq!(dash["orders"], want.orders, "{}: orders", v.id);
        assert_eq!(dash["revenue"]["amount"], want.revenue, "{}: revenue", v.id);
        assert_eq!(
            dash["netRevenue"]["amount"],
            want.revenue - want.refunded,
            "{}: net revenue",
            v.id
        );
        assert_eq!(dash["refunds"]["count"], want.refunds, "{}: refunds", v.id);
        assert_eq!(
            dash["netTicketsSold"],
            want.tickets - want.tickets_refunded,
            "{}: net tickets",
            v.id
        );
        assert_eq!(
            dash["revenue"]["currency"], v.currency,
            "{}: currency",
            v.id
        );
        // Money in another currency is listed beside the revenue, never in it.
        let by_currency: Vec<(String, i64)> = dash["revenueByCurrency"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["revenue"]["currency"].as_str().unwrap().to_owned(),
                    c["revenue"]["amount"].as_i64().unwrap(),
                )
            })
            .collect();
        let mut expected = vec![(v.currency.to_owned(), want.revenue)];
        if v.currency != "USD" && want.usd_revenue > 0 {
            expected.push(("USD".to_owned(), want.usd_revenue));
        }
        expected.sort_by_key(|b| std::cmp::Reverse(b.1));
        assert_eq!(by_currency, expected, "{}: revenue by currency", v.id);
        // Tier and channel tables plus what mixed-currency days cannot split
        // add up to the revenue (every generated purchase has both).
        let unsplit = dash["breakdownRevenueUnsplit"]["amount"].as_i64().unwrap();
        for table in ["byTier", "byChannel"] {
            let split: i64 = dash[table]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["revenue"]["amount"].as_i64().unwrap())
                .sum();
            assert_eq!(split + unsplit, want.revenue, "{}: {table} + unsplit", v.id);
        }
        if v.currency == "CAD" {
            assert!(
                unsplit > 0,
                "{}: days mixing CAD and USD leave revenue unsplit",
                v.id
            );
        }
        assert_eq!(dash["ticketsSold"], want.tickets, "{}: tickets", v.id);
        assert_eq!(dash["pageViews"], want.views, "{}: page views", v.id);
        assert_eq!(
            dash["scans"]["admitted"], want.admitted,
            "{}: admitted",
            v.id
        );
        check_periods(local, set, vi, now).await;
        let scopes = std::iter::once(None).chain((0..v.shows.len()).map(Some));
        for show in scopes {
            let show_id = show.map(|s| v.shows[s].as_str());
            let want = set.totals(vi, show);
            let hours = set.by_hour(vi, show);
            let days = set.by_local_date(vi, show);
            for metric in METRICS {
                for g in ["5m", "1h", "1d"] {
                    let points = series(local, &v.id, show_id, metric, g, from, to).await;
                    let sum: i64 = points.iter().map(|p| p.1).sum();
                    assert_eq!(
                        sum,
                        want.metric(metric),
                        "{} {show_id:?}: {metric} at {g} sums to {sum}",
                        v.id
                    );
                    if g == "1h" {
                        for (t, value) in &points {
                            let expected =
                                hours.get(&t.timestamp()).map_or(0, |s| s.metric(metric));
                            assert_eq!(
                                *value, expected,
                                "{} {show_id:?}: {metric} at {t} (1h)",
                                v.id
                            );
                        }
                    }
                    if g == "1d" {
                        for (t, value) in &points {
                            let local_t = t.with_timezone(&tz);
                            assert_eq!(
                                local_t.time(),
                                NaiveTime::MIN,
                                "{}: a 1d point at {t} is not a local midnight in {tz}",
                                v.id
                            );
                            let expected = days
                                .get(&local_t.date_naive())
                                .map_or(0, |s| s.metric(metric));
                            assert_eq!(
                                *value, expected,
                                "{} {show_id:?}: {metric} on {local_t} (1d)",
                                v.id
                            );
                        }
                    }
                }
            }
            // Unique sessions per local day: the venue's, and each show's own.
            let sessions = set.sessions_by_local_date(vi, show);
            for (t, value) in series(local, &v.id, show_id, "uniqueSessions", "1d", from, to).await
            {
                let expected = sessions
                    .get(&t.with_timezone(&tz).date_naive())
                    .copied()
                    .unwrap_or(0);
                assert_eq!(
                    value, expected,
                    "{} {show_id:?}: unique sessions on {t}",
                    v.id
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mixed_set_published_with_the_cli_reads_back_exactly() {
    let local = stack().await;
    let sqs = &local.aws.sqs;
    let queues = create_queues(sqs, "trust").await;
    let now = Utc::now();
    let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let set = generate(&run, now, 12);
    let (stop, tasks) = start_pollers(sqs, &queues, 2, |t| {
        storage::wire::ingest_pipeline(t, &local.aws, &local.names)
    });

    // The venues first (as a platform onboards them), then the rest, shuffled.
    publish_with_cli(&queues, &set.venue_updates, None);
    drain(sqs, &queues).await;
    let mut lines: Vec<String> = set.events.iter().map(|(_, b)| b.clone()).collect();
    // A redelivered, older venue update naming another zone must change nothing.
    lines.push(
        set.venue_updates[0]
            .replace("America/Los_Angeles", "Europe/London")
            .replacen(
                &(now - Duration::hours(48)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                &(now - Duration::hours(72)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                1,
            ),
    );
    publish_with_cli(&queues, &lines, None);
    for t in EventType::ALL {
        let bad: Vec<String> = set
            .rejected
            .iter()
            .filter(|r| r.0 == t)
            .map(|r| r.1.clone())
            .collect();
        publish_with_cli(&queues, &bad, Some(t));
    }
    drain(sqs, &queues).await;
    stop.send(true).unwrap();
    for t in tasks {
        t.await.unwrap();
    }

    for dlq in &queues.dlqs {
        assert_eq!(depth(sqs, dlq).await, 0, "{dlq} is not empty");
    }
    let venue = get_json(
        &local,
        &format!("/api/dashboards/{}", encode(&set.venues[0].id)),
    )
    .await;
    assert_eq!(
        venue["timezone"], "America/Los_Angeles",
        "an older venue update overwrote a newer zone"
    );
    check_numbers(&local, &set, now).await;

    // Every rejected body was counted once in flow health under its source,
    // or as unattributed (identical malformed bodies are one rejection).
    let flows = get_json(&local, "/api/analytics/flows").await;
    let rejected_views: i64 = flows["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["type"] == "page-view" && f["source"] == format!("frontend-{run}"))
        .map(|f| f["rejected"].as_i64().unwrap())
        .sum();
    assert_eq!(rejected_views, 4, "the four invalid ids are quarantined");
    assert!(
        flows["flows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["type"] == "ticket-purchase" && f["status"] == "unattributed"),
        "a body without a readable source shows as unattributed: {flows}"
    );
}

/// Batches holding each known poison trigger commit every innocent event and
/// quarantine only what can never be written.
#[tokio::test]
async fn poison_triggers_quarantine_the_culprit_and_commit_the_rest() {
    let local = stack().await;
    let run = unique("poison");
    let now = Utc::now();
    let venue = format!("{run}-venue");
    let view = |i: usize, show: &str| {
        serde_json::json!({"specversion":"1.0","id": format!("{run}-pv-{i}"),"source":"frontend","type":"page-view",
            "time": (now - Duration::minutes(i64::try_from(i).unwrap())).to_rfc3339(),
            "data": {"sessionId": format!("s-{i}"), "path": "/", "venueId": venue, "eventId": show}})
        .to_string()
    };
    let mut bodies: Vec<String> = (0..30).map(|i| view(i, "show-1")).collect();
    bodies.push(view(30, "*"));
    bodies.push("{not json".into());
    bodies.push("{not json".into());
    let messages: Vec<Message> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| Message {
            id: format!("m{i}"),
            body: b.clone(),
        })
        .collect();
    let pipeline = storage::wire::ingest_pipeline(EventType::PageView, &local.aws, &local.names);
    let out = pipeline.handle(&messages).await;
    assert!(
        out.failed.is_empty(),
        "nothing innocent is retried: {out:?}"
    );
    assert_eq!(out.committed, 30);
    assert_eq!(out.quarantined, 3);

    // Two updates of one venue in one batch, one listing a show twice.
    let update = |i: usize, tz: &str, shows: &[&str]| {
        let shows: Vec<_> = shows
            .iter()
            .map(|s| serde_json::json!({"eventId": s, "name": s, "startsAt": now.to_rfc3339()}))
            .collect();
        serde_json::json!({"specversion":"1.0","id": format!("{run}-vu-{i}"),"source":"venue-service","type":"venue-update",
            "time": (now - Duration::minutes(10 - i64::try_from(i).unwrap())).to_rfc3339(),
            "data": {"venueId": venue, "timezone": tz, "shows": shows}})
        .to_string()
    };
    let messages: Vec<Message> = [
        update(2, "Asia/Kathmandu", &["show-1", "show-1"]),
        update(1, "Asia/Kolkata", &["show-2"]),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, body)| Message {
        id: format!("u{i}"),
        body,
    })
    .collect();
    let pipeline = storage::wire::ingest_pipeline(EventType::VenueUpdate, &local.aws, &local.names);
    let out = pipeline.handle(&messages).await;
    assert!(out.failed.is_empty(), "{out:?}");
    assert_eq!(out.committed, 2);
    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(dash["timezone"], "Asia/Kathmandu", "the newer update wins");
}
