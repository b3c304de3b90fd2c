//! runner

pub mod schedule;
pub mod template;
