//! Retrying the failed entries of one batch call.
//!
//! SQS answers a `SendMessageBatch` per entry: some succeed, some fail. An
//! entry that failed through no fault of the sender (`SenderFault: false`,
//! e.g. throttling or an internal error) is sent again, alone with the other
//! failed entries, after an exponential backoff with jitter. A sender fault
//! (bad body, bad id) never succeeds on retry and is reported at once. The
//! loop is generic over the call so it is tested without SQS.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::batch::BatchEntry;

/// How often and how patiently failed entries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls per entry, the first included (≥ 1).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles per retry.
    pub base_delay: Duration,
    /// Cap of the backoff.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The ceiling of the backoff before retry number `retry` (1-based):
    /// `min(max_delay, base_delay · 2^(retry-1))`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The backoff before retry number `retry`, with "equal jitter": half
    /// the ceiling plus a random part of the other half, so that publishers
    /// throttled together do not retry together.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let half = ceiling / 2;
        let jitter_ms = u64::try_from((ceiling - half).as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::rng().random_range(0..=jitter_ms))
    }
}

/// One entry SQS refused in an otherwise completed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryFailure {
    pub entry_id: String,
    pub code: String,
    pub message: String,
    pub sender_fault: bool,
}

/// A call that failed as a whole (network, throttling of the API, no such queue…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallFailure {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

/// What one call returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallResult {
    /// The call completed; these entries failed (the others were sent).
    Completed(Vec<EntryFailure>),
    Failed(CallFailure),
}

/// An entry that was not sent after all attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FinalFailure {
    pub index: usize,
    pub code: String,
    pub message: String,
    pub sender_fault: bool,
    pub attempts: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RetryOutcome {
    pub failures: Vec<FinalFailure>,
    pub calls: u32,
    /// Entry re-sends (an entry retried twice counts twice).
    pub retried: usize,
}

/// Sends `entries` with `send`, re-sending the retryable failures until they
/// succeed or `policy.max_attempts` is reached.
pub(crate) async fn send_with_retry<F, Fut>(
    policy: &RetryPolicy,
    entries: &[BatchEntry],
    mut send: F,
) -> RetryOutcome
where
    F: FnMut(&[BatchEntry]) -> Fut,
    Fut: Future<Output = CallResult>,
{
    let max_attempts = policy.max_attempts.max(1);
    let mut outcome = RetryOutcome::default();
    let mut pending: Vec<BatchEntry> = entries.to_vec();
    let mut attempt = 1;
    while !pending.is_empty() {
        let result = send(&pending).await;
        outcome.calls += 1;
        let last = attempt >= max_attempts;
        let mut retry = Vec::new();
        match result {
            CallResult::Completed(failed) => {
                for f in failed {
                    let Some(entry) = pending.iter().find(|e| e.entry_id == f.entry_id) else {
                        tracing::warn!(entry_id = %f.entry_id, "SQS reported a failure for an entry that was not sent");
                        continue;
                    };
                    if f.sender_fault || last {
                        outcome.failures.push(FinalFailure {
                            index: entry.index,
                            code: f.code,
                            message: f.message,
                            sender_fault: f.sender_fault,
                            attempts: attempt,
                        });
                    } else {
                        retry.push(entry.clone());
                    }
                }
            }
            CallResult::Failed(f) if f.retryable && !last => retry = pending,
            CallResult::Failed(f) => {
                outcome
                    .failures
                    .extend(pending.iter().map(|e| FinalFailure {
                        index: e.index,
                        code: f.code.clone(),
                        message: f.message.clone(),
                        sender_fault: !f.retryable,
                        attempts: attempt,
                    }));
            }
        }
        if retry.is_empty() {
            break;
        }
        let delay = policy.delay(attempt);
        tracing::warn!(
            entries = retry.len(),
            attempt,
            delay_ms = delay.as_millis(),
            "retrying failed SQS batch entries"
        );
        tokio::time::sleep(delay).await;
        outcome.retried += retry.len();
        pending = retry;
        attempt += 1;
    }
    outcome
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::*;
    use crate::batch::entry_id;

    fn entries(n: usize) -> Vec<BatchEntry> {
        (0..n)
            .map(|i| BatchEntry {
                entry_id: entry_id(i),
                index: i,
                bytes: 10,
            })
            .collect()
    }

    fn fast(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    fn failure(entry_id: &str, code: &str, sender_fault: bool) -> EntryFailure {
        EntryFailure {
            entry_id: entry_id.into(),
            code: code.into(),
            message: "m".into(),
            sender_fault,
        }
    }

    #[tokio::test]
    async fn retries_only_the_failed_entries_until_they_succeed() {
        // m1 is throttled twice, m3 once; the others succeed at once.
        let mut remaining_failures: HashMap<String, u32> =
            HashMap::from([("m1".into(), 2), ("m3".into(), 1)]);
        let calls = RefCell::new(Vec::<Vec<String>>::new());
        let outcome = send_with_retry(&fast(5), &entries(5), |sent| {
            calls
                .borrow_mut()
                .push(sent.iter().map(|e| e.entry_id.clone()).collect());
            let failed: Vec<_> = sent
                .iter()
                .filter_map(|e| {
                    let left = remaining_failures.get_mut(&e.entry_id)?;
                    (*left > 0).then(|| {
                        *left -= 1;
                        failure(&e.entry_id, "ThrottlingException", false)
                    })
                })
                .collect();
            async move { CallResult::Completed(failed) }
        })
        .await;
        assert!(outcome.failures.is_empty());
        assert_eq!(outcome.calls, 3);
        assert_eq!(outcome.retried, 3);
        assert_eq!(
            *calls.borrow(),
            vec![
                vec!["m0", "m1", "m2", "m3", "m4"],
                vec!["m1", "m3"],
                vec!["m1"]
            ]
        );
    }

    #[tokio::test]
    async fn sender_faults_are_reported_without_retry() {
        let outcome = send_with_retry(&fast(5), &entries(3), |sent| {
            let failed = sent
                .iter()
                .filter(|e| e.index == 2)
                .map(|e| failure(&e.entry_id, "InvalidMessageContents", true))
                .collect();
            async move { CallResult::Completed(failed) }
        })
        .await;
        assert_eq!(outcome.calls, 1);
        assert_eq!(
            outcome.failures,
            vec![FinalFailure {
                index: 2,
                code: "InvalidMessageContents".into(),
                message: "m".into(),
                sender_fault: true,
                attempts: 1
            }]
        );
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts_with_the_last_error_code() {
        let outcome = send_with_retry(&fast(4), &entries(2), |sent| {
            let failed = sent
                .iter()
                .filter(|e| e.index == 0)
                .map(|e| failure(&e.entry_id, "InternalError", false))
                .collect();
            async move { CallResult::Completed(failed) }
        })
        .await;
        assert_eq!(outcome.calls, 4);
        assert_eq!(outcome.retried, 3);
        assert_eq!(outcome.failures.len(), 1);
        assert_eq!(
            (outcome.failures[0].index, outcome.failures[0].attempts),
            (0, 4)
        );
        assert_eq!(outcome.failures[0].code, "InternalError");
    }

    #[tokio::test]
    async fn a_retryable_call_failure_resends_the_whole_call() {
        let mut n = 0;
        let outcome = send_with_retry(&fast(5), &entries(3), |sent| {
            n += 1;
            let result = if n == 1 {
                CallResult::Failed(CallFailure {
                    code: "Timeout".into(),
                    message: "timed out".into(),
                    retryable: true,
                })
            } else {
                assert_eq!(sent.len(), 3);
                CallResult::Completed(vec![])
            };
            async move { result }
        })
        .await;
        assert!(outcome.failures.is_empty());
        assert_eq!((outcome.calls, outcome.retried), (2, 3));
    }

    #[tokio::test]
    async fn a_permanent_call_failure_fails_every_entry_at_once() {
        let outcome = send_with_retry(&fast(5), &entries(2), |_| async {
            CallResult::Failed(CallFailure {
                code: "QueueDoesNotExist".into(),
                message: "no queue".into(),
                retryable: false,
            })
        })
        .await;
        assert_eq!(outcome.calls, 1);
        assert_eq!(
            outcome.failures.iter().map(|f| f.index).collect::<Vec<_>>(),
            [0, 1]
        );
        assert!(
            outcome
                .failures
                .iter()
                .all(|f| f.code == "QueueDoesNotExist" && f.attempts == 1)
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_in_the_upper_half() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let ceilings: Vec<u128> = (1..=6).map(|r| p.backoff_ceiling(r).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            p.backoff_ceiling(200),
            Duration::from_secs(1),
            "no overflow"
        );
        for retry in 1..=6 {
            for _ in 0..50 {
                let d = p.delay(retry);
                let c = p.backoff_ceiling(retry);
                assert!(
                    d >= c / 2 && d <= c,
                    "retry {retry}: {d:?} outside [{:?}, {c:?}]",
                    c / 2
                );
            }
        }
    }
}
