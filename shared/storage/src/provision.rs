//! Creates queues, tables and buckets on an emulator (or an account) from
//! specs the runner reads out of `infra/template.yaml`. Idempotent.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use domain::ports::{StoreError, StoreResult};

use crate::config::Aws;
use crate::error::classify;

pub struct TableDef<'a> {
    pub name: &'a str,
    pub partition_key: &'a str,
    pub sort_key: Option<&'a str>,
    pub ttl_attribute: Option<&'a str>,
}

/// Creates the table unless it exists; returns whether this call created it.
pub async fn ensure_table(aws: &Aws, t: &TableDef<'_>) -> StoreResult<bool> {
    let exists = aws
        .dynamodb
        .describe_table()
        .table_name(t.name)
        .send()
        .await
        .is_ok();
    if !exists {
        let mut req = aws
            .dynamodb
            .create_table()
            .table_name(t.name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(t.partition_key)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(perm)?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(t.partition_key)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(perm)?,
            );
        if let Some(sk) = t.sort_key {
            req = req
                .attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name(sk)
                        .attribute_type(ScalarAttributeType::S)
                        .build()
                        .map_err(perm)?,
                )
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name(sk)
                        .key_type(KeyType::Range)
                        .build()
                        .map_err(perm)?,
                );
        }
        match req.send().await {
            Ok(_) => {}
            // Another process (a parallel test, a second runner) created it
            // between our describe and create; it also sets the TTL.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                return Ok(false);
            }
            Err(e) => return Err(classify("create_table", e)),
        }
        if let Some(ttl) = t.ttl_attribute {
            aws.dynamodb
                .update_time_to_live()
                .table_name(t.name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(ttl)
                        .enabled(true)
                        .build()
                        .map_err(perm)?,
                )
                .send()
                .await
                .map_err(|e| classify("update_time_to_live", e))?;
        }
    }
    Ok(!exists)
}

fn perm(e: impl std::fmt::Display) -> StoreError {
    StoreError::Permanent(e.to_string())
}

/// Creates the queue (or finds it); returns its URL and ARN.
pub async fn ensure_queue(
    aws: &Aws,
    name: &str,
    attributes: HashMap<QueueAttributeName, String>,
) -> StoreResult<(String, String)> {
    let url = match aws.sqs.get_queue_url().queue_name(name).send().await {
        Ok(out) => out.queue_url().unwrap_or_default().to_owned(),
        Err(_) => aws
            .sqs
            .create_queue()
            .queue_name(name)
            .set_attributes(Some(attributes.clone()))
            .send()
            .await
            .map_err(|e| classify("create_queue", e))?
            .queue_url()
            .unwrap_or_default()
            .to_owned(),
    };
    if !attributes.is_empty() {
        aws.sqs
            .set_queue_attributes()
            .queue_url(&url)
            .set_attributes(Some(attributes))
            .send()
            .await
            .map_err(|e| classify("set_queue_attributes", e))?;
    }
    let arn = aws
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| classify("get_queue_attributes", e))?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .unwrap_or_default();
    Ok((url, arn))
}

pub async fn ensure_bucket(aws: &Aws, name: &str) -> StoreResult<()> {
    if aws.s3.head_bucket().bucket(name).send().await.is_ok() {
        return Ok(());
    }
    match aws.s3.create_bucket().bucket(name).send().await {
        Ok(_) => Ok(()),
        // Created by a concurrent provisioner since the head request.
        Err(e)
            if e.as_service_error().is_some_and(|e| {
                e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
            }) =>
        {
            Ok(())
        }
        Err(e) => Err(classify("create_bucket", e)),
    }
}
