//! Pure models behind the venue dashboards' intelligence: no AWS, no I/O.
//!
//! - [`customers`]: customer lifetime value (BG/NBD + Gamma-Gamma), RFM
//!   scores and segments, purchase patterns.
//! - [`forecast`]: per-show ticket sales forecast, attendance forecast, and a
//!   deterministic backtest on simulated on-sale curves.
//! - [`alerts`]: alert rule definitions, validation, a pure evaluator and the
//!   firing/resolved state machine.
//! - [`campaigns`]: campaign performance from last-touch counters.
//!
//! Every model is described (source, assumptions, parameters) in
//! `docs/MODELS.md` at the repository root.

pub mod alerts;
pub mod campaigns;
pub mod customers;
pub mod forecast;
pub mod math;
