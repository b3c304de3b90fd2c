//! Generation of the night's valid events, and their publish order with
//! duplicates and malformed messages mixed in.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use std::collections::HashSet;

use domain::event::{CartAction, ChargebackStatus, RefundReason, ScanResult};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::records::{Cart, Purchase, Rec, RecData, Refund, Scan, Show, View};
use super::{Kind, SimConfig, SimEvent, malformed};

/// Ticket tiers: name, price in minor units, share of orders (%).
const TIERS: [(&str, i64, u32); 3] = [("GA", 4500, 70), ("Balcony", 6500, 20), ("VIP", 12_000, 10)];
/// Campaigns (with the referrer their links come from) and their share of sessions (%); the rest is direct.
const CAMPAIGNS: [(&str, &str, u32); 3] = [
    ("fall-promo", "https://news.example/", 25),
    ("newsletter", "https://mail.example/", 20),
    ("social-ads", "https://social.example/", 15),
];
const GATES: [&str; 3] = ["North Gate", "South Gate", "East Gate"];
const VIP_ENTRANCE: &str = "VIP Entrance";
/// Orders of the main show at scale 1; the other shows sell 20% and 10% of it.
const MAIN_SHOW_ORDERS: f64 = 300.0;
/// Share of carts abandoned.
const ABANDON_RATE: f64 = 0.3;
/// Share of orders bought by a returning customer.
const REPEAT_RATE: f64 = 0.15;
/// Share of orders with money going back: a refund, a cancellation or a chargeback.
const REFUND_RATE: f64 = 0.05;

/// The generated night: shows and valid events (in generation order).
pub(super) struct Night {
    pub shows: Vec<Show>,
    pub records: Vec<Rec>,
}

struct Gen<'c> {
    cfg: &'c SimConfig,
    rng: StdRng,
    /// Separate stream for CloudEvent ids, so ids do not shift the night's shape.
    ids: StdRng,
    now: DateTime<Utc>,
    doors: DateTime<Utc>,
    shows: Vec<Show>,
    sold: Vec<u32>,
    records: Vec<Rec>,
    customers: Vec<String>,
    next: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CartEnd {
    Checkout,
    Abandon,
}

/// The CloudEvent id stream's seed: the night's seed and its venue, so two
/// venues simulated with one seed in the same second never share an id (a
/// shared id is a duplicate to the pipeline, whatever the venue).
fn id_seed(cfg: &SimConfig) -> u64 {
    // FNV-1a: stable across platforms and Rust versions, unlike `DefaultHasher`.
    cfg.venue_id
        .bytes()
        .fold(0xCBF2_9CE4_8422_2325_u64 ^ cfg.seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
        })
        ^ 0x9E37_79B9_7F4A_7C15
}

pub(super) fn generate(cfg: &SimConfig) -> Night {
    let now = DateTime::from_timestamp(cfg.now.timestamp(), 0).unwrap_or(cfg.now);
    let mut g = Gen {
        cfg,
        rng: StdRng::seed_from_u64(cfg.seed),
        ids: StdRng::seed_from_u64(id_seed(cfg)),
        now,
        doors: now - Duration::minutes(90),
        shows: Vec::new(),
        sold: Vec::new(),
        records: Vec::new(),
        customers: Vec::new(),
        next: 0,
    };
    g.shows(cfg);
    let venue_time = now - Duration::days(8);
    g.push(venue_time, RecData::Venue);
    let scale = cfg.scale.max(0.0);
    for (show, share) in [(0, 1.0), (1, 0.2), (2, 0.1)] {
        if show < g.shows.len() {
            g.sales(
                show,
                ((MAIN_SHOW_ORDERS * share * scale).round() as usize).max(1),
            );
        }
    }
    let refunded = g.refunds();
    g.scans(&refunded);
    g.mark_late();
    let mut records = g.records;
    records.sort_by_key(|r| r.time);
    Night {
        shows: g.shows,
        records,
    }
}

impl Gen<'_> {
    fn shows(&mut self, cfg: &SimConfig) {
        let now = self.now;
        let mut shows = vec![Show {
            id: cfg.show_id.clone(),
            name: cfg.show_name.clone(),
            starts_at: now + Duration::minutes(30),
            on_sale_at: now - Duration::days(7),
            capacity: cfg.capacity,
        }];
        let count = self.rng.random_range(2..=3);
        for (suffix, label, starts_in, on_sale_ago) in
            [("encore", "Encore", 7, 3), ("matinee", "Matinee", 14, 1)]
                .into_iter()
                .take(count - 1)
        {
            shows.push(Show {
                id: format!("{}-{suffix}", cfg.show_id),
                name: format!("{} ({label})", cfg.show_name),
                starts_at: now + Duration::days(starts_in),
                on_sale_at: now - Duration::days(on_sale_ago),
                capacity: cfg.capacity,
            });
        }
        self.sold = vec![0; shows.len()];
        self.shows = shows;
    }

    fn push(&mut self, time: DateTime<Utc>, data: RecData) {
        debug_assert!(time <= self.now);
        let millis = u64::try_from(time.timestamp_millis()).unwrap_or(0);
        let random: [u8; 10] = self.ids.random();
        let id = uuid::Builder::from_unix_timestamp_millis(millis, &random)
            .into_uuid()
            .to_string();
        self.records.push(Rec {
            id,
            time,
            data,
            late: false,
        });
    }

    fn next_id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{:05}", self.next)
    }

    fn secs(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::seconds(self.rng.random_range(lo..=hi))
    }

    /// An exponential sample with the given mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.rng.random::<f64>()).ln()
    }

    fn pick_weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|i| i.1).sum();
        let mut r = self.rng.random_range(0..total);
        for &(item, w) in items {
            if r < w {
                return item;
            }
            r -= w;
        }
        items[items.len() - 1].0
    }

    fn tier(&mut self) -> (&'static str, i64) {
        let tiers: Vec<((&'static str, i64), u32)> =
            TIERS.iter().map(|&(t, p, w)| ((t, p), w)).collect();
        self.pick_weighted(&tiers)
    }

    fn quantity(&mut self) -> u32 {
        self.pick_weighted(&[(1, 35), (2, 35), (3, 20), (4, 10)])
    }

    fn campaign(&mut self) -> Option<(&'static str, &'static str)> {
        let direct: u32 = 100 - CAMPAIGNS.iter().map(|c| c.2).sum::<u32>();
        let mut options: Vec<(Option<(&'static str, &'static str)>, u32)> = CAMPAIGNS
            .iter()
            .map(|&(c, r, w)| (Some((c, r)), w))
            .collect();
        options.push((None, direct));
        self.pick_weighted(&options)
    }

    /// A customer: a returning one sometimes, otherwise a new one.
    fn customer(&mut self) -> String {
        if !self.customers.is_empty() && self.rng.random_bool(REPEAT_RATE) {
            let i = self.rng.random_range(0..self.customers.len());
            return self.customers[i].clone();
        }
        let user = self.next_id("user");
        self.customers.push(user.clone());
        user
    }

    /// When an order of `show` happens: the on-sale spike, then a decaying
    /// trickle, then a last-day bump. Before doors for the main show.
    fn sale_time(&mut self, show: usize) -> DateTime<Utc> {
        let on_sale = self.shows[show].on_sale_at;
        let cutoff = if show == 0 {
            self.doors - Duration::minutes(10)
        } else {
            self.now - Duration::minutes(5)
        };
        let after_spike = on_sale + Duration::hours(1);
        let span = (cutoff - after_spike).num_seconds().max(1) as f64;
        let r: f64 = self.rng.random();
        let offset = if r < 0.35 {
            self.exp(600.0).min(3_540.0) as i64
        } else if r < 0.9 {
            let mut x = self.exp(span / 3.0);
            while x > span {
                x = self.exp(span / 3.0);
            }
            3_600 + x as i64
        } else {
            let window = (10.0 * 3_600.0f64).min(span);
            3_600 + (span - self.rng.random::<f64>() * window) as i64
        };
        (on_sale + Duration::seconds(offset)).min(cutoff)
    }

    fn remaining(&self, show: usize) -> u32 {
        self.shows[show].capacity.saturating_sub(self.sold[show])
    }

    fn sales(&mut self, show: usize, orders: usize) {
        let box_office = (orders as f64 * 0.1).round() as usize;
        let online = orders - box_office;
        let abandoned = (online as f64 * ABANDON_RATE / (1.0 - ABANDON_RATE)).round() as usize;
        let browsing = (online + abandoned) * 4 / 5;
        for _ in 0..online {
            let t = self.sale_time(show);
            self.shopping_session(show, t, CartEnd::Checkout);
        }
        for _ in 0..abandoned {
            let t = self.sale_time(show);
            self.shopping_session(show, t, CartEnd::Abandon);
        }
        for _ in 0..box_office {
            self.box_office_sale(show);
        }
        for i in 0..browsing {
            let t = self.sale_time(show);
            // One in six browsing sessions looks at the venue page only.
            let target = if show == 0 && i % 6 == 5 {
                None
            } else {
                Some(show)
            };
            self.browse_session(target, t);
        }
    }

    /// Places a session of `views_span` (page views) and `total_span` (all
    /// events) near `t`: ending by `now`, its page views within one UTC day
    /// and one venue-local day.
    fn place_session(
        &self,
        t: DateTime<Utc>,
        views_span: Duration,
        total_span: Duration,
    ) -> DateTime<Utc> {
        let limit = self.now - Duration::seconds(30);
        let mut start = if t + total_span > limit {
            limit - total_span
        } else {
            t
        };
        if let Some(boundary) = self.midnight_within(start, start + views_span) {
            start = if boundary + Duration::seconds(1) + total_span <= limit {
                boundary + Duration::seconds(1)
            } else {
                boundary - views_span - Duration::seconds(1)
            };
        }
        start
    }

    /// The first UTC or venue-local midnight in `(from, to]`, if any.
    fn midnight_within(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let next_utc = (from.date_naive() + Duration::days(1))
            .and_time(NaiveTime::MIN)
            .and_utc();
        let local_date = from.with_timezone(&self.cfg.timezone).date_naive() + Duration::days(1);
        let next_local = self
            .cfg
            .timezone
            .from_local_datetime(&local_date.and_time(NaiveTime::MIN))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(next_utc);
        [next_utc, next_local]
            .into_iter()
            .filter(|m| *m > from && *m <= to)
            .min()
    }

    /// Page views of one session on `show` (or the venue page), starting at offset 0.
    fn session_views(&mut self, show: Option<usize>, count: u32) -> Vec<(Duration, String, bool)> {
        let mut views = Vec::new();
        let mut at = Duration::zero();
        if self.rng.random_bool(0.3) {
            let landing = if self.rng.random_bool(0.5) {
                "/"
            } else {
                "/search?q=live+music"
            };
            views.push((at, landing.to_owned(), false));
            at += self.secs(10, 60);
        }
        for i in 0..count {
            let path = match show {
                None => format!("/venues/{}", self.cfg.venue_id),
                Some(s) => {
                    let id = &self.shows[s].id;
                    match i % 3 {
                        0 => format!("/events/{id}"),
                        1 => format!("/events/{id}/seats"),
                        _ => format!("/events/{id}/tickets"),
                    }
                }
            };
            views.push((at, path, true));
            at += self.secs(10, 90);
        }
        views
    }

    fn emit_views(
        &mut self,
        start: DateTime<Utc>,
        views: Vec<(Duration, String, bool)>,
        show: Option<usize>,
        session: &Session,
    ) {
        for (offset, path, venue) in views {
            self.push(
                start + offset,
                RecData::View(View {
                    session_id: session.id.clone(),
                    path,
                    user_id: session.user_on_views.clone(),
                    venue,
                    show: show.filter(|_| venue),
                    referrer: session.campaign.map(|c| c.1),
                    campaign: session.campaign.map(|c| c.0),
                }),
            );
        }
    }

    fn new_session(&mut self, user: Option<String>) -> Session {
        let id = self.next_id("sess");
        let campaign = self.campaign();
        let user_on_views = user.filter(|_| self.rng.random_bool(0.6));
        Session {
            id,
            campaign,
            user_on_views,
        }
    }

    /// Views, a cart and (for a checkout) a purchase.
    fn shopping_session(&mut self, show: usize, t: DateTime<Utc>, end: CartEnd) {
        let mut end = end;
        let user = self.customer();
        let session = self.new_session(Some(user.clone()));
        let view_count = self.rng.random_range(1..=4);
        let views = self.session_views(Some(show), view_count);
        let views_span = views.last().map_or(Duration::zero(), |v| v.0);
        let (tier, price) = self.tier();
        let mut quantity = self.quantity();
        if end == CartEnd::Checkout {
            match self.remaining(show) {
                0 => end = CartEnd::Abandon,
                left => quantity = quantity.min(left),
            }
        }
        // Cart steps after the last view: (offset, action, items, value after).
        let cart_id = self.next_id("cart");
        let mut steps: Vec<CartStep> = Vec::new();
        let mut at = views_span + self.secs(10, 60);
        let value = price * i64::from(quantity);
        steps.push((at, CartAction::Add, vec![(tier, quantity, price)], value));
        if self.rng.random_bool(0.2) {
            let (other, other_price, _) =
                TIERS[(TIERS.iter().position(|t| t.0 == tier).unwrap_or(0) + 1) % TIERS.len()];
            at += self.secs(15, 60);
            steps.push((
                at,
                CartAction::Add,
                vec![(other, 1, other_price)],
                value + other_price,
            ));
            at += self.secs(10, 40);
            steps.push((at, CartAction::Remove, vec![(other, 1, other_price)], value));
        }
        match end {
            CartEnd::Checkout => at += self.secs(30, 180),
            CartEnd::Abandon => at += self.secs(20 * 60, 40 * 60),
        }
        let action = if end == CartEnd::Checkout {
            CartAction::Checkout
        } else {
            CartAction::Abandon
        };
        steps.push((at, action, vec![(tier, quantity, price)], value));
        let purchase_at = at + self.secs(5, 40);
        let total_span = if end == CartEnd::Checkout {
            purchase_at
        } else {
            at
        };
        let start = self.place_session(t, views_span, total_span);
        self.emit_views(start, views, Some(show), &session);
        for (offset, action, items, value) in steps {
            self.push(
                start + offset,
                RecData::Cart(Cart {
                    cart_id: cart_id.clone(),
                    user_id: user.clone(),
                    show,
                    action,
                    items,
                    value,
                }),
            );
        }
        if end == CartEnd::Checkout {
            let channel = if self.rng.random_bool(0.72) {
                "web"
            } else {
                "app"
            };
            let order = Purchase {
                order_id: self.next_id("ord"),
                show,
                user_id: user,
                quantity,
                unit_amount: price,
                tier,
                channel,
                campaign: session.campaign.map(|c| c.0),
            };
            self.sold[show] += quantity;
            self.push(start + purchase_at, RecData::Purchase(order));
        }
    }

    fn browse_session(&mut self, show: Option<usize>, t: DateTime<Utc>) {
        let user = self.rng.random_bool(0.3).then(|| self.customer());
        let session = self.new_session(user);
        let count = self.rng.random_range(1..=3);
        let views = self.session_views(show, count);
        let span = views.last().map_or(Duration::zero(), |v| v.0);
        let start = self.place_session(t, span, span);
        self.emit_views(start, views, show, &session);
    }

    /// A sale at the venue's box office: for the main show during the hour
    /// before doors and since; for the others any time they are on sale.
    fn box_office_sale(&mut self, show: usize) {
        let quantity = self.quantity().min(self.remaining(show));
        if quantity == 0 {
            return;
        }
        let t = if show == 0 {
            let window = (self.now - (self.doors - Duration::minutes(60))).num_seconds() - 60;
            self.doors - Duration::minutes(60) + self.secs(0, window)
        } else {
            self.sale_time(show)
        };
        let (tier, price) = self.tier();
        let user = if self.rng.random_bool(0.2) {
            self.customer()
        } else {
            self.next_id("guest")
        };
        let order = Purchase {
            order_id: self.next_id("ord"),
            show,
            user_id: user,
            quantity,
            unit_amount: price,
            tier,
            channel: "box-office",
            campaign: None,
        };
        self.sold[show] += quantity;
        self.push(t, RecData::Purchase(order));
    }

    /// About 5% of orders see money go back, some hours to days after the
    /// purchase: a refund (a third of them partial: one ticket of several,
    /// or the fees only), a cancellation, or a chargeback that opens and is
    /// later won or lost. Its own random stream, so the rest of the night
    /// keeps its shape. Returns the orders whose tickets are gone (no scan).
    fn refunds(&mut self) -> HashSet<String> {
        let mut rng = StdRng::seed_from_u64(self.cfg.seed ^ 0x5EF0_4D5A_u64);
        let orders: Vec<(Purchase, DateTime<Utc>)> = self
            .records
            .iter()
            .filter_map(|r| match &r.data {
                RecData::Purchase(p) => Some((p.clone(), r.time)),
                _ => None,
            })
            .collect();
        let mut gone = HashSet::new();
        let now = self.now;
        for (p, bought) in orders {
            if !rng.random_bool(REFUND_RATE) {
                continue;
            }
            let at = |rng: &mut StdRng, t: DateTime<Utc>| {
                (t + Duration::seconds(rng.random_range(3_600..=3 * 86_400))).min(now)
            };
            let when = at(&mut rng, bought);
            let refund = |reason, status, amount, quantity| Refund {
                order_id: p.order_id.clone(),
                show: p.show,
                user_id: p.user_id.clone(),
                amount,
                quantity,
                reason,
                status,
            };
            let roll: f64 = rng.random();
            if roll < 0.2 {
                // Partial: one ticket of several, else the booking fee.
                let (amount, quantity) = if p.quantity > 1 {
                    (p.unit_amount, 1)
                } else {
                    (p.unit_amount / 10, 0)
                };
                self.push(
                    when,
                    RecData::Refund(refund(RefundReason::Refund, None, amount, quantity)),
                );
            } else if roll < 0.6 {
                self.push(
                    when,
                    RecData::Refund(refund(RefundReason::Refund, None, p.amount(), p.quantity)),
                );
                gone.insert(p.order_id.clone());
            } else if roll < 0.8 {
                self.push(
                    when,
                    RecData::Refund(refund(
                        RefundReason::Cancellation,
                        None,
                        p.amount(),
                        p.quantity,
                    )),
                );
                gone.insert(p.order_id.clone());
            } else {
                let opened = refund(
                    RefundReason::Chargeback,
                    Some(ChargebackStatus::Opened),
                    p.amount(),
                    p.quantity,
                );
                self.push(when, RecData::Refund(opened));
                let settled = at(&mut rng, when);
                let outcome = rng.random::<f64>();
                if settled > when && outcome < 0.5 {
                    let won = refund(
                        RefundReason::Chargeback,
                        Some(ChargebackStatus::Won),
                        p.amount(),
                        p.quantity,
                    );
                    self.push(settled, RecData::Refund(won));
                } else {
                    gone.insert(p.order_id.clone());
                    if settled > when && outcome < 0.8 {
                        let lost = refund(
                            RefundReason::Chargeback,
                            Some(ChargebackStatus::Lost),
                            p.amount(),
                            p.quantity,
                        );
                        self.push(settled, RecData::Refund(lost));
                    }
                }
            }
        }
        gone
    }

    /// Since doors opened: most ticket holders arrive (surge in the first
    /// hour), a few tickets are rescanned (duplicate) and a few refused.
    /// Tickets of `refunded` orders are not scanned.
    fn scans(&mut self, refunded: &HashSet<String>) {
        let with_vip = self.rng.random_bool(0.5);
        let tickets: Vec<(String, &'static str, DateTime<Utc>)> = self
            .records
            .iter()
            .filter_map(|r| match &r.data {
                RecData::Purchase(p) if p.show == 0 && !refunded.contains(&p.order_id) => {
                    Some((p, r.time))
                }
                _ => None,
            })
            .flat_map(|(p, t)| (1..=p.quantity).map(move |k| (p.ticket_id(k), p.tier, t)))
            .collect();
        let mut admitted = 0usize;
        for (ticket_id, tier, bought) in tickets {
            if !self.rng.random_bool(0.92) {
                continue; // a no-show
            }
            let arrival = if bought >= self.doors {
                bought + self.secs(60, 300)
            } else {
                self.doors + Duration::seconds(self.exp(25.0 * 60.0) as i64)
            };
            if arrival > self.now {
                continue; // not here yet
            }
            let gate = if with_vip && tier == "VIP" {
                VIP_ENTRANCE
            } else {
                GATES[self.rng.random_range(0..GATES.len())]
            };
            self.push(
                arrival,
                RecData::Scan(Scan {
                    ticket_id: ticket_id.clone(),
                    show: 0,
                    entry_point: gate,
                    result: ScanResult::Admitted,
                }),
            );
            admitted += 1;
            if self.rng.random_bool(0.03) {
                let again = (arrival + self.secs(5, 300)).min(self.now);
                self.push(
                    again,
                    RecData::Scan(Scan {
                        ticket_id,
                        show: 0,
                        entry_point: gate,
                        result: ScanResult::Duplicate,
                    }),
                );
            }
        }
        let refused = admitted / 50 + 1;
        let doors_open = (self.now - self.doors).num_seconds();
        for _ in 0..refused {
            let t = self.doors + self.secs(0, doors_open);
            let ticket_id = self.next_id("tkt-void");
            let gate = GATES[self.rng.random_range(0..GATES.len())];
            self.push(
                t,
                RecData::Scan(Scan {
                    ticket_id,
                    show: 0,
                    entry_point: gate,
                    result: ScanResult::Rejected,
                }),
            );
        }
    }

    /// Marks 3–6 page views, carts or purchases from 2–8 hours ago as late:
    /// an app that was offline sends them after everything else.
    fn mark_late(&mut self) {
        let (from, to) = (self.now - Duration::hours(8), self.now - Duration::hours(2));
        let candidates: Vec<usize> = self
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.time >= from
                    && r.time <= to
                    && matches!(
                        r.data,
                        RecData::View(_) | RecData::Cart(_) | RecData::Purchase(_)
                    )
            })
            .map(|(i, _)| i)
            .collect();
        let want = self.rng.random_range(3..=6).min(candidates.len());
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < want {
            let i = candidates[self.rng.random_range(0..candidates.len())];
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        for i in chosen {
            self.records[i].late = true;
        }
    }
}

/// A cart update at an offset into the session: action, items, cart value after.
type CartStep = (Duration, CartAction, Vec<(&'static str, u32, i64)>, i64);

struct Session {
    id: String,
    campaign: Option<(&'static str, &'static str)>,
    user_on_views: Option<String>,
}

/// The messages in publish order: the venue update, the valid events in
/// time order with duplicates shortly after their originals and malformed
/// messages mixed in, then the late events.
pub(super) fn publish_order(cfg: &SimConfig, night: &Night) -> Vec<SimEvent> {
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x5DEE_CE66_D1CE_5EED);
    let mut base: Vec<SimEvent> = night
        .records
        .iter()
        .filter(|r| !r.late)
        .chain(night.records.iter().filter(|r| r.late))
        .map(|r| SimEvent {
            event_type: r.event_type(),
            body: r.body(cfg, &night.shows),
            kind: if r.late { Kind::Late } else { Kind::Valid },
        })
        .collect();
    debug_assert_eq!(
        base.first().map(|e| e.event_type),
        Some(domain::EventType::VenueUpdate)
    );
    // What to emit after each base message.
    let mut after: Vec<Vec<SimEvent>> = vec![Vec::new(); base.len()];
    let duplicates = (base.len() as f64 * cfg.duplicate_rate.clamp(0.0, 1.0)).round() as usize;
    for _ in 0..duplicates {
        let i = rng.random_range(0..base.len());
        let at = (i + rng.random_range(0..=50)).min(base.len() - 1);
        after[at].push(SimEvent {
            kind: Kind::Duplicate,
            ..base[i].clone()
        });
    }
    for (k, m) in malformed::messages(cfg, night, cfg.malformed_count)
        .into_iter()
        .enumerate()
    {
        // Spread evenly, never before the venue update.
        let at = ((k + 1) * base.len() / (cfg.malformed_count + 1)).min(base.len() - 1);
        after[at].push(m);
    }
    let mut out = Vec::with_capacity(base.len() + duplicates + cfg.malformed_count);
    for (e, extra) in base.drain(..).zip(after) {
        out.push(e);
        out.extend(extra);
    }
    out
}
