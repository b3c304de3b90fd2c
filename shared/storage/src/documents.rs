//! JSON documents in the app table: `pk = {kind}#{venue}`, `sk = {id}`, `doc` = JSON text.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{DocumentStore, StoreError, StoreResult};

use crate::error::classify;
use crate::items::{get_s, n, s};
use crate::keys::doc_pk;

#[derive(Clone)]
pub struct DynamoDocuments {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoDocuments {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        DynamoDocuments {
            client,
            table: table.into(),
        }
    }
}

fn parse(doc: Option<&str>) -> StoreResult<Option<serde_json::Value>> {
    doc.map(|d| {
        serde_json::from_str(d)
            .map_err(|e| StoreError::Permanent(format!("stored document is not JSON: {e}")))
    })
    .transpose()
}

#[async_trait]
impl DocumentStore for DynamoDocuments {
    async fn put(
        &self,
        kind: &str,
        venue: &str,
        id: &str,
        doc: &serde_json::Value,
        ttl: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(doc_pk(kind, venue)))
            .item("sk", s(id))
            .item("doc", s(doc.to_string()));
        if let Some(t) = ttl {
            req = req.item("expiresAt", n(t.timestamp()));
        }
        req.send().await.map_err(|e| classify("put document", e))?;
        Ok(())
    }

    async fn get(
        &self,
        kind: &str,
        venue: &str,
        id: &str,
    ) -> StoreResult<Option<serde_json::Value>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(doc_pk(kind, venue)))
            .key("sk", s(id))
            .send()
            .await
            .map_err(|e| classify("get document", e))?;
        parse(out.item().and_then(|i| get_s(i, "doc")))
    }

    async fn list(&self, kind: &str, venue: &str) -> StoreResult<Vec<serde_json::Value>> {
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(doc_pk(kind, venue)))
            .into_paginator()
            .items()
            .send();
        let mut out = Vec::new();
        let now = Utc::now().timestamp();
        while let Some(item) = pages.next().await {
            let item = item.map_err(|e| classify("list documents", e))?;
            // TTL deletion is lazy: skip what has expired.
            if crate::items::get_i64(&item, "expiresAt").is_some_and(|t| t < now) {
                continue;
            }
            if let Some(doc) = parse(get_s(&item, "doc"))? {
                out.push(doc);
            }
        }
        Ok(out)
    }

    async fn delete(&self, kind: &str, venue: &str, id: &str) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(doc_pk(kind, venue)))
            .key("sk", s(id))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| classify("delete document", e))?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()))
    }
}
