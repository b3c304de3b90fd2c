//! The ingest pipeline shared by the six ingest Lambdas and the local runner:
//! decode → validate → dedupe → pre-aggregate the batch → write, through ports.

pub mod ingest;
pub mod ports;
pub mod sqs;

pub use ingest::{BatchOutcome, Message, Pipeline, PipelineConfig};
pub use ports::{
    CommitContext, CommitOutcome, IngestStore, Known, MeasureSink, Quarantine, QuarantineReason,
    QuarantineRecord, SinkRejection,
};
