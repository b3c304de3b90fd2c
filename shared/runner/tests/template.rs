//! The real `infra/template.yaml`: what the local runner reads from it, and
//! that it passes `cfn-lint`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use runner::schedule::ScheduleExpr;
use runner::template::{EnvValue, Stack};

const EVENT_TYPES: [(&str, &str); 6] = [
    ("TicketPurchase", "ticket-purchase"),
    ("TicketScan", "ticket-scan"),
    ("PageView", "page-view"),
    ("CartUpdate", "cart-update"),
    ("VenueUpdate", "venue-update"),
    ("TicketRefund", "ticket-refund"),
];

/// Function timeout from `Globals.Function.Timeout`; queues need 6x that.
const FUNCTION_TIMEOUT_SECONDS: u32 = 30;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn template_path() -> PathBuf {
    workspace_root().join("infra/template.yaml")
}

fn stack() -> Stack {
    Stack::load(&template_path()).expect("infra/template.yaml parses")
}

#[test]
fn default_path_points_at_the_workspace_template() {
    // Only meaningful when the override is not set in this environment.
    if std::env::var_os("ANALYTICS_TEMPLATE").is_none() {
        let default = Stack::default_template_path();
        assert_eq!(
            default.canonicalize().unwrap(),
            template_path().canonicalize().unwrap()
        );
    }
}

#[test]
fn queues_and_dead_letter_queues() {
    let stack = stack();
    for (prefix, event_type) in EVENT_TYPES {
        let queue = stack
            .queue(&format!("{prefix}Queue"))
            .unwrap_or_else(|| panic!("{prefix}Queue"));
        assert_eq!(queue.local_name, event_type);
        assert!(
            queue.visibility_timeout.unwrap() >= 6 * FUNCTION_TIMEOUT_SECONDS,
            "{prefix}Queue visibility timeout {:?}",
            queue.visibility_timeout
        );
        let redrive = queue.redrive.as_ref().expect("redrive policy");
        assert_eq!(redrive.dlq_logical_id, format!("{prefix}Dlq"));
        assert_eq!(redrive.max_receive_count, 5);

        let dlq = stack.queue(&redrive.dlq_logical_id).expect("DLQ exists");
        assert_eq!(dlq.local_name, format!("{event_type}-dlq"));
        assert_eq!(dlq.retention_seconds, Some(1_209_600));
        assert_eq!(dlq.redrive, None);
    }
    // The twelve event queues plus the scheduler's dead-letter queue.
    let ids: BTreeSet<&str> = stack.queues.iter().map(|q| q.logical_id.as_str()).collect();
    assert_eq!(ids.len(), 13, "{ids:?}");
    let scheduler_dlq = stack.queue("SchedulerDlq").expect("SchedulerDlq");
    assert_eq!(scheduler_dlq.local_name, "scheduler-dlq");
    assert_eq!(scheduler_dlq.retention_seconds, Some(1_209_600));

    let names: BTreeSet<&str> = stack.queues.iter().map(|q| q.local_name.as_str()).collect();
    assert_eq!(names.len(), stack.queues.len(), "local names are unique");
}

#[test]
fn tables_and_buckets() {
    let stack = stack();
    let expected = [
        ("RollupsTable", "rollups", true, Some("expiresAt")),
        ("CustomersTable", "customers", true, None),
        ("DedupeTable", "dedupe", false, Some("expiresAt")),
        ("FlowsTable", "flows", true, Some("expiresAt")),
        ("VenuesTable", "venues", true, None),
        ("AppTable", "app", true, Some("expiresAt")),
    ];
    assert_eq!(stack.tables.len(), expected.len(), "{:?}", stack.tables);
    for (id, local_name, has_sort_key, ttl) in expected {
        let table = stack.table(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(table.local_name, local_name, "{id}");
        assert_eq!(table.partition_key, "pk", "{id}");
        assert_eq!(
            table.sort_key.as_deref(),
            has_sort_key.then_some("sk"),
            "{id}"
        );
        assert_eq!(table.ttl_attribute.as_deref(), ttl, "{id}");
    }

    let buckets: Vec<(&str, &str)> = stack
        .buckets
        .iter()
        .map(|b| (b.logical_id.as_str(), b.local_name.as_str()))
        .collect();
    assert_eq!(
        buckets,
        [
            ("QuarantineBucket", "quarantine"),
            ("ReportsBucket", "reports")
        ]
    );
}

#[test]
fn functions_match_crates_and_event_sources() {
    let stack = stack();
    assert_eq!(stack.functions.len(), 11, "{:?}", stack.functions);
    for f in &stack.functions {
        let manifest = workspace_root()
            .join("functions")
            .join(&f.binary)
            .join("Cargo.toml");
        assert!(
            manifest.is_file(),
            "{}: binary {} has no crate at {}",
            f.logical_id,
            f.binary,
            manifest.display()
        );
    }

    for (prefix, event_type) in EVENT_TYPES {
        let f = stack
            .function(&format!("Ingest{prefix}Function"))
            .unwrap_or_else(|| panic!("Ingest{prefix}Function"));
        assert_eq!(f.binary, format!("ingest-{event_type}"));
        assert_eq!(f.env["EVENT_TYPE"], EnvValue::Literal(event_type.into()));
        let [source] = f.sqs_sources.as_slice() else {
            panic!(
                "{}: expected one SQS source, got {:?}",
                f.logical_id, f.sqs_sources
            );
        };
        assert_eq!(source.queue_logical_id, format!("{prefix}Queue"));
        assert!(source.report_batch_item_failures);
        assert_eq!(source.batch_size, 100);
        assert_eq!(source.batching_window_seconds, 5);
        assert!(f.schedules.is_empty());
    }

    let scheduled = [
        ("ReportFunction", "report", "rate(1 hour)", "reports"),
        ("AlertsFunction", "alerts", "rate(1 minute)", "alerts"),
        (
            "NightlyInsightsFunction",
            "nightly-insights",
            "cron(0 3 * * ? *)",
            "insights",
        ),
    ];
    for (id, binary, expression, job) in scheduled {
        let f = stack.function(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(f.binary, binary);
        assert!(f.sqs_sources.is_empty());
        // The report function also runs the pending-exports pass, the insights
        // function the refresh between nights (their second schedules).
        let (Some(schedule), true) = (
            f.schedules.first(),
            f.schedules.len()
                == 1 + usize::from(id == "ReportFunction" || id == "NightlyInsightsFunction"),
        ) else {
            panic!("{id}: unexpected schedules {:?}", f.schedules);
        };
        assert_eq!(schedule.expression, expression);
        assert!(matches!(
            schedule.expr().unwrap(),
            ScheduleExpr::Rate(_) | ScheduleExpr::Cron(_)
        ));
        assert_eq!(schedule.input, Some(serde_json::json!({ "job": job })));
    }

    let exports = &stack.function("ReportFunction").unwrap().schedules[1];
    assert_eq!(
        (exports.expression.as_str(), &exports.input),
        (
            "rate(1 minute)",
            &Some(serde_json::json!({ "job": "exports" }))
        )
    );

    for (id, binary) in [
        ("DashboardApiFunction", "dashboard-api"),
        ("RealtimeFunction", "realtime"),
    ] {
        assert_eq!(stack.function(id).unwrap().binary, binary);
    }
    let dashboard = stack.function("DashboardApiFunction").unwrap();
    for (prefix, event_type) in EVENT_TYPES {
        let var = format!("DLQ_URL_{}", event_type.replace('-', "_").to_uppercase());
        assert_eq!(
            dashboard.env.get(&var),
            Some(&EnvValue::Ref(format!("{prefix}Dlq"))),
            "{var}"
        );
    }
}

#[test]
fn ingest_function_sees_every_global_locally() {
    let stack = stack();
    let resolve = |id: &str| -> Option<String> {
        if let Some(q) = stack.queue(id) {
            return Some(format!(
                "http://127.0.0.1:4566/000000000000/{}",
                q.local_name
            ));
        }
        stack
            .table(id)
            .map(|t| t.local_name.clone())
            .or_else(|| stack.bucket(id).map(|b| b.local_name.clone()))
    };
    let f = stack.function("IngestTicketPurchaseFunction").unwrap();
    let env = stack.local_env(f, &resolve);

    assert!(stack.global_env.len() >= 12, "{:?}", stack.global_env);
    for name in stack.global_env.keys() {
        let value = env
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing locally"));
        if name.starts_with("TIMESTREAM_") {
            assert_eq!(value, "", "{name}: Timestream is disabled by default");
        } else {
            assert!(!value.is_empty(), "{name} is empty");
        }
    }
    assert_eq!(env["ROLLUPS_TABLE"], "rollups");
    assert_eq!(env["QUARANTINE_BUCKET"], "quarantine");
    assert_eq!(env["ANALYTICS_SILENT_AFTER_MINUTES"], "15");
    assert_eq!(env["EVENT_TYPE"], "ticket-purchase");
    assert!(
        !env.contains_key("WEBSOCKET_ENDPOINT"),
        "an AWS-only !Sub is left for the runner to supply"
    );
}

/// `<workspace>/.venv/bin/cfn-lint` (installed by scripts/setup.sh), else PATH.
fn find_cfn_lint() -> Option<PathBuf> {
    let venv = workspace_root().join(".venv/bin/cfn-lint");
    if venv.is_file() {
        return Some(venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("cfn-lint"))
            .find(|candidate| candidate.is_file())
    })
}

#[test]
fn cfn_lint_passes() {
    let Some(cfn_lint) = find_cfn_lint() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "cfn-lint not found (neither .venv/bin/cfn-lint nor on PATH): run scripts/setup.sh"
        );
        eprintln!("SKIP cfn_lint_passes: cfn-lint not installed; run scripts/setup.sh");
        return;
    };
    let output = Command::new(&cfn_lint)
        .arg("--")
        .arg(template_path())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", cfn_lint.display()));
    assert!(
        output.status.success(),
        "{} failed ({}):\n{}{}",
        cfn_lint.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
