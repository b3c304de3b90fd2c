//! RFM scoring (Hughes 1994, "Strategic Database Marketing") with quintiles
//! taken within the venue's own customer population, and the standard
//! recency × frequency segment grid.

use serde::{Deserialize, Serialize};

use super::CustomerRecord;

/// Recency, frequency and monetary scores, each 1 (worst) ..= 5 (best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RfmScore {
    pub r: u8,
    pub f: u8,
    pub m: u8,
}

/// Sorted population values the scores are ranked against.
///
/// Recency is ranked by last purchase time, which orders customers exactly
/// like "days since last purchase" at any `now`, so one reference serves
/// every evaluation time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RfmReference {
    last_purchase_ms: Vec<i64>,
    orders: Vec<i64>,
    spend: Vec<i64>,
}

impl RfmReference {
    #[must_use]
    pub fn from_records(records: &[CustomerRecord]) -> Self {
        let sorted = |f: &dyn Fn(&CustomerRecord) -> i64| {
            let mut v: Vec<i64> = records.iter().map(f).collect();
            v.sort_unstable();
            v
        };
        Self {
            last_purchase_ms: sorted(&|c| c.last_purchase_at.timestamp_millis()),
            orders: sorted(&|c| c.orders),
            spend: sorted(&|c| c.total_spend),
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// Scores of one customer. Each score is
    /// `1 + ⌊5 · (customers with a strictly worse value) / n⌋`, capped at 5:
    /// ties share a score (nobody is split from an identical customer), and
    /// with distinct values each quintile holds a fifth of the population.
    /// For recency "worse" means an older last purchase.
    #[must_use]
    pub fn score(&self, c: &CustomerRecord) -> RfmScore {
        RfmScore {
            r: quintile(
                &self.last_purchase_ms,
                c.last_purchase_at.timestamp_millis(),
            ),
            f: quintile(&self.orders, c.orders),
            m: quintile(&self.spend, c.total_spend),
        }
    }
}

fn quintile(sorted: &[i64], value: i64) -> u8 {
    if sorted.is_empty() {
        return 3;
    }
    let worse = sorted.partition_point(|v| *v < value);
    (1 + 5 * worse / sorted.len()).min(5) as u8
}

/// Customer segments of the recency × frequency grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalist,
    NewCustomer,
    Promising,
    NeedsAttention,
    AtRisk,
    CannotLoseThem,
    Hibernating,
    Lost,
}

impl Segment {
    /// All segments, best first (the order summaries use).
    pub const ALL: [Self; 10] = [
        Self::Champions,
        Self::Loyal,
        Self::PotentialLoyalist,
        Self::NewCustomer,
        Self::Promising,
        Self::NeedsAttention,
        Self::AtRisk,
        Self::CannotLoseThem,
        Self::Hibernating,
        Self::Lost,
    ];

    /// The segment of an (R, F) cell. The grid (rows R, columns F):
    ///
    /// ```text
    ///        F=1          F=2 F=3           F=4 F=5
    /// R=5    NewCustomer  PotentialLoyalist Champions
    /// R=4    Promising    PotentialLoyalist Loyal
    /// R=3    NeedsAttention (F 1–3)         Loyal
    /// R=2    Hibernating (F 1–2) AtRisk (F 3–4) CannotLoseThem (F 5)
    /// R=1    Lost (F 1–2)        AtRisk (F 3–4) CannotLoseThem (F 5)
    /// ```
    ///
    /// This is the widely used 10-segment R×F map (e.g. Putler's RFM
    /// segments), with its "About to Sleep" cells (R=3, F 1–2) folded into
    /// NeedsAttention and its Hibernating block split by recency so that the
    /// oldest infrequent buyers (R=1) are Lost.
    #[must_use]
    pub fn from_scores(r: u8, f: u8) -> Self {
        let f = f.clamp(1, 5);
        match r.clamp(1, 5) {
            5 => match f {
                1 => Self::NewCustomer,
                2 | 3 => Self::PotentialLoyalist,
                _ => Self::Champions,
            },
            4 => match f {
                1 => Self::Promising,
                2 | 3 => Self::PotentialLoyalist,
                _ => Self::Loyal,
            },
            3 => match f {
                1..=3 => Self::NeedsAttention,
                _ => Self::Loyal,
            },
            r => match f {
                5 => Self::CannotLoseThem,
                3 | 4 => Self::AtRisk,
                _ if r == 2 => Self::Hibernating,
                _ => Self::Lost,
            },
        }
    }

    /// Human-readable name.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Champions => "Champions",
            Self::Loyal => "Loyal",
            Self::PotentialLoyalist => "Potential loyalist",
            Self::NewCustomer => "New customer",
            Self::Promising => "Promising",
            Self::NeedsAttention => "Needs attention",
            Self::AtRisk => "At risk",
            Self::CannotLoseThem => "Cannot lose them",
            Self::Hibernating => "Hibernating",
            Self::Lost => "Lost",
        }
    }
}
