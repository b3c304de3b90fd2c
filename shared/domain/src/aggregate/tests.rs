//! The chunk builder must plan exactly what the plain version in
//! [`reference`](super::reference) plans, for any events, budget, venue
//! contexts and known sessions.

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::event::{
    CartAction, CartItem, CartUpdate, ChargebackStatus, PageView, RefundReason, ScanResult,
    ShowInfo, TicketPurchase, TicketRefund, TicketScan, VenueUpdate,
};
use crate::rollup::local_midnight;

const VENUES: [&str; 6] = [
    "venue-a", "venue-b", "venue-c", "venue-d", "venue-e", "venue-f",
];
const SHOWS: [&str; 2] = ["show-1", "show-2"];
const TIERS: [&str; 3] = ["GA", "VIP", "Balcony"];
const GATES: [&str; 3] = ["North", "South", "VIP"];

/// 23:30 in New York: two hours of events cross a local and a UTC day.
fn base() -> DateTime<Utc> {
    "2026-11-25T04:30:00Z".parse().unwrap()
}

fn text(s: impl Into<String>) -> Cow<'static, str> {
    Cow::Owned(s.into())
}

fn pick<T: Copy>(options: &[T], i: usize) -> T {
    options[i % options.len()]
}

/// Small numbers from which an event is built, so that keys collide often.
type Spec = (u8, [usize; 6], u16, i64, bool);

fn event((kind, [a, b, c, d, e, f], seconds, amount, flag): Spec) -> Event<'static> {
    let venue = pick(&VENUES, a);
    let show = pick(&SHOWS, b);
    let tier = (c % 4 != 3).then(|| text(pick(&TIERS, c)));
    // Venues D–F see their local midnight inside the two hours (18:30 UTC in
    // Kolkata, 18:15 in Kathmandu, 03:30 in St John's).
    let shift = match venue {
        "venue-d" | "venue-e" => Duration::hours(-11),
        "venue-f" => Duration::minutes(-90),
        _ => Duration::zero(),
    };
    let time = base() + shift + Duration::seconds(i64::from(seconds));
    let currency = text(if flag && d % 3 == 0 { "EUR" } else { "USD" });
    let data = match kind % 12 {
        0 | 1 => EventData::TicketPurchase(TicketPurchase {
            order_id: text(format!("o-{seconds}")),
            ticket_id: text("t"),
            event_id: text(show),
            venue_id: text(venue),
            user_id: text(format!("user-{}", d % 5)),
            amount,
            currency,
            quantity: 1 + u32::try_from(e % 4).unwrap(),
            tier,
            channel: (e % 3 != 0).then(|| text(pick(&["web", "app"], e))),
            campaign_id: (f % 2 == 0).then(|| text("promo")),
            show_starts_at: flag.then(|| base() + Duration::hours(i64::try_from(f % 30).unwrap())),
        }),
        2 | 3 => EventData::TicketScan(TicketScan {
            ticket_id: text("t"),
            event_id: text(show),
            venue_id: text(venue),
            entry_point: text(pick(&GATES, c)),
            result: pick(
                &[
                    ScanResult::Admitted,
                    ScanResult::Rejected,
                    ScanResult::Duplicate,
                ],
                d,
            ),
        }),
        4..=6 => EventData::PageView(PageView {
            session_id: text(format!("sess-{}", d % 6)),
            path: text("/"),
            user_id: None,
            venue_id: (e % 5 != 0).then(|| text(venue)),
            event_id: (e % 5 > 1).then(|| text(show)),
            referrer: None,
            campaign_id: flag.then(|| text(pick(&["promo", "fall"], f))),
        }),
        7 | 8 => EventData::CartUpdate(CartUpdate {
            cart_id: text("cart"),
            user_id: text("u"),
            event_id: text(show),
            venue_id: text(venue),
            action: pick(
                &[
                    CartAction::Add,
                    CartAction::Remove,
                    CartAction::Checkout,
                    CartAction::Abandon,
                ],
                d,
            ),
            items: (0..e % 3)
                .map(|i| CartItem {
                    tier: text(pick(&TIERS, c + i)),
                    quantity: 1 + u32::try_from(i).unwrap(),
                    unit_amount: amount,
                })
                .collect(),
            cart_value: amount,
            currency,
        }),
        10 | 11 => EventData::TicketRefund(TicketRefund {
            order_id: text(format!("o-{seconds}")),
            event_id: text(show),
            venue_id: text(venue),
            user_id: text(format!("user-{}", d % 5)),
            amount,
            currency,
            quantity: u32::try_from(e % 3).unwrap(),
            reason: pick(&RefundReason::ALL, c),
            status: (c % 3 == 2).then(|| {
                pick(
                    &[
                        ChargebackStatus::Opened,
                        ChargebackStatus::Won,
                        ChargebackStatus::Lost,
                    ],
                    f,
                )
            }),
        }),
        _ => EventData::VenueUpdate(VenueUpdate {
            venue_id: text(venue),
            name: None,
            timezone: None,
            capacity: None,
            shows: flag.then(|| {
                (0..e % 3)
                    .map(|_| ShowInfo {
                        event_id: text(show),
                        name: text("A show"),
                        starts_at: base(),
                        capacity: None,
                        on_sale_at: None,
                    })
                    .collect()
            }),
            currency: None,
        }),
    };
    Event {
        id: text(format!("id-{seconds}")),
        source: text(pick(&["svc-1", "svc-2"], f)),
        time,
        data,
    }
}

fn specs() -> impl Strategy<Value = Vec<Spec>> {
    let spec = (
        any::<u8>(),
        [0usize..12, 0..12, 0..12, 0..12, 0..12, 0..12],
        0u16..7200,
        prop_oneof![Just(0i64), 1i64..20_000],
        any::<bool>(),
    );
    (prop::collection::vec(spec, 0..400), any::<bool>()).prop_map(|(mut specs, ordered)| {
        if ordered {
            specs.sort_by_key(|s| s.2);
        }
        specs
    })
}

/// Venue A is in New York with known show starts; B has a context without a
/// zone; C has none; D, E and F are in zones at :30 and :45 (Kolkata,
/// Kathmandu, St John's).
fn contexts(with_contexts: bool) -> VenueContexts {
    let mut contexts = VenueContexts::default();
    if with_contexts {
        for (venue, zone) in [
            ("venue-d", chrono_tz::Asia::Kolkata),
            ("venue-e", chrono_tz::Asia::Kathmandu),
            ("venue-f", chrono_tz::America::St_Johns),
        ] {
            contexts.insert(
                venue.to_owned(),
                VenueContext {
                    tz: Some(zone),
                    ..VenueContext::default()
                },
            );
        }
        let ny: Tz = "America/New_York".parse().unwrap();
        let mut a = VenueContext {
            tz: Some(ny),
            ..VenueContext::default()
        };
        a.show_starts
            .insert("show-1".to_owned(), base() + Duration::hours(20));
        contexts.insert("venue-a".to_owned(), a);
        contexts.insert("venue-b".to_owned(), VenueContext::default());
    }
    contexts
}

/// Sessions already counted in storage, on the days the events fall on.
fn known_sessions(contexts: &VenueContexts, sessions: &[usize]) -> Learned {
    let mut known = Learned::default();
    for &s in sessions {
        let venue = pick(&VENUES, s);
        let tz = contexts.get(venue).and_then(|c| c.tz).unwrap_or(Tz::UTC);
        let t = base() + Duration::minutes(i64::try_from(s * 17).unwrap());
        known.sessions.insert(CountedSession {
            venue: venue.to_owned(),
            show: (s % 2 == 1).then(|| pick(&SHOWS, s).to_owned()),
            day: local_midnight(t, tz),
            session: format!("sess-{}", s % 6),
        });
        // Some venue updates are older than the stored metadata.
        known.stale_updates.insert(s * 7);
        // Some customers' purchases and refunds take markers, and some
        // dedupe buckets' events.
        known.marker_guards.insert(OwnedGuard::Customer {
            venue: venue.to_owned(),
            customer: format!("user-{}", s % 5),
        });
        known.marker_guards.insert(OwnedGuard::Bucket {
            venue: venue.to_owned(),
            source: pick(&["svc-1", "svc-2"], s).to_owned(),
            minute: (t.timestamp().div_euclid(60)) * 60,
            slot: u8::try_from(s % 16).unwrap(),
        });
    }
    known
}

type Comparable<'p, 'e> = (
    &'p Vec<usize>,
    &'p Vec<(RollupKey<'e>, Counters<'e>)>,
    &'p Vec<((&'e str, &'e str), CustomerDelta<'e>)>,
    &'p Vec<SessionKey<'e>>,
    &'p Vec<FlowDelta<'e>>,
    &'p Vec<usize>,
    &'p Vec<DedupeBucket<'e>>,
);

fn comparable<'p, 'e>(plans: &'p [ChunkPlan<'e>]) -> Vec<Comparable<'p, 'e>> {
    plans
        .iter()
        .map(|p| {
            (
                &p.events,
                &p.rollups,
                &p.customers,
                &p.sessions,
                &p.flows,
                &p.venue_updates,
                &p.buckets,
            )
        })
        .collect()
}

#[test]
fn a_hot_show_plans_like_the_reference() {
    let events: Vec<_> = (0..3000u16)
        .map(|i| {
            let i_ = usize::from(i);
            event((
                u8::try_from(i_ % 9).unwrap(),
                [0, 0, i_, i_ / 3, i_, i_],
                i,
                4500,
                i % 7 == 0,
            ))
        })
        .collect();
    for with_contexts in [false, true] {
        let contexts = contexts(with_contexts);
        let known = known_sessions(&contexts, &[0, 3, 6]);
        let ours = plan_chunks(&events, 0..events.len(), &contexts, &known, 100);
        let theirs = reference::plan_chunks(&events, 0..events.len(), &contexts, &known, 100);
        assert!(ours.len() > 10);
        assert_eq!(comparable(&ours), comparable(&theirs));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn plans_like_the_reference(
        specs in specs(),
        budget in prop_oneof![Just(100usize), 0usize..120],
        with_contexts in any::<bool>(),
        sessions in prop::collection::vec(0usize..40, 0..4),
        skip in prop::collection::vec(any::<bool>(), 0..400),
    ) {
        let events: Vec<_> = specs.into_iter().map(event).collect();
        let contexts = contexts(with_contexts);
        let known = known_sessions(&contexts, &sessions);
        let indexes: Vec<usize> = (0..events.len())
            .filter(|&i| !skip.get(i).copied().unwrap_or(false))
            .collect();
        let ours = plan_chunks(&events, indexes.iter().copied(), &contexts, &known, budget);
        let theirs = reference::plan_chunks(&events, indexes.iter().copied(), &contexts, &known, budget);
        prop_assert_eq!(comparable(&ours), comparable(&theirs));
    }

    #[test]
    fn a_lone_builder_finishes_like_the_reference(
        specs in specs(),
        budget in 0usize..120,
        with_contexts in any::<bool>(),
    ) {
        let events: Vec<_> = specs.into_iter().map(event).collect();
        let contexts = contexts(with_contexts);
        let known = Learned::default();
        let mut ours = ChunkBuilder::new(&contexts, &known).with_budget(budget);
        let mut theirs = reference::ChunkBuilder::new(&contexts, &known).with_budget(budget);
        for (i, e) in events.iter().enumerate() {
            let added = ours.try_add(i, e);
            prop_assert_eq!(added, theirs.try_add(i, e));
            if !added {
                break;
            }
        }
        prop_assert_eq!(ours.is_empty(), theirs.is_empty());
        let (ours, theirs) = ([ours.finish()], [theirs.finish()]);
        prop_assert_eq!(comparable(&ours), comparable(&theirs));
    }
}
