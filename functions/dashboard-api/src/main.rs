//! The dashboard-api Lambda: the whole axum router behind the HTTP API.
//! API Gateway's JWT authorizer has already checked the token; with the
//! `lambda-authorizer` feature the router reads its claims from the request
//! context (and still accepts a bearer header on the public routes).

use std::sync::Arc;

use api::AppState;
use api::auth::AuthConfig;
use api::hub::RealtimeHub;
use lambda_http::Error;
use storage::{Aws, DynamoDocuments, DynamoReader, Names, S3Objects, SqsQueueStats};

fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), Error> {
    lambda_glue::init_logging();
    let names = Names::from_env()?;
    let aws = Aws::from_env().await;
    let state = state(&aws, &names)?;
    lambda_http::run(api::app(state)).await
}

/// The API's ports on the AWS adapters. Live updates on AWS go through the
/// WebSocket API and the `realtime` function (the page learns its URL from
/// `/api/venues`), so the in-process hub stays empty.
fn state(aws: &Aws, names: &Names) -> Result<AppState, Error> {
    Ok(AppState::new(
        Arc::new(DynamoReader::new(aws.dynamodb.clone(), names.clone())),
        Arc::new(DynamoDocuments::new(
            aws.dynamodb.clone(),
            names.app.clone(),
        )),
        Arc::new(S3Objects::new(aws.s3.clone(), names.reports_bucket.clone())),
        Arc::new(SqsQueueStats::new(aws.sqs.clone(), names.dlq_urls.clone())),
        RealtimeHub::new(1),
        AuthConfig::from_env()?,
    )
    .with_silent_after(api::state::silent_after_from_env())
    .with_websocket_url(api::state::websocket_url_from_env())
    .with_sign_in(api::sign_in::SignIn::from_env()?))
}
