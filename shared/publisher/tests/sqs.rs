//! The publisher against an AWS-compatible SQS (moto server locally).
//!
//! Skipped with a notice when nothing listens on `AWS_ENDPOINT_URL` (default
//! `http://127.0.0.1:4566`), unless `CI` is set: then it fails.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use aws_sdk_sqs::Client;
use domain::{EventType, decode};
use publisher::simulate::{Kind, SimConfig, simulate};
use publisher::{
    MAX_PAYLOAD_BYTES, OutgoingEvent, PublishError, Publisher, QueueUrls, RetryPolicy,
};

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:4566".to_owned())
}

/// A client for the emulator, or `None` (after a notice) when none is running outside CI.
async fn client() -> Option<Client> {
    let endpoint = endpoint();
    let authority = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(&endpoint)
        .trim_end_matches('/')
        .to_owned();
    let reachable = authority
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok());
    if !reachable {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but no SQS endpoint listens on {endpoint}"
        );
        eprintln!(
            "SKIPPED: no SQS endpoint on {endpoint} (start `moto_server -H 127.0.0.1 -p 4566` or set AWS_ENDPOINT_URL)"
        );
        return None;
    }
    let creds = aws_sdk_sqs::config::Credentials::new(
        std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "test".into()),
        std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| "test".into()),
        None,
        None,
        "test",
    );
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .http_client(storage::https_client())
        .load()
        .await;
    Some(Client::new(&config))
}

/// Creates the six queues under a fresh prefix and resolves them by name.
async fn queues(client: &Client) -> QueueUrls {
    let prefix = format!("pubtest-{}-", uuid::Uuid::new_v4().simple());
    for t in EventType::ALL {
        client
            .create_queue()
            .queue_name(format!("{prefix}{t}"))
            .send()
            .await
            .expect("create queue");
    }
    let urls = QueueUrls::resolve(client, &prefix).await.expect("resolve");
    assert_eq!(urls.len(), EventType::ALL.len());
    urls
}

/// Receives every message of a queue (until two empty polls).
async fn drain(client: &Client, url: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut empty = 0;
    while empty < 2 {
        let out = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        let messages = out.messages();
        if messages.is_empty() {
            empty += 1;
            continue;
        }
        for m in messages {
            bodies.push(m.body().unwrap_or_default().to_owned());
            client
                .delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("delete");
        }
    }
    bodies
}

#[tokio::test]
async fn a_simulated_night_lands_on_the_right_queues_verbatim() {
    let Some(client) = client().await else { return };
    let urls = queues(&client).await;
    let publisher = Publisher::new(client.clone(), urls.clone());
    let config = SimConfig {
        scale: 0.1,
        ..SimConfig::new(chrono::Utc::now(), 17)
    };
    let sim = simulate(&config);
    let events: Vec<OutgoingEvent> = sim.events.iter().map(|e| e.to_outgoing()).collect();
    let report = publisher.publish_batch(events).await.expect("publish");
    assert!(report.is_complete(), "{:?}", report.failed);
    assert_eq!(report.sent, sim.events.len());
    assert!(report.calls as usize >= sim.events.len().div_ceil(10));

    for t in EventType::ALL {
        let mut received = drain(&client, urls.get(t).unwrap()).await;
        let mut sent: Vec<String> = sim
            .events
            .iter()
            .filter(|e| e.event_type == t)
            .map(|e| e.body.clone())
            .collect();
        received.sort();
        sent.sort();
        assert_eq!(received.len(), sent.len(), "{t}");
        assert!(received == sent, "{t}: bodies differ");
    }
    let malformed = sim
        .events
        .iter()
        .filter(|e| e.kind == Kind::Malformed)
        .count();
    assert_eq!(malformed, 5);
}

#[tokio::test]
async fn publish_sends_one_typed_event_that_decodes() {
    let Some(client) = client().await else { return };
    let urls = queues(&client).await;
    let publisher = Publisher::new(client.clone(), urls.clone());
    let body = include_str!("../../../events/cloudevents/ticket-scan.json");
    let event: domain::CloudEvent<domain::event::TicketScan<'_>> =
        serde_json::from_str(body).unwrap();
    publisher.publish(&event).await.expect("publish");
    let received = drain(&client, urls.get(EventType::TicketScan).unwrap()).await;
    assert_eq!(received.len(), 1);
    let decoded = decode(EventType::TicketScan, &received[0], event.time).expect("decodes");
    assert_eq!(decoded.id, event.id);
}

#[tokio::test]
async fn large_messages_are_split_across_calls_and_oversized_ones_refused() {
    let Some(client) = client().await else { return };
    let urls = queues(&client).await;
    let publisher = Publisher::new(client.clone(), urls.clone()).with_concurrency(1);
    let url = urls.get(EventType::PageView).unwrap().to_owned();
    // Three ~100 KiB bodies cannot share one call (256 KiB).
    let big: Vec<String> = (0..3)
        .map(|i| format!("{i}{}", "x".repeat(100 * 1024)))
        .collect();
    let report = publisher.send_raw(&url, big.clone()).await.expect("send");
    assert!(report.is_complete(), "{:?}", report.failed);
    assert_eq!((report.sent, report.calls), (3, 2));
    assert_eq!(drain(&client, &url).await.len(), 3);

    let too_big = "y".repeat(MAX_PAYLOAD_BYTES + 1);
    match publisher.send_raw(&url, vec!["ok".into(), too_big]).await {
        Err(PublishError::MessageTooLarge { id, .. }) => assert_eq!(id, "raw-1"),
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
    assert!(
        drain(&client, &url).await.is_empty(),
        "nothing is sent when one message is too large"
    );
}

#[tokio::test]
async fn messages_sqs_refuses_are_reported_not_retried_and_the_rest_arrives() {
    let Some(client) = client().await else { return };
    let name = format!("pubtest-{}-small", uuid::Uuid::new_v4().simple());
    let url = client
        .create_queue()
        .queue_name(&name)
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::MaximumMessageSize,
            "1024",
        )
        .send()
        .await
        .expect("create queue")
        .queue_url()
        .unwrap()
        .to_owned();
    let publisher = Publisher::new(client.clone(), QueueUrls::new()).with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    });
    // The middle message exceeds the queue's 1 KiB maximum: a sender fault.
    let bodies = vec!["first".to_owned(), "z".repeat(2048), "third".to_owned()];
    let report = publisher
        .send_raw(&url, bodies.clone())
        .await
        .expect("send");
    assert_eq!(report.calls, 1, "sender faults are not retried: {report:?}");
    let refused = report
        .failed
        .iter()
        .find(|f| f.index == 1)
        .expect("the oversized message is reported");
    assert!(refused.sender_fault && refused.attempts == 1, "{refused:?}");
    assert_eq!(
        (refused.id.as_str(), refused.queue_url.as_str()),
        ("raw-1", url.as_str())
    );
    assert!(!refused.code.is_empty());
    // SQS refuses the entry alone; some emulators refuse the whole call. Either way the
    // report is exact: what is not in `failed` arrived.
    let mut expected: Vec<String> = bodies
        .iter()
        .enumerate()
        .filter(|(i, _)| report.failed.iter().all(|f| f.index != *i))
        .map(|(_, b)| b.clone())
        .collect();
    let mut received = drain(&client, &url).await;
    received.sort();
    expected.sort();
    assert_eq!(received, expected);
    assert_eq!(report.sent + report.failed.len(), 3);
}

#[tokio::test]
async fn a_missing_queue_fails_its_entries_without_retrying_forever() {
    let Some(client) = client().await else { return };
    let urls = QueueUrls::new().with(
        EventType::TicketPurchase,
        format!("{}/123456789012/pubtest-does-not-exist", endpoint()),
    );
    let publisher = Publisher::new(client, urls).with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    });
    let body = include_str!("../../../events/cloudevents/ticket-purchase.json")
        .trim_end()
        .to_owned();
    let report = publisher
        .publish_batch(vec![OutgoingEvent::raw(
            EventType::TicketPurchase,
            "0b6f",
            body,
        )])
        .await
        .expect("planned");
    assert_eq!(report.sent, 0);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(
        report.calls, 1,
        "a missing queue is not retried: {report:?}"
    );
    assert!(
        report.failed[0].code.contains("NonExistentQueue")
            || report.failed[0].code.contains("QueueDoesNotExist"),
        "{:?}",
        report.failed[0]
    );

    let unconfigured = publisher
        .publish_batch(vec![OutgoingEvent::raw(EventType::TicketScan, "x", "{}")])
        .await;
    assert!(matches!(
        unconfigured,
        Err(PublishError::NoQueueUrl(EventType::TicketScan))
    ));
}
