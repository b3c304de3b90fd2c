//! The `realtime` Lambda behind the API Gateway WebSocket API.

use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use realtime::Connections;
use storage::{Aws, DynamoDocuments, Names};

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
    let docs = Arc::new(DynamoDocuments::new(aws.dynamodb.clone(), names.app));
    let connections = Arc::new(Connections::new(api::AuthConfig::from_env()?, docs));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
            let connections = Arc::clone(&connections);
            async move {
                Ok::<ApiGatewayProxyResponse, Error>(connections.handle(&event.payload).await)
            }
        },
    ))
    .await
}
