//! SES (v2 API): the report mailer, and the sender identity the local stack
//! provisions on the emulator.

use async_trait::async_trait;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use domain::ports::{Mailer, StoreError, StoreResult};

use crate::Aws;
use crate::error::classify;

/// Sends raw MIME messages from one configured sender. The function's role
/// may send from that address only (the template's grant), so the sender is
/// fixed here rather than taken per message.
#[derive(Clone)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    sender: String,
}

impl SesMailer {
    pub fn new(aws: &Aws, sender: impl Into<String>) -> Self {
        SesMailer {
            client: aws_sdk_sesv2::Client::new(&aws.sdk_config),
            sender: sender.into(),
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    fn sender(&self) -> &str {
        &self.sender
    }

    async fn send_raw(&self, to: &str, raw: Vec<u8>) -> StoreResult<String> {
        let out = self
            .client
            .send_email()
            .from_email_address(&self.sender)
            .destination(Destination::builder().to_addresses(to).build())
            .content(
                EmailContent::builder()
                    .raw(
                        RawMessage::builder()
                            .data(Blob::new(raw))
                            .build()
                            .map_err(|e| StoreError::Permanent(e.to_string()))?,
                    )
                    .build(),
            )
            .send()
            .await
            .map_err(|e| classify("ses send_email", e))?;
        Ok(out.message_id.unwrap_or_default())
    }
}

/// Creates the sender identity (an address or a domain) when it is missing.
/// On the emulator a created identity can send at once; on AWS it must still
/// be verified (DNS for a domain, a link for an address).
pub async fn ensure_email_identity(aws: &Aws, identity: &str) -> StoreResult<()> {
    let client = aws_sdk_sesv2::Client::new(&aws.sdk_config);
    match client
        .get_email_identity()
        .email_identity(identity)
        .send()
        .await
    {
        Ok(_) => return Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_not_found_exception()) => {}
        Err(e) => return Err(classify("ses get_email_identity", e)),
    }
    client
        .create_email_identity()
        .email_identity(identity)
        .send()
        .await
        .map_err(|e| classify("ses create_email_identity", e))?;
    Ok(())
}
