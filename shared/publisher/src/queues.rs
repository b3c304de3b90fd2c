//! Where each event type goes: one SQS queue per type, named after the type.

use std::collections::BTreeMap;

use aws_sdk_sqs::error::DisplayErrorContext;
use domain::EventType;

use crate::error::PublishError;

/// Queue URL per event type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueUrls(BTreeMap<EventType, String>);

impl QueueUrls {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the queue of `event_type` (builder style).
    #[must_use]
    pub fn with(mut self, event_type: EventType, url: impl Into<String>) -> Self {
        self.insert(event_type, url);
        self
    }

    pub fn insert(&mut self, event_type: EventType, url: impl Into<String>) {
        self.0.insert(event_type, url.into());
    }

    pub fn get(&self, event_type: EventType) -> Option<&str> {
        self.0.get(&event_type).map(String::as_str)
    }

    /// The queue of `event_type`, or [`PublishError::NoQueueUrl`].
    pub fn require(&self, event_type: EventType) -> Result<&str, PublishError> {
        self.get(event_type)
            .ok_or(PublishError::NoQueueUrl(event_type))
    }

    pub fn iter(&self) -> impl Iterator<Item = (EventType, &str)> {
        self.0.iter().map(|(t, u)| (*t, u.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads `QUEUE_URL_TICKET_PURCHASE`, `QUEUE_URL_TICKET_SCAN`, … (the
    /// suffix is [`EventType::env_suffix`]). A service usually publishes only
    /// some types, so unset variables are skipped; none set at all is an error.
    pub fn from_env() -> Result<Self, PublishError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`QueueUrls::from_env`] over any variable lookup (tests, config files).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PublishError> {
        let mut urls = Self::new();
        for t in EventType::ALL {
            if let Some(url) =
                lookup(&format!("QUEUE_URL_{}", t.env_suffix())).filter(|u| !u.trim().is_empty())
            {
                urls.insert(t, url);
            }
        }
        if urls.is_empty() {
            return Err(PublishError::NoQueueUrlsInEnv);
        }
        Ok(urls)
    }

    /// Looks up every type's queue by name with `GetQueueUrl`: the queue of
    /// `ticket-purchase` is named `{prefix}ticket-purchase` (prefix `""` locally,
    /// the stack's prefix when deployed).
    pub async fn resolve(client: &aws_sdk_sqs::Client, prefix: &str) -> Result<Self, PublishError> {
        let mut urls = Self::new();
        for t in EventType::ALL {
            let name = format!("{prefix}{t}");
            let out = client
                .get_queue_url()
                .queue_name(&name)
                .send()
                .await
                .map_err(|e| PublishError::ResolveQueue {
                    name: name.clone(),
                    source: DisplayErrorContext(e).to_string().into(),
                })?;
            let url = out.queue_url().ok_or_else(|| PublishError::ResolveQueue {
                name: name.clone(),
                source: "GetQueueUrl returned no QueueUrl".into(),
            })?;
            urls.insert(t, url);
        }
        Ok(urls)
    }
}

impl FromIterator<(EventType, String)> for QueueUrls {
    fn from_iter<I: IntoIterator<Item = (EventType, String)>>(iter: I) -> Self {
        QueueUrls(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_lookup_reads_the_per_type_variables_and_skips_unset_ones() {
        let urls = QueueUrls::from_lookup(|name| match name {
            "QUEUE_URL_TICKET_PURCHASE" => Some("http://q/ticket-purchase".into()),
            "QUEUE_URL_PAGE_VIEW" => Some("http://q/page-view".into()),
            "QUEUE_URL_CART_UPDATE" => Some("  ".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(urls.len(), 2);
        assert_eq!(
            urls.get(EventType::TicketPurchase),
            Some("http://q/ticket-purchase")
        );
        assert_eq!(urls.get(EventType::PageView), Some("http://q/page-view"));
        assert!(matches!(
            urls.require(EventType::TicketScan),
            Err(PublishError::NoQueueUrl(EventType::TicketScan))
        ));
    }

    #[test]
    fn from_lookup_without_any_variable_is_an_error() {
        assert!(matches!(
            QueueUrls::from_lookup(|_| None),
            Err(PublishError::NoQueueUrlsInEnv)
        ));
    }
}
