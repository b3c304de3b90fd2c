//! AWS SDK adapters: the real implementations of the domain's and the
//! pipeline's ports, for DynamoDB, S3, SQS, Timestream and the API Gateway
//! management API. `AWS_ENDPOINT_URL` points every client at an emulator;
//! there is no "if local" code path here.

pub mod config;
pub mod dedupe_tokens;
pub mod documents;
pub mod error;
pub mod ingest;
pub mod items;
pub mod keys;
pub mod mail;
pub mod objects;
pub mod provision;
pub mod queues;
pub mod reader;
pub mod timestream;
pub mod websocket;
pub mod wire;

pub use config::{Aws, Names, https_client};
pub use documents::DynamoDocuments;
pub use ingest::DynamoIngest;
pub use mail::SesMailer;
pub use objects::{S3Objects, S3Quarantine};
pub use queues::SqsQueueStats;
pub use reader::DynamoReader;
pub use timestream::TimestreamSink;
pub use websocket::ApiGatewayPush;
