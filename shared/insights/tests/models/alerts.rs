use std::collections::BTreeMap;

use chrono::Duration;
use insights::alerts::{
    AlertRule, Evaluation, FlowObs, Observations, Op, PacingObs, RuleKind, Status, TransitionKind,
    evaluate, step,
};

use super::t0;

fn rule(kind: RuleKind) -> AlertRule {
    AlertRule {
        id: "r1".into(),
        venue_id: "v1".into(),
        name: "test".into(),
        kind,
        enabled: true,
        webhook_url: Some("https://hooks.example.com/alert".into()),
    }
}

/// One bucket per minute for the last `values.len()` minutes, oldest first.
fn obs(series: &[(&str, &[f64])]) -> Observations {
    let now = t0();
    Observations {
        now,
        series: series
            .iter()
            .map(|(name, values)| {
                let n = values.len() as i64;
                let points = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (now - Duration::minutes(n - i as i64), *v))
                    .collect();
                ((*name).to_owned(), points)
            })
            .collect(),
        flows: Vec::new(),
        dlq_depths: BTreeMap::new(),
        pacing: Vec::new(),
    }
}

#[test]
fn validation_reports_every_problem() {
    let good = rule(RuleKind::Threshold {
        metric: "revenue".into(),
        window_minutes: 5,
        op: Op::Gt,
        value: 100.0,
    });
    assert_eq!(good.validate(), Ok(()));

    let mut bad = rule(RuleKind::SuddenChange {
        metric: "profit".into(),
        window_minutes: 0,
        baseline_minutes: 2_000,
        change_pct: -5.0,
    });
    bad.webhook_url = Some("ftp://x".into());
    let errors = bad.validate().unwrap_err();
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(errors[0].contains("unknown metric \"profit\""));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("windowMinutes must be between 1 and 1440"))
    );
    assert!(errors.iter().any(|e| e.contains("baselineMinutes")));
    assert!(errors.iter().any(|e| e.contains("changePct")));
    assert!(errors.iter().any(|e| e.contains("webhookUrl")));

    for rate in [0.0, 1.5] {
        let r = rule(RuleKind::ScanRejectionSpike {
            window_minutes: 10,
            rejection_rate: rate,
            min_scans: 20,
        });
        assert!(
            r.validate().unwrap_err()[0].contains("rejectionRate"),
            "{rate}"
        );
    }
    assert!(
        rule(RuleKind::ScanRejectionSpike {
            window_minutes: 10,
            rejection_rate: 1.0,
            min_scans: 20
        })
        .validate()
        .is_ok()
    );
    assert!(
        rule(RuleKind::FlowSilent {
            event_type: "ticket-sale".into(),
            minutes: 30
        })
        .validate()
        .is_err()
    );
    let mut no_host = good.clone();
    no_host.webhook_url = Some("https:///path".into());
    assert!(no_host.validate().is_err());
    let mut with_port = good;
    with_port.webhook_url = Some("http://127.0.0.1:8080/hook".into());
    assert!(with_port.validate().is_ok());
}

#[test]
fn rule_json_shape() {
    let r = rule(RuleKind::Threshold {
        metric: "ticketsSold".into(),
        window_minutes: 15,
        op: Op::Gte,
        value: 10.0,
    });
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v["kind"],
        serde_json::json!({"type": "threshold", "metric": "ticketsSold", "windowMinutes": 15, "op": "gte", "value": 10.0})
    );
    assert_eq!(v["webhookUrl"], "https://hooks.example.com/alert");
    let parsed: AlertRule = serde_json::from_value(serde_json::json!({
        "id": "x", "venueId": "v", "name": "n", "enabled": true, "webhookUrl": null,
        "kind": {"type": "scanRejectionSpike", "windowMinutes": 5, "rejectionRate": 0.2, "minScans": 50}
    }))
    .unwrap();
    assert_eq!(
        parsed.kind,
        RuleKind::ScanRejectionSpike {
            window_minutes: 5,
            rejection_rate: 0.2,
            min_scans: 50
        }
    );
}

#[test]
fn threshold_sums_the_window() {
    // Last 3 buckets: 40 + 50 + 20 = 110 > 100; the older 1000 is outside the window.
    let o = obs(&[("revenue", &[1_000.0, 40.0, 50.0, 20.0])]);
    let e = evaluate(
        &rule(RuleKind::Threshold {
            metric: "revenue".into(),
            window_minutes: 3,
            op: Op::Gt,
            value: 100.0,
        }),
        &o,
    );
    assert!(e.condition_met);
    assert_eq!(e.value, Some(110.0));
    let e = evaluate(
        &rule(RuleKind::Threshold {
            metric: "revenue".into(),
            window_minutes: 3,
            op: Op::Lt,
            value: 100.0,
        }),
        &o,
    );
    assert!(!e.condition_met);
}

#[test]
fn sudden_change_against_scaled_baseline() {
    // Baseline: 4 minutes of 10 = 40 → scaled to a 2-minute window: 20.
    // Window: 15 + 15 = 30 → +50%. Threshold 50% → met; 60% → not.
    let o = obs(&[("ticketsSold", &[10.0, 10.0, 10.0, 10.0, 15.0, 15.0])]);
    let kind = |pct| RuleKind::SuddenChange {
        metric: "ticketsSold".into(),
        window_minutes: 2,
        baseline_minutes: 4,
        change_pct: pct,
    };
    let e = evaluate(&rule(kind(50.0)), &o);
    assert!(e.condition_met, "{e:?}");
    assert!((e.value.unwrap() - 50.0).abs() < 1e-9);
    assert!(e.message.contains("up 50.0%"));
    assert!(!evaluate(&rule(kind(60.0)), &o).condition_met);
    // A drop: baseline 20, window 0 → −100%.
    let o = obs(&[("ticketsSold", &[10.0, 10.0, 10.0, 10.0, 0.0, 0.0])]);
    let e = evaluate(&rule(kind(50.0)), &o);
    assert!(e.condition_met && e.message.contains("down"), "{e:?}");
    // No baseline: not met.
    assert!(!evaluate(&rule(kind(50.0)), &obs(&[])).condition_met);
}

#[test]
fn flow_dlq_and_scan_rules() {
    let mut o = obs(&[
        ("scansAdmitted", &[30.0, 40.0]),
        ("scansRejected", &[5.0, 10.0]),
        ("scansDuplicate", &[0.0, 15.0]),
    ]);
    o.flows = vec![
        FlowObs {
            event_type: "ticket-purchase".into(),
            last_event_at: Some(o.now - Duration::minutes(45)),
        },
        FlowObs {
            event_type: "page-view".into(),
            last_event_at: None,
        },
    ];
    o.dlq_depths = BTreeMap::from([("ticket-scan".into(), 3), ("page-view".into(), 0)]);

    let silent = |t: &str, m| {
        evaluate(
            &rule(RuleKind::FlowSilent {
                event_type: t.into(),
                minutes: m,
            }),
            &o,
        )
    };
    assert!(silent("ticket-purchase", 30).condition_met);
    assert_eq!(silent("ticket-purchase", 30).value, Some(45.0));
    assert!(!silent("ticket-purchase", 60).condition_met);
    assert!(silent("page-view", 60).condition_met); // never seen
    assert!(silent("cart-update", 60).message.contains("never"));

    let dlq = |t: Option<&str>| {
        evaluate(
            &rule(RuleKind::DlqNotEmpty {
                event_type: t.map(Into::into),
            }),
            &o,
        )
    };
    assert!(dlq(None).condition_met);
    assert!(dlq(Some("ticket-scan")).condition_met);
    assert!(!dlq(Some("page-view")).condition_met);

    // 2 minutes: admitted 70, refused 5+10+0+15 = 30 → 30/100 = 0.3.
    let spike = |rate, min| {
        evaluate(
            &rule(RuleKind::ScanRejectionSpike {
                window_minutes: 2,
                rejection_rate: rate,
                min_scans: min,
            }),
            &o,
        )
    };
    assert!(spike(0.25, 50).condition_met);
    assert!((spike(0.25, 50).value.unwrap() - 0.3).abs() < 1e-12);
    assert!(!spike(0.35, 50).condition_met);
    assert!(!spike(0.25, 101).condition_met); // too few scans to judge

    let mut disabled = rule(RuleKind::DlqNotEmpty { event_type: None });
    disabled.enabled = false;
    assert!(!evaluate(&disabled, &o).condition_met);
}

#[test]
fn state_machine_transitions_only_on_change() {
    let eval = |met: bool, v: f64| Evaluation {
        rule_id: "r1".into(),
        condition_met: met,
        value: Some(v),
        message: format!("v={v}"),
    };
    let at = |m: i64| t0() + Duration::minutes(m);

    let (s, t) = step(None, &eval(false, 1.0), at(0));
    assert_eq!((s.status, t), (Status::Ok, None));
    let (s, t) = step(Some(&s), &eval(true, 2.0), at(1));
    assert_eq!(s.status, Status::Firing);
    let t = t.expect("fired");
    assert_eq!(
        (t.kind, t.rule_id.as_str(), t.at, t.value),
        (TransitionKind::Fired, "r1", at(1), Some(2.0))
    );
    let (s, t) = step(Some(&s), &eval(true, 3.0), at(2));
    assert_eq!(
        (s.status, s.since, s.last_value, t),
        (Status::Firing, at(1), Some(3.0), None)
    );
    let (s, t) = step(Some(&s), &eval(false, 0.5), at(3));
    assert_eq!((s.status, s.since), (Status::Resolved, at(3)));
    assert_eq!(t.unwrap().kind, TransitionKind::Resolved);
    let (s, t) = step(Some(&s), &eval(false, 0.4), at(4));
    assert_eq!((s.status, s.since, t), (Status::Resolved, at(3), None));
    let (s, t) = step(Some(&s), &eval(true, 9.0), at(5));
    assert_eq!(
        (s.status, t.map(|t| t.kind)),
        (Status::Firing, Some(TransitionKind::Fired))
    );
    // Fires straight away for a rule without state.
    let (s, t) = step(None, &eval(true, 9.0), at(6));
    assert_eq!(
        (s.status, s.rule_id.as_str(), t.map(|t| t.kind)),
        (Status::Firing, "r1", Some(TransitionKind::Fired))
    );
}

#[test]
fn pacing_fires_only_within_reach_and_only_when_far_enough_behind() {
    let show = |id: &str, days: i64, tickets: i64, median: Option<f64>| PacingObs {
        event_id: id.into(),
        name: format!("Show {id}"),
        days_before: days,
        tickets,
        median,
    };
    let kind = |event_id: Option<&str>| RuleKind::PacingBehind {
        event_id: event_id.map(str::to_owned),
        days_before: 30,
        behind_pct: 20.0,
    };
    let mut o = obs(&[]);
    // 25% behind, 10 days out: fires, naming the show and the numbers.
    o.pacing = vec![
        show("a", 10, 150, Some(200.0)),
        show("b", 45, 0, Some(500.0)),
    ];
    let e = evaluate(&rule(kind(None)), &o);
    assert!(e.condition_met, "{e:?}");
    assert_eq!(e.value, Some(25.0));
    assert!(
        e.message.contains("Show a") && e.message.contains("10 days out"),
        "{}",
        e.message
    );
    // Show b is 100% behind but 45 days out: beyond the rule's reach.
    let e = evaluate(&rule(kind(Some("b"))), &o);
    assert!(!e.condition_met, "{e:?}");
    // 19% behind is not 20%; ahead is never behind; no earlier show, no verdict.
    o.pacing = vec![
        show("a", 10, 162, Some(200.0)),
        show("c", 3, 300, Some(200.0)),
        show("d", 1, 0, None),
    ];
    let e = evaluate(&rule(kind(None)), &o);
    assert!(!e.condition_met, "{e:?}");
    assert_eq!(e.value, Some(19.0));
    let bad = rule(RuleKind::PacingBehind {
        event_id: Some(" ".into()),
        days_before: 401,
        behind_pct: 0.0,
    });
    assert_eq!(bad.validate().unwrap_err().len(), 3);
}
