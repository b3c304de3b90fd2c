//! Response types shared by several route groups.

use chrono::{DateTime, Utc};
use domain::ports::{ShowRecord, VenueRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// Currency used when neither the data nor the venue names one.
pub use domain::totals::DEFAULT_CURRENCY;

/// An amount of money in integer minor units (4500 = $45.00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Money {
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    pub fn new(amount: i64, currency: &str) -> Self {
        Money {
            amount,
            currency: currency.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShowView {
    pub event_id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: Option<u32>,
    pub on_sale_at: Option<DateTime<Utc>>,
}

impl From<&ShowRecord> for ShowView {
    fn from(s: &ShowRecord) -> Self {
        ShowView {
            event_id: s.event_id.clone(),
            name: s.name.clone(),
            starts_at: s.starts_at,
            capacity: s.capacity,
            on_sale_at: s.on_sale_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenueView {
    pub venue_id: String,
    pub name: Option<String>,
    /// IANA zone; daily buckets start at its midnight.
    pub timezone: String,
    pub capacity: Option<u32>,
    pub currency: Option<String>,
    pub shows: Vec<ShowView>,
}

impl From<&VenueRecord> for VenueView {
    fn from(v: &VenueRecord) -> Self {
        VenueView {
            venue_id: v.venue_id.clone(),
            name: v.name.clone(),
            timezone: v.timezone.clone().unwrap_or_else(|| "UTC".into()),
            capacity: v.capacity,
            currency: v.currency.clone(),
            shows: shows_sorted(v),
        }
    }
}

/// A venue's shows by start time.
pub fn shows_sorted(v: &VenueRecord) -> Vec<ShowView> {
    let mut shows: Vec<ShowView> = v.shows.iter().map(ShowView::from).collect();
    shows.sort_by(|a, b| {
        a.starts_at
            .cmp(&b.starts_at)
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    shows
}
