//! Planning of `SendMessageBatch` calls: pure, so the limits are testable
//! without SQS.
//!
//! SQS limits per call: at most 10 entries, at most 256 KiB of payload in
//! total, entry ids unique within the call and matching `[A-Za-z0-9_-]{1,80}`.
//! CloudEvent ids need not satisfy that (and one call may carry the same event
//! twice), so entry ids are derived from the message's position instead.

use crate::error::PublishError;

/// Most entries in one `SendMessageBatch` call.
pub const MAX_BATCH_ENTRIES: usize = 10;
/// Largest message, and largest total payload of one call, in bytes (256 KiB).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// Longest batch entry id SQS accepts.
pub const MAX_ENTRY_ID_LEN: usize = 80;

/// One message to send: its queue, its body and a label for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending<'a> {
    pub queue_url: &'a str,
    pub body: &'a str,
    /// The CloudEvent id (or any label); only used in errors and reports.
    pub id: &'a str,
}

/// One planned `SendMessageBatch` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch<'a> {
    pub queue_url: &'a str,
    pub entries: Vec<BatchEntry>,
}

impl Batch<'_> {
    /// Sum of the entries' body sizes.
    pub fn payload_bytes(&self) -> usize {
        self.entries.iter().map(|e| e.bytes).sum()
    }
}

/// One entry of a planned call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    /// Batch entry id: unique within the whole plan, `[A-Za-z0-9_-]{1,80}`.
    pub entry_id: String,
    /// Position of the message in the planned input.
    pub index: usize,
    /// Body size in bytes (UTF-8).
    pub bytes: usize,
}

/// The entry id of the message at `index`.
pub fn entry_id(index: usize) -> String {
    format!("m{index}")
}

/// Whether `id` is a valid batch entry id.
pub fn is_valid_entry_id(id: &str) -> bool {
    (1..=MAX_ENTRY_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Groups messages by queue (queues in order of first appearance, messages
/// in input order) and packs each queue's messages greedily into calls of at
/// most [`MAX_BATCH_ENTRIES`] entries and [`MAX_PAYLOAD_BYTES`] bytes.
///
/// A message that alone exceeds the limit, or is empty, fails the whole plan
/// before anything is sent.
pub fn plan_batches<'a>(messages: &[Pending<'a>]) -> Result<Vec<Batch<'a>>, PublishError> {
    for m in messages {
        if m.body.is_empty() {
            return Err(PublishError::EmptyBody {
                id: m.id.to_owned(),
            });
        }
        if m.body.len() > MAX_PAYLOAD_BYTES {
            return Err(PublishError::MessageTooLarge {
                id: m.id.to_owned(),
                bytes: m.body.len(),
                limit: MAX_PAYLOAD_BYTES,
            });
        }
    }
    let mut queues: Vec<&'a str> = Vec::new();
    for m in messages {
        if !queues.contains(&m.queue_url) {
            queues.push(m.queue_url);
        }
    }
    let mut batches = Vec::new();
    for queue_url in queues {
        let mut current = Batch {
            queue_url,
            entries: Vec::new(),
        };
        let mut bytes = 0;
        for (index, m) in messages
            .iter()
            .enumerate()
            .filter(|(_, m)| m.queue_url == queue_url)
        {
            let size = m.body.len();
            if current.entries.len() == MAX_BATCH_ENTRIES || bytes + size > MAX_PAYLOAD_BYTES {
                batches.push(std::mem::replace(
                    &mut current,
                    Batch {
                        queue_url,
                        entries: Vec::new(),
                    },
                ));
                bytes = 0;
            }
            bytes += size;
            current.entries.push(BatchEntry {
                entry_id: entry_id(index),
                index,
                bytes: size,
            });
        }
        if !current.entries.is_empty() {
            batches.push(current);
        }
    }
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn pending<'a>(queue_url: &'a str, body: &'a str) -> Pending<'a> {
        Pending {
            queue_url,
            body,
            id: "evt",
        }
    }

    /// Every input message is planned exactly once, in order per queue, within the limits.
    fn check_invariants(input: &[Pending<'_>], plan: &[Batch<'_>]) {
        let mut seen = vec![0; input.len()];
        let mut ids = HashSet::new();
        for batch in plan {
            assert!(!batch.entries.is_empty());
            assert!(batch.entries.len() <= MAX_BATCH_ENTRIES);
            assert!(batch.payload_bytes() <= MAX_PAYLOAD_BYTES);
            for e in &batch.entries {
                assert_eq!(input[e.index].queue_url, batch.queue_url);
                assert_eq!(e.bytes, input[e.index].body.len());
                assert!(is_valid_entry_id(&e.entry_id), "{}", e.entry_id);
                assert!(
                    ids.insert(e.entry_id.clone()),
                    "duplicate entry id {}",
                    e.entry_id
                );
                seen[e.index] += 1;
            }
            assert!(
                batch.entries.windows(2).all(|w| w[0].index < w[1].index),
                "input order kept"
            );
        }
        assert!(
            seen.iter().all(|&n| n == 1),
            "each message planned once: {seen:?}"
        );
    }

    #[test]
    fn splits_into_calls_of_at_most_ten_entries() {
        let input: Vec<_> = (0..25).map(|_| pending("q1", "{}")).collect();
        let plan = plan_batches(&input).unwrap();
        check_invariants(&input, &plan);
        let sizes: Vec<_> = plan.iter().map(|b| b.entries.len()).collect();
        assert_eq!(sizes, [10, 10, 5]);
    }

    #[test]
    fn groups_by_queue_in_order_of_first_appearance() {
        let input = [
            pending("b", "1"),
            pending("a", "2"),
            pending("b", "3"),
            pending("a", "4"),
            pending("c", "5"),
        ];
        let plan = plan_batches(&input).unwrap();
        check_invariants(&input, &plan);
        let shape: Vec<(&str, Vec<usize>)> = plan
            .iter()
            .map(|b| (b.queue_url, b.entries.iter().map(|e| e.index).collect()))
            .collect();
        assert_eq!(
            shape,
            [("b", vec![0, 2]), ("a", vec![1, 3]), ("c", vec![4])]
        );
    }

    #[test]
    fn closes_a_call_before_it_exceeds_256_kib() {
        let big = "x".repeat(100 * 1024);
        let input: Vec<_> = (0..5).map(|_| pending("q", &big)).collect();
        let plan = plan_batches(&input).unwrap();
        check_invariants(&input, &plan);
        let sizes: Vec<_> = plan.iter().map(|b| b.entries.len()).collect();
        assert_eq!(sizes, [2, 2, 1], "three 100 KiB bodies would be 300 KiB");
    }

    #[test]
    fn a_message_of_exactly_256_kib_travels_alone() {
        let max = "x".repeat(MAX_PAYLOAD_BYTES);
        let input = [pending("q", "{}"), pending("q", &max), pending("q", "{}")];
        let plan = plan_batches(&input).unwrap();
        check_invariants(&input, &plan);
        let shape: Vec<Vec<usize>> = plan
            .iter()
            .map(|b| b.entries.iter().map(|e| e.index).collect())
            .collect();
        assert_eq!(shape, [vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn rejects_a_message_over_256_kib_before_sending_anything() {
        let too_big = "x".repeat(MAX_PAYLOAD_BYTES + 1);
        let input = [
            pending("q", "{}"),
            Pending {
                queue_url: "q",
                body: &too_big,
                id: "evt-9",
            },
        ];
        match plan_batches(&input) {
            Err(PublishError::MessageTooLarge { id, bytes, limit }) => {
                assert_eq!(
                    (id.as_str(), bytes, limit),
                    ("evt-9", MAX_PAYLOAD_BYTES + 1, MAX_PAYLOAD_BYTES)
                );
            }
            other => panic!("expected MessageTooLarge, got {other:?}"),
        }
    }

    #[test]
    fn rejects_an_empty_body() {
        assert!(matches!(
            plan_batches(&[pending("q", "")]),
            Err(PublishError::EmptyBody { .. })
        ));
    }

    #[test]
    fn entry_ids_are_unique_even_when_an_event_is_sent_twice() {
        let input = [pending("q", "same"), pending("q", "same")];
        let plan = plan_batches(&input).unwrap();
        check_invariants(&input, &plan);
        assert_eq!(plan.len(), 1);
    }

    #[test]
    fn entry_id_validation_matches_the_sqs_rule() {
        assert!(is_valid_entry_id("m0"));
        assert!(is_valid_entry_id("a-B_9"));
        assert!(is_valid_entry_id(&"a".repeat(80)));
        assert!(!is_valid_entry_id(""));
        assert!(!is_valid_entry_id(&"a".repeat(81)));
        assert!(!is_valid_entry_id("0b6f:3c1e"));
        assert!(!is_valid_entry_id("ünïcode"));
        assert!(is_valid_entry_id(&entry_id(usize::MAX)));
    }

    #[test]
    fn mixed_sizes_and_queues_respect_every_limit() {
        // Deterministic pseudo-random sizes from a tiny LCG.
        let mut x: u64 = 42;
        let bodies: Vec<String> = (0..300)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                "y".repeat(1 + (x >> 33) as usize % (90 * 1024))
            })
            .collect();
        let queues = ["q1", "q2", "q3"];
        let input: Vec<_> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| pending(queues[i % 3], b))
            .collect();
        let plan = plan_batches(&input).unwrap();
        check_invariants(&input, &plan);
    }
}
