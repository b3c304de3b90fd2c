//! Leaves: what a chunk counts per (venue, show, minute), and the rollups
//! derived from them when the chunk is closed.

use rustc_hash::FxHashMap;

use super::{Counters, RollupKey};
use crate::event::{CartAction, EventData, ScanResult};
use crate::rollup::{Dimension, Granularity, Metric};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct LeafKey<'e> {
    pub venue: &'e str,
    pub show: Option<&'e str>,
    pub minute: i64,
}

/// A breakdown increment `(metric, dimension, value, delta)`, as in [`Counters`].
type Increment<'e> = (Metric, Dimension, &'e str, i64);

pub(super) struct Leaf<'e> {
    pub key: LeafKey<'e>,
    /// Start of the venue-local day holding the minute (the `1d` bucket).
    pub day: i64,
    base: [i64; Metric::COUNT],
    /// Per (dimension, value); a handful per leaf, so a list beats a map.
    breakdowns: Vec<(Dimension, &'e str, [i64; Metric::COUNT])>,
    currency: Option<&'e str>,
    /// A show leaf's unique sessions in the *venue* scope (its `base` holds
    /// the show's): total, and by campaign.
    venue_sessions: i64,
    venue_campaign_sessions: Vec<(&'e str, i64)>,
}

/// Which scopes a page view is a session's first view of that day in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct NewSession {
    pub venue: bool,
    pub show: bool,
}

impl<'e> Leaf<'e> {
    pub fn new(key: LeafKey<'e>, day: i64) -> Self {
        Leaf {
            key,
            day,
            base: [0; Metric::COUNT],
            breakdowns: Vec::new(),
            currency: None,
            venue_sessions: 0,
            venue_campaign_sessions: Vec::new(),
        }
    }

    fn breakdown(&mut self, dim: Dimension, value: &'e str) -> &mut [i64; Metric::COUNT] {
        let i = match self
            .breakdowns
            .iter()
            .position(|(d, v, _)| *d == dim && *v == value)
        {
            Some(i) => i,
            None => {
                self.breakdowns.push((dim, value, [0; Metric::COUNT]));
                self.breakdowns.len() - 1
            }
        };
        &mut self.breakdowns[i].2
    }

    /// Counts one event.
    pub fn count(&mut self, data: &'e EventData<'_>, new: NewSession) {
        // The leaf's own scope is the show's when it has one.
        let unique_session = if self.key.show.is_some() {
            new.show
        } else {
            new.venue
        };
        if self.key.show.is_some() && new.venue {
            self.venue_sessions += 1;
            if let EventData::PageView(v) = data
                && let Some(c) = v.campaign_id.as_deref()
            {
                match self.venue_campaign_sessions.iter_mut().find(|x| x.0 == c) {
                    Some(x) => x.1 += 1,
                    None => self.venue_campaign_sessions.push((c, 1)),
                }
            }
        }
        let mut add = |m: Metric, v: i64| self.base[m.index()] += v;
        match data {
            EventData::TicketPurchase(p) => {
                let q = i64::from(p.quantity);
                add(Metric::Revenue, p.amount);
                add(Metric::TicketsSold, q);
                add(Metric::Orders, 1);
                self.currency.get_or_insert(&p.currency);
                for (dim, value) in [
                    (Dimension::Tier, &p.tier),
                    (Dimension::Channel, &p.channel),
                    (Dimension::Campaign, &p.campaign_id),
                ] {
                    if let Some(value) = value.as_deref() {
                        let b = self.breakdown(dim, value);
                        b[Metric::Revenue.index()] += p.amount;
                        b[Metric::TicketsSold.index()] += q;
                        b[Metric::Orders.index()] += 1;
                    }
                }
                let b = self.breakdown(Dimension::Currency, &p.currency);
                b[Metric::Revenue.index()] += p.amount;
                b[Metric::TicketsSold.index()] += q;
                b[Metric::Orders.index()] += 1;
            }
            EventData::TicketScan(s) => {
                let m = match s.result {
                    ScanResult::Admitted => Metric::ScansAdmitted,
                    ScanResult::Rejected => Metric::ScansRejected,
                    ScanResult::Duplicate => Metric::ScansDuplicate,
                };
                add(m, 1);
                self.breakdown(Dimension::EntryPoint, &s.entry_point)[m.index()] += 1;
            }
            EventData::PageView(v) => {
                add(Metric::PageViews, 1);
                if unique_session {
                    add(Metric::UniqueSessions, 1);
                }
                if let Some(c) = v.campaign_id.as_deref() {
                    let b = self.breakdown(Dimension::Campaign, c);
                    b[Metric::PageViews.index()] += 1;
                    if unique_session {
                        b[Metric::UniqueSessions.index()] += 1;
                    }
                }
            }
            EventData::CartUpdate(c) => {
                match c.action {
                    CartAction::Add => add(Metric::CartAdds, 1),
                    CartAction::Remove => add(Metric::CartRemoves, 1),
                    CartAction::Checkout => add(Metric::CartCheckouts, 1),
                    CartAction::Abandon => {
                        add(Metric::CartAbandons, 1);
                        add(Metric::CartAbandonedValue, c.cart_value);
                        let b = self.breakdown(Dimension::Currency, &c.currency);
                        b[Metric::CartAbandons.index()] += 1;
                        b[Metric::CartAbandonedValue.index()] += c.cart_value;
                    }
                }
                if c.action == CartAction::Add {
                    for item in &c.items {
                        self.breakdown(Dimension::Tier, &item.tier)[Metric::CartAdds.index()] +=
                            i64::from(item.quantity);
                    }
                }
            }
            EventData::TicketRefund(r) => {
                let (amount, tickets) = (r.signed_amount(), r.signed_quantity());
                add(Metric::Refunds, 1);
                add(Metric::RefundedAmount, amount);
                add(Metric::TicketsRefunded, tickets);
                self.currency.get_or_insert(&r.currency);
                for (dim, value) in [
                    (Dimension::RefundReason, r.reason_key()),
                    (Dimension::Currency, &*r.currency),
                ] {
                    let b = self.breakdown(dim, value);
                    b[Metric::Refunds.index()] += 1;
                    b[Metric::RefundedAmount.index()] += amount;
                    b[Metric::TicketsRefunded.index()] += tickets;
                }
            }
            EventData::VenueUpdate(_) => {}
        }
    }

    /// The non-zero breakdown increments, sorted like [`Counters::breakdowns`].
    fn increments(&self) -> Vec<Increment<'e>> {
        let mut out = Vec::new();
        for &(dim, value, counts) in &self.breakdowns {
            for (&m, delta) in Metric::ALL.iter().zip(counts) {
                if delta != 0 {
                    out.push((m, dim, value, delta));
                }
            }
        }
        // (dimension, value) pairs are distinct, so the order is total.
        out.sort_unstable_by(order);
        out
    }

    /// What a show leaf adds to the venue scope: its counters with the
    /// venue's unique sessions in place of the show's.
    fn venue_scope(
        &self,
        increments: &[Increment<'e>],
    ) -> ([i64; Metric::COUNT], Vec<Increment<'e>>) {
        let mut base = self.base;
        base[Metric::UniqueSessions.index()] = self.venue_sessions;
        let mut out: Vec<Increment<'e>> = increments
            .iter()
            .copied()
            .filter(|i| !(i.0 == Metric::UniqueSessions && i.1 == Dimension::Campaign))
            .collect();
        out.extend(
            self.venue_campaign_sessions
                .iter()
                .map(|&(c, n)| (Metric::UniqueSessions, Dimension::Campaign, c, n)),
        );
        out.sort_unstable_by(order);
        (base, out)
    }
}

fn order(a: &Increment<'_>, b: &Increment<'_>) -> std::cmp::Ordering {
    (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2))
}

/// The rollup keys a leaf feeds: each granularity, for the show and for the venue.
pub(super) fn derived_keys(leaf: LeafKey<'_>, day: i64) -> impl Iterator<Item = RollupKey<'_>> {
    let scopes = [Some(leaf.show), leaf.show.map(|_| None)];
    scopes.into_iter().flatten().flat_map(move |show| {
        Granularity::ALL.into_iter().map(move |granularity| {
            let bucket = match granularity.fixed_seconds() {
                Some(w) => leaf.minute.div_euclid(w) * w,
                None => day,
            };
            RollupKey {
                venue: leaf.venue,
                show,
                granularity,
                bucket,
            }
        })
    })
}

/// Sums the leaves into their rollups, sorted by key. A rollup's currency is
/// that of the first leaf in `leaves` that has one.
pub(super) fn rollups<'l, 'e: 'l>(
    leaves: impl Iterator<Item = &'l Leaf<'e>>,
) -> Vec<(RollupKey<'e>, Counters<'e>)> {
    let mut rollups: Vec<(RollupKey<'e>, Counters<'e>)> = Vec::new();
    let mut index: FxHashMap<RollupKey<'e>, usize> = FxHashMap::default();
    for leaf in leaves {
        let own = (leaf.base, leaf.increments());
        let venue = leaf.key.show.map(|_| leaf.venue_scope(&own.1));
        for key in derived_keys(leaf.key, leaf.day) {
            let (base, increments) = match &venue {
                Some(v) if key.show.is_none() => v,
                _ => &own,
            };
            match index.get(&key) {
                None => {
                    index.insert(key, rollups.len());
                    let counters = Counters {
                        base: *base,
                        breakdowns: increments.clone(),
                        currency: leaf.currency,
                    };
                    rollups.push((key, counters));
                }
                Some(&i) => {
                    let c = &mut rollups[i].1;
                    for (acc, v) in c.base.iter_mut().zip(base) {
                        *acc += v;
                    }
                    if c.currency.is_none() {
                        c.currency = leaf.currency;
                    }
                    c.breakdowns = merged(&c.breakdowns, increments);
                }
            }
        }
    }
    rollups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rollups
}

/// Merges two sorted increment lists, adding the deltas of equal breakdowns.
fn merged<'e>(a: &[Increment<'e>], b: &[Increment<'e>]) -> Vec<Increment<'e>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match order(x, y) {
            std::cmp::Ordering::Less => {
                out.push(*x);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(*y);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((x.0, x.1, x.2, x.3 + y.3));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_equal_breakdowns_and_keeps_the_order() {
        let a = [
            (Metric::Revenue, Dimension::Tier, "GA", 5),
            (Metric::Revenue, Dimension::Tier, "VIP", 7),
            (Metric::Orders, Dimension::Tier, "GA", 1),
        ];
        let b = [
            (Metric::Revenue, Dimension::Tier, "Balcony", 3),
            (Metric::Revenue, Dimension::Tier, "VIP", 2),
            (Metric::PageViews, Dimension::Campaign, "x", 1),
        ];
        assert_eq!(
            merged(&a, &b),
            [
                (Metric::Revenue, Dimension::Tier, "Balcony", 3),
                (Metric::Revenue, Dimension::Tier, "GA", 5),
                (Metric::Revenue, Dimension::Tier, "VIP", 9),
                (Metric::Orders, Dimension::Tier, "GA", 1),
                (Metric::PageViews, Dimension::Campaign, "x", 1),
            ]
        );
        assert_eq!(merged(&a, &[]), a);
    }
}
