//! Queues of one test or bench (`{prefix}{type}`, each with its DLQ), the
//! local event source mapping over them, and waiting until they drain.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use domain::EventType;
use pipeline::Pipeline;
use publisher::{OutgoingEvent, Publisher, QueueUrls};
use runner::poller::PollerConfig;
use storage::{DynamoIngest, S3Quarantine};

use crate::unique;

/// Queues of this test only (`{prefix}{type}`, each with a DLQ after 5 receives).
pub struct Queues {
    pub prefix: String,
    pub urls: BTreeMap<EventType, (String, String)>,
    pub dlqs: Vec<String>,
}

pub async fn create_queues(sqs: &aws_sdk_sqs::Client, name: &str) -> Queues {
    let prefix = format!("{}-", unique(name));
    let mut urls = BTreeMap::new();
    let mut dlqs = Vec::new();
    for t in EventType::ALL {
        let dlq = sqs
            .create_queue()
            .queue_name(format!("{prefix}{t}-dlq"))
            .send()
            .await
            .expect("create dlq");
        let dlq_url = dlq.queue_url().unwrap().to_owned();
        let dlq_arn = queue_arn(sqs, &dlq_url).await;
        let q = sqs
            .create_queue()
            .queue_name(format!("{prefix}{t}"))
            .attributes(QueueAttributeName::VisibilityTimeout, "30")
            .attributes(
                QueueAttributeName::RedrivePolicy,
                serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
                    .to_string(),
            )
            .send()
            .await
            .expect("create queue");
        let url = q.queue_url().unwrap().to_owned();
        let arn = queue_arn(sqs, &url).await;
        urls.insert(t, (url, arn));
        dlqs.push(dlq_url);
    }
    Queues { prefix, urls, dlqs }
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("an ARN")
}

pub async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> i64 {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("queue attributes");
    out.attributes()
        .into_iter()
        .flat_map(|a| a.values())
        .filter_map(|v| v.parse::<i64>().ok())
        .sum()
}

/// Waits until every queue is empty (three polls in a row).
pub async fn drain(sqs: &aws_sdk_sqs::Client, queues: &Queues) {
    let mut quiet = 0;
    for _ in 0..600 {
        quiet = if pending(sqs, queues).await == 0 {
            quiet + 1
        } else {
            0
        };
        if quiet == 3 {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(500)).await;
    }
    panic!("the queues did not drain in 5 minutes");
}

/// Messages on the queues, visible or in flight.
pub async fn pending(sqs: &aws_sdk_sqs::Client, queues: &Queues) -> i64 {
    let mut total = 0;
    for (url, _) in queues.urls.values() {
        total += depth(sqs, url).await;
    }
    total
}

/// Sends bodies verbatim to their types' queues with the publisher crate;
/// panics unless every one was sent.
pub async fn publish(sqs: &aws_sdk_sqs::Client, queues: &Queues, bodies: Vec<(EventType, String)>) {
    let mut urls = QueueUrls::new();
    for (t, (url, _)) in &queues.urls {
        urls.insert(*t, url.clone());
    }
    let events: Vec<OutgoingEvent> = bodies
        .into_iter()
        .enumerate()
        .map(|(i, (t, body))| OutgoingEvent::raw(t, format!("m{i}"), body))
        .collect();
    let report = Publisher::new(sqs.clone(), urls)
        .with_concurrency(8)
        .publish_batch(events)
        .await
        .expect("publishing");
    assert!(report.is_complete(), "some messages were not sent");
}

/// Pipelines that all write through one store (and its counters).
pub fn pipelines(
    store: Arc<DynamoIngest>,
    quarantine: Arc<S3Quarantine>,
) -> impl Fn(EventType) -> Pipeline {
    move |t| {
        Pipeline::new(
            t,
            Arc::clone(&store) as Arc<dyn pipeline::IngestStore>,
            Arc::clone(&quarantine) as Arc<dyn pipeline::Quarantine>,
        )
    }
}

/// Runs `per_queue` pollers per queue until nothing is pending (at most 15
/// minutes), stops them, and says how long the queues took to empty.
pub async fn drain_with_pollers(
    sqs: &aws_sdk_sqs::Client,
    queues: &Queues,
    per_queue: usize,
    pipeline: impl Fn(EventType) -> Pipeline,
) -> StdDuration {
    let started = Instant::now();
    let (stop, tasks) = start_pollers(sqs, queues, per_queue, pipeline);
    while pending(sqs, queues).await > 0 {
        assert!(
            started.elapsed() < StdDuration::from_secs(900),
            "the queues did not drain in 15 minutes"
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    stop.send(true).unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    elapsed
}

/// `per_queue` pollers per queue, like that many concurrent Lambdas on one
/// event source; `pipeline(type)` builds each one's handler.
pub fn start_pollers(
    sqs: &aws_sdk_sqs::Client,
    queues: &Queues,
    per_queue: usize,
    pipeline: impl Fn(EventType) -> Pipeline,
) -> (
    tokio::sync::watch::Sender<bool>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for (t, (url, arn)) in &queues.urls {
        for _ in 0..per_queue {
            let pipeline = Arc::new(pipeline(*t));
            let config = PollerConfig {
                queue_url: url.clone(),
                queue_arn: arn.clone(),
                batch_size: 100,
                region: "us-east-1".into(),
            };
            tasks.push(tokio::spawn(runner::poller::run(
                sqs.clone(),
                config,
                pipeline,
                rx.clone(),
            )));
        }
    }
    (stop, tasks)
}
