//! Provisions every queue, table and bucket of `infra/template.yaml` on the
//! endpoint, and resolves each function's environment to the local resources.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use aws_sdk_sqs::types::QueueAttributeName;
use storage::Aws;
use storage::provision::{TableDef, ensure_bucket, ensure_queue, ensure_table};

use crate::template::{FunctionSpec, Stack};

/// What was provisioned: URLs and ARNs by logical id, and local names.
#[derive(Debug, Clone, Default)]
pub struct Provisioned {
    pub queue_urls: BTreeMap<String, String>,
    pub queue_arns: BTreeMap<String, String>,
    pub names: BTreeMap<String, String>,
}

impl Provisioned {
    /// Resolves a `!Ref` or `!GetAtt` target (`Logical` or `Logical.Attr`) to its local value.
    pub fn resolve(&self, stack: &Stack, target: &str) -> Option<String> {
        if let Some((id, attr)) = target.split_once('.') {
            return match attr {
                "Arn" => self.queue_arns.get(id).cloned(),
                "QueueName" | "Name" => self.names.get(id).cloned(),
                "QueueUrl" => self.queue_urls.get(id).cloned(),
                _ => None,
            };
        }
        self.queue_urls
            .get(target)
            .or_else(|| self.names.get(target))
            .cloned()
            .or_else(|| stack.parameter(target).map(str::to_owned))
    }

    /// The environment `function` sees locally.
    pub fn env(&self, stack: &Stack, function: &FunctionSpec) -> BTreeMap<String, String> {
        stack.local_env(function, &|t| self.resolve(stack, t))
    }
}

/// The template's dedupe table (see `DynamoIngest::bucket_cutover`).
const DEDUPE_TABLE: &str = "DedupeTable";

pub async fn provision(aws: &Aws, stack: &Stack) -> anyhow::Result<Provisioned> {
    let mut out = Provisioned::default();
    for t in &stack.tables {
        let created = ensure_table(
            aws,
            &TableDef {
                name: &t.local_name,
                partition_key: &t.partition_key,
                sort_key: t.sort_key.as_deref(),
                ttl_attribute: t.ttl_attribute.as_deref(),
            },
        )
        .await
        .with_context(|| format!("creating table {}", t.local_name))?;
        if created && t.logical_id == DEDUPE_TABLE {
            // A new dedupe table holds no markers from before dedupe
            // buckets: every bucket may take tokens from the start.
            storage::ingest::write_cutover(&aws.dynamodb, &t.local_name, 0, false)
                .await
                .context("recording the dedupe bucket cut-over")?;
        }
        out.names.insert(t.logical_id.clone(), t.local_name.clone());
    }
    for b in &stack.buckets {
        ensure_bucket(aws, &b.local_name)
            .await
            .with_context(|| format!("creating bucket {}", b.local_name))?;
        out.names.insert(b.logical_id.clone(), b.local_name.clone());
    }
    for identity in &stack.email_identities {
        storage::mail::ensure_email_identity(aws, identity)
            .await
            .with_context(|| format!("creating the SES identity {identity}"))?;
    }
    // Dead-letter queues first: the others' redrive policies name their ARNs.
    let (plain, redriven): (Vec<_>, Vec<_>) =
        stack.queues.iter().partition(|q| q.redrive.is_none());
    for q in plain.into_iter().chain(redriven) {
        let mut attrs = HashMap::new();
        if let Some(v) = q.visibility_timeout {
            attrs.insert(QueueAttributeName::VisibilityTimeout, v.to_string());
        }
        if let Some(r) = q.retention_seconds {
            attrs.insert(QueueAttributeName::MessageRetentionPeriod, r.to_string());
        }
        if let Some(r) = &q.redrive {
            let dlq_arn = out.queue_arns.get(&r.dlq_logical_id).with_context(|| {
                format!(
                    "{} redrives to unknown queue {}",
                    q.logical_id, r.dlq_logical_id
                )
            })?;
            attrs.insert(
                QueueAttributeName::RedrivePolicy,
                serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": r.max_receive_count }).to_string(),
            );
        }
        let (url, arn) = ensure_queue(aws, &q.local_name, attrs)
            .await
            .with_context(|| format!("creating queue {}", q.local_name))?;
        out.queue_urls.insert(q.logical_id.clone(), url);
        out.queue_arns.insert(q.logical_id.clone(), arn);
        out.names.insert(q.logical_id.clone(), q.local_name.clone());
    }
    Ok(out)
}
