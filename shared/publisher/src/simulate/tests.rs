//! The simulation against the contract (`domain::decode`) and against an
//! independent recount of its own bodies.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use domain::event::{CartAction, EventData, ScanResult};
use domain::{EventType, decode};

use super::*;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T23:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn config(seed: u64) -> SimConfig {
    SimConfig::new(now(), seed)
}

/// Recounts the totals from the bodies alone: decode, drop repeated `source` + `id`, tally.
fn recount(sim: &Simulation, cfg: &SimConfig, tz_for_days: Tz) -> (Totals, Totals) {
    let mut seen = HashSet::new();
    let mut venue = Totals::default();
    let mut show = Totals::default();
    let mut venue_sessions: HashSet<(NaiveDate, String)> = HashSet::new();
    let mut show_sessions: HashSet<(NaiveDate, String)> = HashSet::new();
    for m in &sim.events {
        let Ok(e) = decode(m.event_type, &m.body, cfg.now) else {
            continue;
        };
        if !seen.insert((e.source.to_string(), e.id.to_string())) {
            continue;
        }
        let Some(v) = e.data.venue_id() else { continue };
        assert_eq!(v, cfg.venue_id);
        let is_show = e.data.show_id() == Some(cfg.show_id.as_str());
        let day = e.time.with_timezone(&tz_for_days).date_naive();
        let mut scopes = vec![&mut venue];
        if is_show {
            scopes.push(&mut show);
        }
        for t in scopes {
            match &e.data {
                EventData::TicketPurchase(p) => {
                    t.revenue += p.amount;
                    t.tickets_sold += i64::from(p.quantity);
                    t.orders += 1;
                    *t.revenue_by_tier
                        .entry(p.tier.as_deref().unwrap().to_owned())
                        .or_default() += p.amount;
                    *t.tickets_by_tier
                        .entry(p.tier.as_deref().unwrap().to_owned())
                        .or_default() += i64::from(p.quantity);
                    *t.revenue_by_channel
                        .entry(p.channel.as_deref().unwrap().to_owned())
                        .or_default() += p.amount;
                    if let Some(c) = p.campaign_id.as_deref() {
                        *t.revenue_by_campaign.entry(c.to_owned()).or_default() += p.amount;
                    }
                }
                EventData::TicketScan(s) => match s.result {
                    ScanResult::Admitted => {
                        t.scans_admitted += 1;
                        *t.scans_admitted_by_entry_point
                            .entry(s.entry_point.to_string())
                            .or_default() += 1;
                    }
                    ScanResult::Rejected => t.scans_rejected += 1,
                    ScanResult::Duplicate => t.scans_duplicate += 1,
                },
                EventData::PageView(_) => t.page_views += 1,
                EventData::CartUpdate(c) => match c.action {
                    CartAction::Add => t.cart_adds += 1,
                    CartAction::Remove => t.cart_removes += 1,
                    CartAction::Checkout => t.cart_checkouts += 1,
                    CartAction::Abandon => {
                        t.cart_abandons += 1;
                        t.cart_abandoned_value += c.cart_value;
                    }
                },
                EventData::TicketRefund(r) => {
                    use domain::event::ChargebackStatus::{Lost, Won};
                    let sign = match r.status {
                        Some(Won) => -1,
                        Some(Lost) => 0,
                        _ => 1,
                    };
                    let key = match r.status {
                        Some(Won) => "chargebackWon".to_owned(),
                        Some(Lost) => "chargebackLost".to_owned(),
                        _ => r.reason.as_str().to_owned(),
                    };
                    t.refunds += 1;
                    t.refunded_amount += sign * r.amount;
                    t.tickets_refunded += sign * i64::from(r.quantity);
                    *t.refunds_by_reason.entry(key).or_default() += 1;
                }
                EventData::VenueUpdate(_) => {}
            }
        }
        if let EventData::PageView(p) = &e.data {
            venue_sessions.insert((day, p.session_id.to_string()));
            if is_show {
                show_sessions.insert((day, p.session_id.to_string()));
            }
        }
    }
    venue.unique_sessions = venue_sessions.len() as i64;
    show.unique_sessions = show_sessions.len() as i64;
    (venue, show)
}

#[test]
fn same_seed_same_bytes_and_another_seed_another_night() {
    let a = simulate(&config(7));
    let b = simulate(&config(7));
    assert_eq!(a, b);
    let c = simulate(&config(8));
    assert_ne!(a.events, c.events);
}

#[test]
fn two_venues_with_one_seed_and_clock_share_no_event_id() {
    let ids = |venue: &str| -> std::collections::HashSet<(String, String)> {
        let mut cfg = config(7);
        cfg.venue_id = venue.to_owned();
        simulate(&cfg)
            .events
            .iter()
            .filter_map(|m| serde_json::from_str::<serde_json::Value>(&m.body).ok())
            .filter_map(|v| {
                Some((
                    v["source"].as_str()?.to_owned(),
                    v["id"].as_str()?.to_owned(),
                ))
            })
            .filter(|(_, id)| !id.starts_with("malformed-"))
            .collect()
    };
    let (a, b) = (ids("venue-a"), ids("venue-b"));
    assert!(a.len() > 100);
    assert!(
        a.is_disjoint(&b),
        "{} shared ids",
        a.intersection(&b).count()
    );
}

#[test]
fn valid_duplicate_and_late_messages_decode_and_malformed_ones_are_rejected() {
    for seed in [1, 2, 3] {
        let cfg = config(seed);
        let sim = simulate(&cfg);
        for (i, m) in sim.events.iter().enumerate() {
            let decoded = decode(m.event_type, &m.body, cfg.now);
            match m.kind {
                Kind::Valid | Kind::Duplicate | Kind::Late => {
                    let e = decoded.unwrap_or_else(|r| {
                        panic!("message {i} ({:?}) rejected: {r}\n{}", m.kind, m.body)
                    });
                    assert!(
                        e.time <= cfg.now,
                        "message {i} is in the future: {}",
                        e.time
                    );
                }
                Kind::Malformed => assert!(
                    decoded.is_err(),
                    "malformed message {i} decoded: {}",
                    m.body
                ),
            }
        }
    }
}

#[test]
fn malformed_messages_cover_every_defect_on_the_right_queues() {
    let cfg = config(11);
    let sim = simulate(&cfg);
    let reasons: Vec<(EventType, &str)> = sim
        .events
        .iter()
        .filter(|m| m.kind == Kind::Malformed)
        .map(|m| {
            (
                m.event_type,
                decode(m.event_type, &m.body, cfg.now)
                    .unwrap_err()
                    .reason
                    .code(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (EventType::TicketPurchase, "malformed_json"),
            (EventType::TicketPurchase, "impossible_value"),
            (EventType::TicketPurchase, "unknown_type"),
            (EventType::TicketScan, "future_timestamp"),
            (EventType::CartUpdate, "schema_violation"),
        ]
    );
    assert_eq!(sim.expected.rejected, 5);
    assert_eq!(sim.expected.rejected_by_type[&EventType::TicketPurchase], 3);
}

#[test]
fn expected_matches_an_independent_recount_of_the_bodies() {
    for seed in [1, 42, 2026] {
        let cfg = config(seed);
        let sim = simulate(&cfg);
        let (venue, show) = recount(&sim, &cfg, cfg.timezone);
        assert_eq!(sim.expected.venue, venue, "seed {seed}: venue");
        assert_eq!(sim.expected.show, show, "seed {seed}: show");
        assert_eq!(sim.expected.messages as usize, sim.events.len());
        assert_eq!(sim.expected.duplicates as usize, sim.count(Kind::Duplicate));
        assert_eq!(sim.expected.late as usize, sim.count(Kind::Late));
        let valid: u64 = sim.expected.valid_by_type.values().sum();
        assert_eq!(
            valid as usize,
            sim.count(Kind::Valid) + sim.count(Kind::Late)
        );
    }
}

#[test]
fn unique_sessions_do_not_depend_on_the_zone_used_for_days() {
    // A pipeline that has not seen the venue-update yet buckets days in UTC.
    let cfg = config(5);
    let sim = simulate(&cfg);
    let (venue_utc, show_utc) = recount(&sim, &cfg, chrono_tz::UTC);
    assert_eq!(
        venue_utc.unique_sessions,
        sim.expected.venue.unique_sessions
    );
    assert_eq!(show_utc.unique_sessions, sim.expected.show.unique_sessions);
}

#[test]
fn the_night_has_the_promised_shape() {
    let cfg = config(3);
    let sim = simulate(&cfg);
    let first = &sim.events[0];
    assert_eq!(
        (first.event_type, first.kind),
        (EventType::VenueUpdate, Kind::Valid)
    );
    let venue = decode(first.event_type, &first.body, cfg.now).unwrap();
    let EventData::VenueUpdate(v) = &venue.data else {
        unreachable!()
    };
    let shows = v.shows.as_ref().unwrap();
    assert!((2..=3).contains(&shows.len()));
    assert!(shows.iter().any(|s| s.event_id == cfg.show_id));
    assert_eq!(v.timezone.as_deref(), Some("America/New_York"));

    let x = &sim.expected;
    assert!(
        (2_000..=8_000).contains(&sim.events.len()),
        "{} messages at scale 1",
        sim.events.len()
    );
    assert!(
        x.venue.revenue > x.show.revenue && x.show.revenue > 0,
        "other shows sell too"
    );
    assert_eq!(
        x.show.revenue_by_tier.keys().collect::<Vec<_>>(),
        ["Balcony", "GA", "VIP"]
    );
    assert_eq!(x.show.revenue_by_tier.values().sum::<i64>(), x.show.revenue);
    assert_eq!(
        x.show.revenue_by_channel.keys().collect::<Vec<_>>(),
        ["app", "box-office", "web"]
    );
    assert_eq!(x.show.revenue_by_campaign.len(), 3);
    assert!(x.show.scans_admitted > 0 && x.show.scans_rejected > 0 && x.show.scans_duplicate > 0);
    assert!(x.show.scans_admitted <= x.show.tickets_sold);
    assert!((3..=4).contains(&x.show.scans_admitted_by_entry_point.len()));
    assert_eq!(
        x.venue.scans_admitted, x.show.scans_admitted,
        "only tonight's show scans"
    );
    let carts = x.venue.cart_checkouts + x.venue.cart_abandons;
    let abandonment = x.venue.cart_abandons as f64 / carts as f64;
    assert!(
        (0.25..=0.35).contains(&abandonment),
        "abandonment {abandonment}"
    );
    assert!(x.venue.cart_removes > 0);
    assert!(x.page_views_without_venue > 0);
    assert!(x.venue.page_views > x.show.page_views);
    assert!((3..=6).contains(&x.late));
    assert!(x.duplicates > 0);
    // Late messages come last, and are older than what precedes them.
    let late_start = sim
        .events
        .iter()
        .position(|m| m.kind == Kind::Late)
        .unwrap();
    assert!(
        sim.events[late_start..]
            .iter()
            .all(|m| m.kind != Kind::Valid)
    );
}

#[test]
fn duplicates_repeat_an_earlier_body_exactly() {
    let cfg = SimConfig {
        duplicate_rate: 0.05,
        ..config(9)
    };
    let sim = simulate(&cfg);
    let mut earlier = HashSet::new();
    for m in &sim.events {
        if m.kind == Kind::Duplicate {
            assert!(earlier.contains(&m.body), "duplicate before its original");
        }
        earlier.insert(m.body.clone());
    }
    assert!(sim.count(Kind::Duplicate) > 100);
}

#[test]
fn the_on_sale_spike_is_the_busiest_hour_of_sales() {
    let cfg = config(4);
    let sim = simulate(&cfg);
    let on_sale = cfg.now - chrono::Duration::days(7);
    let mut per_hour: HashMap<i64, u32> = HashMap::new();
    for m in sim
        .events
        .iter()
        .filter(|m| m.kind == Kind::Valid && m.event_type == EventType::TicketPurchase)
    {
        let e = decode(m.event_type, &m.body, cfg.now).unwrap();
        if e.data.show_id() == Some(cfg.show_id.as_str()) {
            assert!(e.time >= on_sale, "sale before the on-sale");
            *per_hour.entry((e.time - on_sale).num_hours()).or_default() += 1;
        }
    }
    let busiest = per_hour.iter().max_by_key(|(_, n)| **n).map(|(h, _)| *h);
    assert_eq!(busiest, Some(0));
}

#[test]
fn a_small_venue_sells_out_and_never_oversells() {
    let cfg = SimConfig {
        capacity: 100,
        ..config(6)
    };
    let sim = simulate(&cfg);
    assert_eq!(sim.expected.show.tickets_sold, 100);
    let (_, show) = recount(&sim, &cfg, cfg.timezone);
    assert_eq!(show.tickets_sold, 100);
}

#[test]
fn scale_changes_the_volume() {
    let small = simulate(&SimConfig {
        scale: 0.1,
        ..config(1)
    });
    let big = simulate(&SimConfig {
        scale: 3.0,
        ..config(1)
    });
    assert!(small.events.len() < 800, "{}", small.events.len());
    assert!(big.events.len() > 9_000, "{}", big.events.len());
    let tiny = simulate(&SimConfig {
        scale: 0.0,
        malformed_count: 0,
        duplicate_rate: 0.0,
        ..config(1)
    });
    assert!(tiny.expected.show.orders >= 1);
    assert_eq!(tiny.count(Kind::Malformed) + tiny.count(Kind::Duplicate), 0);
}

#[test]
fn expected_serializes_to_camel_case_json() {
    let sim = simulate(&config(1));
    let json = serde_json::to_value(&sim.expected).unwrap();
    assert!(json["show"]["ticketsSold"].is_i64());
    assert!(json["rejectedByType"]["ticket-purchase"].is_u64());
    let _: BTreeMap<String, serde_json::Value> = serde_json::from_value(json).unwrap();
}

#[test]
fn to_outgoing_keeps_type_body_and_cloud_event_id() {
    let sim = simulate(&config(2));
    let first = sim.events[0].to_outgoing();
    assert_eq!(first.event_type, EventType::VenueUpdate);
    assert_eq!(first.body, sim.events[0].body);
    let decoded = decode(first.event_type, &first.body, now()).unwrap();
    assert_eq!(first.id, decoded.id);
    let bad = sim
        .events
        .iter()
        .find(|e| {
            e.kind == Kind::Malformed && serde_json::from_str::<serde_json::Value>(&e.body).is_err()
        })
        .unwrap();
    assert_eq!(bad.to_outgoing().id, "unparseable");
}

/// Cross-check only (Expected never uses it): the domain's pre-aggregation of
/// the same messages, summed over the daily rollups, agrees with Expected.
#[test]
fn the_domain_pre_aggregation_of_the_night_agrees_with_expected() {
    use domain::rollup::{Granularity, Metric};

    let cfg = config(21);
    let sim = simulate(&cfg);
    let mut seen = HashSet::new();
    let events: Vec<domain::Event<'_>> = sim
        .events
        .iter()
        .filter_map(|m| decode(m.event_type, &m.body, cfg.now).ok())
        .filter(|e| seen.insert((e.source.to_string(), e.id.to_string())))
        .collect();
    let mut contexts = domain::VenueContexts::default();
    contexts.insert(
        cfg.venue_id.clone(),
        domain::VenueContext {
            tz: Some(cfg.timezone),
            ..Default::default()
        },
    );
    let plans = domain::plan_chunks(
        &events,
        0..events.len(),
        &contexts,
        &domain::aggregate::Learned::default(),
        100,
    );
    let mut venue = [0i64; Metric::COUNT];
    let mut show = [0i64; Metric::COUNT];
    for plan in &plans {
        for (key, counters) in &plan.rollups {
            if key.granularity != Granularity::Day {
                continue;
            }
            let target = match key.show {
                None => &mut venue,
                Some(s) if s == cfg.show_id => &mut show,
                Some(_) => continue,
            };
            for (acc, v) in target.iter_mut().zip(counters.base) {
                *acc += v;
            }
        }
    }
    for (totals, got) in [(&sim.expected.venue, venue), (&sim.expected.show, show)] {
        let want = [
            (Metric::Revenue, totals.revenue),
            (Metric::TicketsSold, totals.tickets_sold),
            (Metric::Orders, totals.orders),
            (Metric::ScansAdmitted, totals.scans_admitted),
            (Metric::ScansRejected, totals.scans_rejected),
            (Metric::ScansDuplicate, totals.scans_duplicate),
            (Metric::PageViews, totals.page_views),
            (Metric::UniqueSessions, totals.unique_sessions),
            (Metric::CartAdds, totals.cart_adds),
            (Metric::CartRemoves, totals.cart_removes),
            (Metric::CartCheckouts, totals.cart_checkouts),
            (Metric::CartAbandons, totals.cart_abandons),
            (Metric::CartAbandonedValue, totals.cart_abandoned_value),
        ];
        for (metric, value) in want {
            assert_eq!(got[metric.index()], value, "{metric}");
        }
    }
}
