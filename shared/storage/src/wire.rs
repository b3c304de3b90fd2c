//! Wiring shared by the Lambda mains and the local runner: adapters from the
//! environment, built once per process.

use std::sync::Arc;

use domain::EventType;
use domain::ports::RealtimePush;
use pipeline::{MeasureSink, Pipeline, PipelineConfig};

use crate::config::{Aws, Names};
use crate::{ApiGatewayPush, DynamoDocuments, DynamoIngest, S3Quarantine, TimestreamSink};

/// The ingest pipeline of one queue, on the given clients and names.
/// Timestream is on when `TIMESTREAM_DATABASE`/`TIMESTREAM_TABLE` are set;
/// `ROLLUP_SHARDS` (default 4) spreads hot rollup items.
pub fn ingest_pipeline(event_type: EventType, aws: &Aws, names: &Names) -> Pipeline {
    let store = Arc::new(DynamoIngest::new(aws.dynamodb.clone(), names.clone()));
    let quarantine = Arc::new(S3Quarantine::new(
        aws.s3.clone(),
        names.quarantine_bucket.clone(),
    ));
    let sink =
        TimestreamSink::from_env(|| aws.timestream()).map(|s| Arc::new(s) as Arc<dyn MeasureSink>);
    let shards = std::env::var("ROLLUP_SHARDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    Pipeline::new(event_type, store, quarantine)
        .with_sink(sink)
        .with_config(PipelineConfig {
            shards,
            ..PipelineConfig::default()
        })
}

/// Realtime push through the API Gateway WebSocket API, when `WEBSOCKET_ENDPOINT` is set.
pub fn websocket_push(aws: &Aws, names: &Names) -> Option<Arc<dyn RealtimePush>> {
    let endpoint = std::env::var("WEBSOCKET_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())?;
    let docs = Arc::new(DynamoDocuments::new(
        aws.dynamodb.clone(),
        names.app.clone(),
    ));
    Some(Arc::new(ApiGatewayPush::new(
        &aws.sdk_config,
        &endpoint,
        docs,
    )))
}
