//! A realistic mixed data set, as several venues of a real platform send it,
//! and its expected numbers computed independently of the pipeline.
//!
//! Venues in several zones (whole-hour, :30, DST-observing, unknown), two
//! shows each, purchases, scans, page views whose sessions browse several
//! shows and cross midnights, spread over the 40 hours before `now`, ~8%
//! exact duplicates, the same `id` from another source (a different event),
//! ids at the grammar's length limit and unicode ids, plus bodies that must be
//! quarantined (ids with `#`, `*`, spaces or 129 characters; malformed JSON
//! sent twice). The expected numbers come from the generator's own records,
//! bucketed with chrono-tz per event — never with the pipeline's code.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use domain::EventType;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// One venue of the set.
#[derive(Debug, Clone)]
pub struct MixedVenue {
    pub id: String,
    /// `None`: the venue never sends a `venue-update` (its days are UTC days).
    pub tz: Option<Tz>,
    pub currency: &'static str,
    pub shows: Vec<String>,
}

impl MixedVenue {
    pub fn zone(&self) -> Tz {
        self.tz.unwrap_or(Tz::UTC)
    }
}

/// What one valid event counts.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `home`: paid in the venue's currency; `usd`: paid in USD.
    Purchase {
        amount: i64,
        tickets: i64,
        home: bool,
        usd: bool,
    },
    /// Money back, signed as the contract's table says (a won chargeback
    /// negative, a lost one zero), in the venue's currency (`home`) or USD.
    Refund {
        amount: i64,
        tickets: i64,
        home: bool,
        usd: bool,
    },
    Scan {
        admitted: bool,
    },
    View {
        session: String,
    },
}

#[derive(Debug, Clone)]
pub struct Record {
    pub venue: usize,
    pub show: Option<usize>,
    pub time: DateTime<Utc>,
    pub kind: Kind,
}

/// The messages to publish, and what the valid ones are.
#[derive(Debug, Default)]
pub struct MixedSet {
    pub venues: Vec<MixedVenue>,
    /// The venues' `venue-update`s.
    pub venue_updates: Vec<String>,
    /// Valid events (each counted once) and their exact duplicates, shuffled.
    pub events: Vec<(EventType, String)>,
    pub records: Vec<Record>,
    /// Bodies the pipeline must quarantine, with the reason code, per queue.
    pub rejected: Vec<(EventType, String, &'static str)>,
    pub duplicates: usize,
}

/// Counters the set's valid events add to one scope and bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    /// Orders in every currency.
    pub orders: i64,
    /// Revenue in the venue's currency only.
    pub revenue: i64,
    /// Revenue in USD only.
    pub usd_revenue: i64,
    pub tickets: i64,
    pub admitted: i64,
    pub views: i64,
    /// Refund events, in every currency.
    pub refunds: i64,
    /// Refunded in the venue's currency, and in USD.
    pub refunded: i64,
    pub usd_refunded: i64,
    pub tickets_refunded: i64,
}

impl Sums {
    fn add(&mut self, k: &Kind) {
        match k {
            Kind::Purchase {
                amount,
                tickets,
                home,
                usd,
            } => {
                self.orders += 1;
                self.revenue += if *home { amount } else { &0 };
                self.usd_revenue += if *usd { amount } else { &0 };
                self.tickets += tickets;
            }
            Kind::Refund {
                amount,
                tickets,
                home,
                usd,
            } => {
                self.refunds += 1;
                self.refunded += if *home { *amount } else { 0 };
                self.usd_refunded += if *usd { *amount } else { 0 };
                self.tickets_refunded += tickets;
            }
            Kind::Scan { admitted } => self.admitted += i64::from(*admitted),
            Kind::View { .. } => self.views += 1,
        }
    }

    pub fn metric(&self, name: &str) -> i64 {
        match name {
            "orders" => self.orders,
            "revenue" => self.revenue,
            "revenue@USD" => self.usd_revenue,
            "ticketsSold" => self.tickets,
            "scansAdmitted" => self.admitted,
            "pageViews" => self.views,
            "refunds" => self.refunds,
            "refundedAmount" => self.refunded,
            "refundedAmount@USD" => self.usd_refunded,
            "ticketsRefunded" => self.tickets_refunded,
            "netRevenue" => self.revenue - self.refunded,
            _ => panic!("no expected value for {name}"),
        }
    }
}

/// The metrics the checks compare (`metric@CUR`: money in that currency).
pub const METRICS: [&str; 10] = [
    "orders",
    "revenue",
    "revenue@USD",
    "ticketsSold",
    "scansAdmitted",
    "pageViews",
    "refunds",
    "refundedAmount@USD",
    "ticketsRefunded",
    "netRevenue",
];

impl MixedSet {
    /// The venue's (or show's) totals.
    pub fn totals(&self, venue: usize, show: Option<usize>) -> Sums {
        let mut s = Sums::default();
        for r in self.of(venue, show) {
            s.add(&r.kind);
        }
        s
    }

    /// Totals of the events whose minute starts in `[from, to)` (what a
    /// dashboard period counts at minute resolution).
    pub fn totals_between(
        &self,
        venue: usize,
        show: Option<usize>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Sums {
        let mut s = Sums::default();
        for r in self.of(venue, show) {
            let minute = r.time.timestamp() - i64::from(r.time.second());
            if (from.timestamp()..to.timestamp()).contains(&minute) {
                s.add(&r.kind);
            }
        }
        s
    }

    fn of(&self, venue: usize, show: Option<usize>) -> impl Iterator<Item = &Record> {
        self.records
            .iter()
            .filter(move |r| r.venue == venue && (show.is_none() || r.show == show))
    }

    /// Sums per UTC hour (start, Unix seconds).
    pub fn by_hour(&self, venue: usize, show: Option<usize>) -> BTreeMap<i64, Sums> {
        let mut out: BTreeMap<i64, Sums> = BTreeMap::new();
        for r in self.of(venue, show) {
            let hour = r.time.timestamp() - i64::from(r.time.minute() * 60 + r.time.second());
            out.entry(hour).or_default().add(&r.kind);
        }
        out
    }

    /// Sums per venue-local date, with chrono-tz per event.
    pub fn by_local_date(&self, venue: usize, show: Option<usize>) -> BTreeMap<NaiveDate, Sums> {
        let tz = self.venues[venue].zone();
        let mut out: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
        for r in self.of(venue, show) {
            out.entry(r.time.with_timezone(&tz).date_naive())
                .or_default()
                .add(&r.kind);
        }
        out
    }

    /// Distinct sessions per venue-local date (venue scope, or one show's views).
    pub fn sessions_by_local_date(
        &self,
        venue: usize,
        show: Option<usize>,
    ) -> BTreeMap<NaiveDate, i64> {
        let tz = self.venues[venue].zone();
        let mut seen: BTreeMap<NaiveDate, std::collections::BTreeSet<&str>> = BTreeMap::new();
        for r in self.of(venue, show) {
            if let Kind::View { session } = &r.kind {
                seen.entry(r.time.with_timezone(&tz).date_naive())
                    .or_default()
                    .insert(session);
            }
        }
        seen.into_iter()
            .map(|(d, s)| (d, i64::try_from(s.len()).unwrap_or(i64::MAX)))
            .collect()
    }
}

fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn envelope(
    t: EventType,
    id: &str,
    source: &str,
    time: DateTime<Utc>,
    data: serde_json::Value,
) -> String {
    json!({"specversion": "1.0", "id": id, "source": source, "type": t.as_str(),
           "time": time_text(time), "datacontenttype": "application/json", "data": data})
    .to_string()
}

/// Tiers are labels, not ids: `#` and spaces are fine.
const TIERS: [&str; 3] = ["GA", "VIP", "Row #1 balcony"];

/// Builds the set for venues named after `run` (unique per test run).
#[allow(clippy::too_many_lines)]
pub fn generate(run: &str, now: DateTime<Utc>, seed: u64) -> MixedSet {
    let mut rng = StdRng::seed_from_u64(seed);
    let zones: [(Option<Tz>, &str, &str); 4] = [
        (Some(chrono_tz::America::Los_Angeles), "USD", "la"),
        (Some(chrono_tz::Asia::Kolkata), "INR", "kolkata"),
        (Some(chrono_tz::America::St_Johns), "CAD", "st-johns"),
        (None, "EUR", "no-update-zürich"),
    ];
    let mut set = MixedSet::default();
    for (tz, currency, name) in zones {
        let id = format!("{name}-{run}");
        set.venues.push(MixedVenue {
            shows: vec![format!("{id}-show-1"), format!("{id}-show-2")],
            id,
            tz,
            currency,
        });
    }
    let sources = [
        format!("ticket-service-{run}"),
        format!("box-office-{run}"),
        format!("scanning-service-{run}"),
        format!("frontend-{run}"),
        format!("payment-service-{run}"),
    ];
    for v in &set.venues {
        let Some(tz) = v.tz else { continue };
        let shows: Vec<_> = v
            .shows
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({"eventId": s, "name": format!("Show {i}"),
                       "startsAt": time_text(now + Duration::hours(2 + 24 * i64::try_from(i).unwrap_or(0))),
                       "capacity": 800})
            })
            .collect();
        set.venue_updates.push(envelope(
            EventType::VenueUpdate,
            &format!("vu-{}", v.id),
            &format!("venue-service-{run}"),
            now - Duration::hours(48),
            json!({"venueId": v.id, "name": v.id, "timezone": tz.name(), "capacity": 800,
                   "currency": v.currency, "shows": shows}),
        ));
    }
    let mut seq = 0usize;
    let mut next_id = |prefix: &str| {
        seq += 1;
        format!("{prefix}-{run}-{seq}")
    };
    let spread = 40 * 3600;
    for (vi, v) in set.venues.iter().enumerate() {
        // Purchases: web and box office; an id at the length limit now and then.
        for p in 0..100 {
            let show = rng.random_range(0..v.shows.len());
            let time = now - Duration::seconds(rng.random_range(60..spread));
            let tickets = rng.random_range(1..=4);
            let amount = tickets * rng.random_range(1500..9000);
            let mut id = next_id("p");
            if p == 7 {
                id = format!("{id}-{}", "x".repeat(128 - id.chars().count() - 1));
            }
            let source = &sources[usize::from(p % 5 == 0)];
            // Visitors pay in US dollars at the Canadian venue now and then.
            let currency = if v.currency == "CAD" && p % 4 == 1 {
                "USD"
            } else {
                v.currency
            };
            set.events.push((
                EventType::TicketPurchase,
                envelope(
                    EventType::TicketPurchase,
                    &id,
                    source,
                    time,
                    json!({"orderId": format!("o-{run}-{vi}-{p}"), "ticketId": format!("t-{run}-{vi}-{p}"),
                           "eventId": v.shows[show], "venueId": v.id,
                           "userId": format!("user-{}", rng.random_range(0..40)),
                           "amount": amount, "currency": currency, "quantity": tickets,
                           "tier": TIERS[p % 3], "channel": "web"}),
                ),
            ));
            set.records.push(Record {
                venue: vi,
                show: Some(show),
                time,
                kind: Kind::Purchase {
                    amount,
                    tickets,
                    home: currency == v.currency,
                    usd: currency == "USD",
                },
            });
            // Money back on about one order in seven, minutes to a day later:
            // partial refunds, cancellations, chargebacks opened, won and lost.
            if p % 7 == 2 {
                let later = (time + Duration::seconds(rng.random_range(300..86_400)))
                    .min(now - Duration::seconds(30));
                let (reason, status, refund_amount, refund_tickets) = match (p / 7) % 5 {
                    0 => ("refund", None, amount / tickets, 1),
                    1 => ("cancellation", None, amount, tickets),
                    2 => ("chargeback", Some("opened"), amount, tickets),
                    3 => ("chargeback", Some("won"), amount, tickets),
                    _ => ("chargeback", Some("lost"), amount, tickets),
                };
                let sign = match status {
                    Some("won") => -1,
                    Some("lost") => 0,
                    _ => 1,
                };
                let mut data = json!({"orderId": format!("o-{run}-{vi}-{p}"), "eventId": v.shows[show],
                       "venueId": v.id, "userId": format!("user-{p}"), "amount": refund_amount,
                       "currency": currency, "quantity": refund_tickets, "reason": reason});
                if let Some(status) = status {
                    data["status"] = status.into();
                }
                set.events.push((
                    EventType::TicketRefund,
                    envelope(
                        EventType::TicketRefund,
                        &next_id("r"),
                        &sources[4],
                        later,
                        data,
                    ),
                ));
                set.records.push(Record {
                    venue: vi,
                    show: Some(show),
                    time: later,
                    kind: Kind::Refund {
                        amount: sign * refund_amount,
                        tickets: sign * refund_tickets,
                        home: currency == v.currency,
                        usd: currency == "USD",
                    },
                });
            }
            // The same id from the box office is another event.
            if p % 25 == 3 {
                let time = time + Duration::seconds(30);
                set.events.push((
                    EventType::TicketPurchase,
                    envelope(
                        EventType::TicketPurchase,
                        &id,
                        &sources[1],
                        time,
                        json!({"orderId": format!("bo-{run}-{vi}-{p}"), "ticketId": format!("bt-{run}-{vi}-{p}"),
                               "eventId": v.shows[show], "venueId": v.id, "userId": "walk-in",
                               "amount": 2500, "currency": v.currency, "quantity": 1,
                               "tier": "GA", "channel": "box-office"}),
                    ),
                ));
                set.records.push(Record {
                    venue: vi,
                    show: Some(show),
                    time,
                    kind: Kind::Purchase {
                        amount: 2500,
                        tickets: 1,
                        home: true,
                        usd: v.currency == "USD",
                    },
                });
            }
        }
        // Page views: sessions of 1–5 views within minutes, across both shows.
        let mut views = 0;
        while views < 100 {
            let session = next_id("sess");
            let start = now - Duration::seconds(rng.random_range(600..spread));
            for k in 0..rng.random_range(1..=5) {
                let time = start + Duration::seconds(70 * k);
                let show = rng.random_range(0..=v.shows.len());
                let show = (show < v.shows.len()).then_some(show);
                let mut data = json!({"sessionId": session, "path": "/shows", "venueId": v.id});
                if let Some(s) = show {
                    data["eventId"] = json!(v.shows[s]);
                }
                set.events.push((
                    EventType::PageView,
                    envelope(EventType::PageView, &next_id("pv"), &sources[3], time, data),
                ));
                set.records.push(Record {
                    venue: vi,
                    show,
                    time,
                    kind: Kind::View {
                        session: session.clone(),
                    },
                });
                views += 1;
            }
        }
        // Scans at the doors of the first show (an offline scanner syncs late).
        for _ in 0..60 {
            let time = now - Duration::seconds(rng.random_range(60..3 * 3600));
            let admitted = rng.random_bool(0.9);
            set.events.push((
                EventType::TicketScan,
                envelope(
                    EventType::TicketScan,
                    &next_id("scan"),
                    &sources[2],
                    time,
                    json!({"ticketId": next_id("tkt"), "eventId": v.shows[0], "venueId": v.id,
                           "entryPoint": "North Gate", "result": if admitted { "admitted" } else { "rejected" }}),
                ),
            ));
            set.records.push(Record {
                venue: vi,
                show: Some(0),
                time,
                kind: Kind::Scan { admitted },
            });
        }
    }
    // ~8% exact duplicates (a publisher retry or an SQS redelivery).
    let n = set.events.len();
    for i in 0..n {
        if i % 12 == 5 {
            let dup = set.events[i].clone();
            set.events.push(dup);
            set.duplicates += 1;
        }
    }
    // Bodies that must be quarantined, whatever else is in their batch.
    let v0 = &set.venues[0];
    for (venue, show, reason) in [
        (format!("{}#x", v0.id), v0.shows[0].clone(), "invalid_id"),
        (v0.id.clone(), "*".to_owned(), "invalid_id"),
        (v0.id.clone(), format!("{} 2", v0.shows[0]), "invalid_id"),
        (v0.id.clone(), "y".repeat(129), "invalid_id"),
    ] {
        set.rejected.push((
            EventType::PageView,
            envelope(
                EventType::PageView,
                &next_id("bad"),
                &sources[3],
                now - Duration::minutes(5),
                json!({"sessionId": "s", "path": "/", "venueId": venue, "eventId": show}),
            ),
            reason,
        ));
    }
    for _ in 0..2 {
        set.rejected.push((
            EventType::TicketPurchase,
            "{\"specversion\":\"1.0\",\"id\":".to_owned(),
            "malformed_json",
        ));
    }
    shuffle(&mut set.events, &mut rng);
    set
}

fn shuffle<T>(items: &mut [T], rng: &mut StdRng) {
    for i in (1..items.len()).rev() {
        let j = rng.random_range(0..=i);
        items.swap(i, j);
    }
}
