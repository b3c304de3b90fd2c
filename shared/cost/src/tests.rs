//! Expected dollars are worked out by hand from the pricing pages' rules
//! (the comments show the arithmetic), not by calling the code under test.

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn sqs_counts_one_request_per_started_batch() {
    // 1,000,000 / 10 sends + / 10 receives + / 10 deletes.
    assert!(close(sqs_requests(1_000_000, 10, 10, 10), 300_000.0));
    // 25 messages in tens: 3 + 3 + 3; single sends: 25 + 3 + 3.
    assert!(close(sqs_requests(25, 10, 10, 10), 9.0));
    assert!(close(sqs_requests(25, 1, 10, 10), 31.0));
    assert!(close(sqs_requests(0, 10, 10, 10), 0.0));
}

#[test]
fn lambda_bills_started_milliseconds_at_the_memory_size() {
    // 10 invocations × 200.2 ms → 201 ms each → 2.01 s × 128/1024 GB.
    assert!(close(lambda_gb_seconds(10, 200.2, 128), 2.01 * 0.125));
    assert!(close(lambda_gb_seconds(4, 1000.0, 1024), 4.0));
    assert!(close(lambda_gb_seconds(3, -5.0, 128), 0.0));
}

#[test]
fn timestream_meters_each_request_in_started_kib() {
    // AWS's own example: 83-byte events, one per write → one unit each;
    // twelve per write (996 bytes) → one unit per write: 100 events in 9 writes.
    let single: Vec<Vec<u64>> = (0..100).map(|_| vec![83]).collect();
    assert_eq!(timestream_write_units(&single), 100);
    let events = vec![83_u64; 100];
    let batched: Vec<&[u64]> = events.chunks(12).collect();
    assert_eq!(timestream_write_units(&batched), 9);
    // 1025 bytes in one request → two units.
    assert_eq!(timestream_write_units(&[[1000_u64, 25]]), 2);
}

fn million_purchases() -> Usage {
    Usage {
        events: 1_000_000,
        sqs_requests: 300_000.0,
        lambda_invocations: 10_000,
        lambda_gb_seconds: 250.0,
        dynamodb_write_units: 4_600_000,
        dynamodb_read_units: 505_000.0,
        dynamodb_byte_months: 1024.0 * 1024.0 * 1024.0 * 0.5,
        s3_puts: 2_000,
        log_bytes: 1024 * 1024 * 1024 / 100,
        traces: 10_000,
        timestream: None,
    }
}

#[test]
fn a_bill_prices_each_service_by_its_own_unit() {
    let b = bill(&million_purchases(), &Prices::US_EAST_1);
    // 300,000 requests × $0.40 / M.
    assert!(close(b.dollars(service::SQS), 0.12));
    // 10,000 × $0.20 / M + 250 GB-s × $0.0000133334.
    assert!(close(b.dollars(service::LAMBDA), 0.002 + 0.003_333_35));
    // 4.6 M WRU × $0.625 / M.
    assert!(close(b.dollars(service::DYNAMODB_WRITES), 2.875));
    // 505,000 RRU × $0.125 / M.
    assert!(close(b.dollars(service::DYNAMODB_READS), 0.063_125));
    // half a GB-month × $0.25.
    assert!(close(b.dollars(service::DYNAMODB_STORAGE), 0.125));
    // 2,000 PUTs × $0.005 / 1,000.
    assert!(close(b.dollars(service::S3), 0.01));
    // 1/100 GB × $0.50.
    assert!(close(b.dollars(service::LOGS), 0.005));
    // 10,000 traces × $5 / M.
    assert!(close(b.dollars(service::TRACES), 0.05));
    assert!(
        close(b.dollars(service::TIMESTREAM), 0.0),
        "the sink is off"
    );
    assert!(close(
        b.total(),
        0.12 + 0.005_333_35 + 2.875 + 0.063_125 + 0.125 + 0.01 + 0.005 + 0.05
    ));
}

#[test]
fn timestream_adds_writes_and_both_stores() {
    let mut u = million_purchases();
    u.timestream = Some(TimestreamUsage {
        write_units: 200_000,
        stored_bytes: 1024 * 1024 * 1024 / 5,
        memory_hours: 24.0,
        magnetic_months: 12.0,
    });
    let b = bill(&u, &Prices::US_EAST_1);
    // 200,000 × $0.50 / M + 0.2 GB × (24 h × $0.036 + 12 months × $0.03).
    let expected = 0.1 + 0.2 * (24.0 * 0.036 + 12.0 * 0.03);
    assert!(close(b.dollars(service::TIMESTREAM), expected));
}

#[test]
fn per_million_scales_every_line_and_an_empty_run_costs_nothing() {
    let mut u = million_purchases();
    u.events = 250_000;
    let b = bill(&u, &Prices::US_EAST_1);
    let m = b.per_million();
    assert_eq!(m.events, 1_000_000);
    assert!(close(m.total(), b.total() * 4.0));
    assert!(close(m.dollars(service::DYNAMODB_WRITES), 2.875 * 4.0));
    let empty = bill(&Usage::default(), &Prices::US_EAST_1);
    assert!(close(empty.per_million().total(), 0.0));
}
