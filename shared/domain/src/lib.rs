//! The pure core of Venue Analytics: the event contract, its validation, and
//! the pre-aggregation of a batch into transaction-sized chunk plans.
//!
//! Nothing here knows about AWS or Lambda.

pub mod aggregate;
pub mod decode;
pub mod event;
pub mod guard;
pub mod ids;
pub mod pacing;
pub mod period;
pub mod ports;
pub mod rollup;
pub mod schema;
pub mod totals;

pub use aggregate::{ChunkPlan, Counters, RollupKey, VenueContext, VenueContexts, plan_chunks};
pub use decode::{RejectReason, Rejection, decode};
pub use event::{CloudEvent, Event, EventData, EventType};
pub use rollup::{Dimension, Granularity, Metric};
