//! The API's ports on the AWS adapters (shared by the dashboard Lambda and the runner).

use std::sync::Arc;

use api::AppState;
use api::auth::AuthConfig;
use api::hub::RealtimeHub;
use storage::{Aws, DynamoDocuments, DynamoReader, Names, S3Objects, SqsQueueStats};

pub fn api_state(aws: &Aws, names: &Names, hub: RealtimeHub) -> anyhow::Result<AppState> {
    let auth = AuthConfig::local()?;
    Ok(AppState::new(
        Arc::new(DynamoReader::new(aws.dynamodb.clone(), names.clone())),
        Arc::new(DynamoDocuments::new(
            aws.dynamodb.clone(),
            names.app.clone(),
        )),
        Arc::new(S3Objects::new(aws.s3.clone(), names.reports_bucket.clone())),
        Arc::new(SqsQueueStats::new(aws.sqs.clone(), names.dlq_urls.clone())),
        hub,
        auth,
    )
    .with_silent_after(api::state::silent_after_from_env())
    .with_sign_in(api::sign_in::SignIn::from_env()?))
}
