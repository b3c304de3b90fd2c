//! SQS: dead-letter queue depth for flow health.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_sqs::types::QueueAttributeName;
use domain::EventType;
use domain::ports::{QueueStats, StoreResult};

use crate::error::classify;

#[derive(Clone)]
pub struct SqsQueueStats {
    client: aws_sdk_sqs::Client,
    dlq_urls: BTreeMap<EventType, String>,
}

impl SqsQueueStats {
    pub fn new(client: aws_sdk_sqs::Client, dlq_urls: BTreeMap<EventType, String>) -> Self {
        SqsQueueStats { client, dlq_urls }
    }
}

#[async_trait]
impl QueueStats for SqsQueueStats {
    async fn dlq_depth(&self, event_type: EventType) -> StoreResult<Option<i64>> {
        let Some(url) = self.dlq_urls.get(&event_type) else {
            return Ok(None);
        };
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(|e| classify("get_queue_attributes", e))?;
        Ok(out
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
            .and_then(|v| v.parse().ok()))
    }
}
