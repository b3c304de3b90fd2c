//! S3: the quarantine bucket and the reports bucket.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use domain::ports::{ObjectStore, StoreError, StoreResult};
use pipeline::{Quarantine, QuarantineRecord};

use crate::error::classify;

/// Rejected messages, one JSON object per distinct body:
/// `{queue}/{yyyy}/{mm}/{dd}/{reason}/{sha256}.json`.
#[derive(Clone)]
pub struct S3Quarantine {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Quarantine {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        S3Quarantine {
            client,
            bucket: bucket.into(),
        }
    }

    pub fn key(r: &QuarantineRecord) -> String {
        format!(
            "{}/{}/{}/{}.json",
            r.queue,
            r.received_at.format("%Y/%m/%d"),
            r.reason.code(),
            r.body_sha256
        )
    }
}

#[async_trait]
impl Quarantine for S3Quarantine {
    async fn quarantine(&self, record: &QuarantineRecord) -> StoreResult<String> {
        let key = Self::key(record);
        let body =
            serde_json::to_vec_pretty(record).map_err(|e| StoreError::Permanent(e.to_string()))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .body(ByteStream::from(body))
            .content_type("application/json")
            .server_side_encryption(ServerSideEncryption::Aes256)
            .metadata("reason", record.reason.code())
            .send()
            .await
            .map_err(|e| classify("quarantine put_object", e))?;
        Ok(key)
    }
}

/// Reports and exports.
#[derive(Clone)]
pub struct S3Objects {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Objects {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        S3Objects {
            client,
            bucket: bucket.into(),
        }
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn put_object(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        content_disposition: Option<&str>,
    ) -> StoreResult<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(body))
            .content_type(content_type)
            .set_content_disposition(content_disposition.map(str::to_owned))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .send()
            .await
            .map_err(|e| classify("put_object", e))?;
        Ok(())
    }

    async fn get_object(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => {
                let bytes = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| StoreError::Transient(e.to_string()))?;
                Ok(Some(bytes.into_bytes().to_vec()))
            }
            Err(e)
                if e.as_service_error().is_some_and(
                    aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key,
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(classify("get_object", e)),
        }
    }

    async fn list_keys(&self, prefix: &str) -> StoreResult<Vec<String>> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("list_objects_v2", e))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
        }
        Ok(keys)
    }

    async fn presigned_get(&self, key: &str, expires_in_secs: u64) -> StoreResult<String> {
        let cfg = aws_sdk_s3::presigning::PresigningConfig::expires_in(Duration::from_secs(
            expires_in_secs,
        ))
        .map_err(|e| StoreError::Permanent(e.to_string()))?;
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(cfg)
            .await
            .map_err(|e| StoreError::Permanent(format!("presign: {e}")))?;
        Ok(req.uri().to_owned())
    }
}
