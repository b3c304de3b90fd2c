//! Alerting: rule definitions ([`AlertRule`]), their validation, a pure
//! evaluator over the observations the scheduler gathers ([`evaluate`]) and
//! the firing/resolved state machine ([`step`]).

mod evaluate;
mod rules;
mod state;

pub use evaluate::{Evaluation, FlowObs, Observations, PacingObs, evaluate};
pub use rules::{
    AlertRule, EVENT_TYPES, MAX_PACING_DAYS, MAX_WINDOW_MINUTES, METRICS, Op, RuleKind,
};
pub use state::{AlertState, Status, Transition, TransitionKind, step};
