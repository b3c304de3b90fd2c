//! The plain-body reader must never change a decision: for any body, plain
//! or not, `decode` must answer exactly what the serde path answers.

use proptest::prelude::*;

use super::*;

const PURCHASE: &str = include_str!("../../../../events/cloudevents/ticket-purchase.json");
const SCAN: &str = include_str!("../../../../events/cloudevents/ticket-scan.json");
const VIEW: &str = include_str!("../../../../events/cloudevents/page-view.json");
const CART: &str = include_str!("../../../../events/cloudevents/cart-update.json");
const VENUE: &str = include_str!("../../../../events/cloudevents/venue-update.json");
const REFUND: &str = include_str!("../../../../events/cloudevents/ticket-refund.json");

fn now() -> DateTime<Utc> {
    "2026-11-28T20:00:00Z".parse().unwrap()
}

#[test]
fn plain_fixtures_take_the_plain_path_and_agree_with_serde() {
    for (queue, body) in [
        (EventType::TicketPurchase, PURCHASE),
        (EventType::TicketScan, SCAN),
        (EventType::PageView, VIEW),
        (EventType::CartUpdate, CART),
    ] {
        assert!(plain_body::read(queue, body).is_some(), "{queue}");
        let plain = decode(queue, body, now());
        assert!(plain.is_ok(), "{queue}: {plain:?}");
        assert_eq!(plain, decode_with_serde(queue, body, now()), "{queue}");
    }
    assert!(plain_body::read(EventType::VenueUpdate, VENUE).is_none());
    assert!(decode(EventType::VenueUpdate, VENUE, now()).is_ok());
    assert!(decode(EventType::TicketRefund, REFUND, now()).is_ok());
}

#[test]
fn blank_means_what_trim_means() {
    for value in [
        "",
        " ",
        "\t\n",
        "\u{2003}",
        "\u{2003}x",
        "x",
        "~",
        " x",
        "é",
    ] {
        assert_eq!(is_blank(value), value.trim().is_empty(), "{value:?}");
    }
}

#[test]
fn unusual_json_is_left_to_serde() {
    let escaped = PURCHASE.replace("user-42", r"user-\u0034\u0032");
    let spaced = PURCHASE
        .replace(r#"",""#, "\" ,\n\t\"")
        .replace(r#"":"#, "\" : ");
    let extension = PURCHASE.replacen('{', r#"{"traceparent":"00-ab-cd-01","#, 1);
    let duplicate = PURCHASE.replacen('{', r#"{"id":"first","#, 1);
    let float = PURCHASE.replace(r#""amount":9000"#, r#""amount":9000.0"#);
    let nested = PURCHASE.replacen('{', r#"{"ext":{"a":1},"#, 1);
    let null_data = r#"{"specversion":"1.0","id":"x","source":"s","type":"ticket-scan","time":"2026-11-28T19:31:05Z","data":null}"#;
    for (body, plain) in [
        (escaped.as_str(), false),
        (spaced.as_str(), true),
        (extension.as_str(), true),
        (duplicate.as_str(), false),
        (float.as_str(), false),
        (nested.as_str(), false),
    ] {
        let queue = EventType::TicketPurchase;
        assert_eq!(plain_body::read(queue, body).is_some(), plain, "{body}");
        assert_eq!(
            decode(queue, body, now()),
            decode_with_serde(queue, body, now()),
            "{body}"
        );
    }
    assert!(plain_body::read(EventType::TicketScan, null_data).is_none());
    let escaped = decode(EventType::TicketPurchase, &escaped, now()).unwrap();
    let EventData::TicketPurchase(p) = escaped.data else {
        panic!("a purchase")
    };
    assert_eq!(p.user_id, "user-42");
}

/// Instants around `now`, leap seconds included.
fn instant_near(now: DateTime<Utc>) -> impl Strategy<Value = DateTime<Utc>> {
    let day: i64 = 86_400;
    (
        prop_oneof![
            -401 * day..-399 * day,
            -1000i64..1000,
            800i64..1000,
            -600 * day..600 * day
        ],
        prop_oneof![
            Just(0u32),
            Just(999_999_999),
            0u32..1_000_000_000,
            1_000_000_000u32..2_000_000_000
        ],
    )
        .prop_filter_map("a valid instant", move |(secs, nanos)| {
            let t: i64 = now.timestamp() + secs;
            // Leap seconds only exist at the end of a minute.
            let t = if nanos >= 1_000_000_000 {
                t - t.rem_euclid(60) + 59
            } else {
                t
            };
            DateTime::from_timestamp(t, nanos)
        })
}

proptest! {
    #[test]
    fn the_time_window_matches_chrono_arithmetic(
        (now, time) in instant_near(now()).prop_flat_map(|now| (Just(now), instant_near(now))),
    ) {
        let expected = if time > now + MAX_FUTURE_SKEW {
            Ordering::Greater
        } else if time < now - MAX_EVENT_AGE {
            Ordering::Less
        } else {
            Ordering::Equal
        };
        prop_assert_eq!(window_position(time, now), expected);
    }
}

#[test]
fn the_time_window_includes_its_bounds() {
    let now = now();
    let ns = Duration::nanoseconds(1);
    let position = |time| window_position(time, now);
    assert_eq!(position(now + MAX_FUTURE_SKEW), Ordering::Equal);
    assert_eq!(position(now + MAX_FUTURE_SKEW + ns), Ordering::Greater);
    assert_eq!(position(now - MAX_EVENT_AGE), Ordering::Equal);
    assert_eq!(position(now - MAX_EVENT_AGE - ns), Ordering::Less);
    let far = DateTime::<Utc>::MAX_UTC - Duration::days(1);
    assert_eq!(window_position(far, far), Ordering::Equal);
    assert_eq!(
        window_position(DateTime::<Utc>::MIN_UTC, far),
        Ordering::Less
    );
}

fn plain_text() -> BoxedStrategy<String> {
    "[a-zA-Z0-9 _./-]{0,10}"
        .prop_map(|s| format!("\"{s}\""))
        .boxed()
}

/// Any JSON value or near-JSON text, biased to the cases readers get wrong.
fn odd_value() -> BoxedStrategy<String> {
    prop_oneof![
        plain_text(),
        Just(r#""""#.to_owned()),
        Just(r#""   ""#.to_owned()),
        Just("\"\u{2003}x\"".to_owned()),
        Just("\"é-ü\"".to_owned()),
        Just("\"a\tb\"".to_owned()),
        "[a-z]{0,4}".prop_map(|s| format!(r#""{s}\n\u0041\/""#)),
        prop::sample::select(vec![
            "0",
            "1",
            "2",
            "9000",
            "-5",
            "-0",
            "01",
            "1.5",
            "2.0",
            "1e3",
            "4294967295",
            "4294967296",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551616",
            "null",
            "nul",
            "true",
            "false",
            "{}",
            "[]",
            r#"{"a":[1,{"b":null}]}"#,
            "[1,2]",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// Mostly a value of the expected kind, sometimes anything.
fn value(expected: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![60 => expected, 1 => odd_value()].boxed()
}

/// The first choice half of the time (the valid one), else any.
fn texts(choices: &[&str]) -> BoxedStrategy<String> {
    numbers(
        &choices
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>(),
    )
}

fn numbers<S: AsRef<str>>(choices: &[S]) -> BoxedStrategy<String> {
    let choices: Vec<String> = choices.iter().map(|c| c.as_ref().to_owned()).collect();
    prop_oneof![Just(choices[0].clone()), prop::sample::select(choices)].boxed()
}

fn optional(expected: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![4 => expected, 1 => Just("null".to_owned())].boxed()
}

type Members = Vec<(String, String)>;

/// A known field: usually once, sometimes missing, rarely twice.
fn field(key: &'static str, value: BoxedStrategy<String>) -> BoxedStrategy<Members> {
    prop_oneof![
        100 => value.clone().prop_map(move |v| vec![(key.to_owned(), v)]),
        1 => Just(Vec::new()),
        1 => (value.clone(), value).prop_map(move |(a, b)| vec![(key.to_owned(), a), (key.to_owned(), b)]),
    ]
    .boxed()
}

/// An object of `fields` plus the odd unknown member, in any order and spacing.
fn object(fields: Vec<BoxedStrategy<Members>>) -> BoxedStrategy<String> {
    let unknown_member = (
        prop::sample::select(vec!["traceparent", "subject", "x", "Amount", "orderid"]),
        prop_oneof![4 => plain_text(), 1 => odd_value()],
    );
    let unknown = prop_oneof![
        4 => Just(Vec::new()),
        1 => prop::collection::vec(unknown_member, 1..=2),
    ];
    let spacing = prop::sample::select(vec!["", "", "", " ", "\n\t", "\r\n  "]);
    (fields, unknown, spacing)
        .prop_map(|(fields, unknown, ws)| {
            let mut members: Members = fields.into_iter().flatten().collect();
            members.extend(unknown.into_iter().map(|(k, v)| (k.to_owned(), v)));
            (members, ws)
        })
        .prop_flat_map(|(members, ws)| (Just(members).prop_shuffle(), Just(ws)))
        .prop_map(|(members, ws)| {
            let inner: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{ws}\"{k}\"{ws}:{ws}{v}{ws}"))
                .collect();
            format!("{{{}}}", inner.join(","))
        })
        .boxed()
}

fn ids() -> BoxedStrategy<String> {
    prop_oneof![
        8 => prop::sample::select(vec!["venue-riverside", "show-2026-11-28", "user-42", "VIP", "North Gate"]).prop_map(|s| format!("\"{s}\"")),
        1 => plain_text(),
    ]
    .boxed()
}

fn amounts() -> BoxedStrategy<String> {
    numbers(&["0", "9000", "4500", "1", "-1", "9223372036854775807"])
}

fn quantities() -> BoxedStrategy<String> {
    numbers(&["1", "2", "0", "10000", "10001", "4294967295", "4294967296"])
}

fn currencies() -> BoxedStrategy<String> {
    texts(&["USD", "EUR", "usd", "US", "USDX"])
}

fn purchase() -> BoxedStrategy<String> {
    object(vec![
        field("orderId", value(ids())),
        field("ticketId", value(ids())),
        field("eventId", value(ids())),
        field("venueId", value(ids())),
        field("userId", value(ids())),
        field("amount", value(amounts())),
        field("currency", value(currencies())),
        field("quantity", value(quantities())),
        field("tier", value(optional(ids()))),
        field("channel", value(optional(ids()))),
        field("campaignId", value(optional(ids()))),
        field(
            "showStartsAt",
            value(
                prop_oneof![
                    3 => Just("null".to_owned()),
                    1 => texts(&["2026-11-29T01:00:00Z", "2026-11-29T01:00:00"]),
                ]
                .boxed(),
            ),
        ),
    ])
}

fn scan() -> BoxedStrategy<String> {
    object(vec![
        field("ticketId", value(ids())),
        field("eventId", value(ids())),
        field("venueId", value(ids())),
        field("entryPoint", value(ids())),
        field(
            "result",
            value(texts(&["admitted", "rejected", "duplicate", "Admitted"])),
        ),
    ])
}

fn view() -> BoxedStrategy<String> {
    object(vec![
        field("sessionId", value(ids())),
        field("path", value(ids())),
        field("userId", value(optional(ids()))),
        field("venueId", value(optional(ids()))),
        field("eventId", value(optional(ids()))),
        field("referrer", value(optional(ids()))),
        field("campaignId", value(optional(ids()))),
    ])
}

fn cart() -> BoxedStrategy<String> {
    let item = object(vec![
        field("tier", value(ids())),
        field("quantity", value(quantities())),
        field("unitAmount", value(amounts())),
    ]);
    let items =
        prop::collection::vec(item, 0..=3).prop_map(|items| format!("[{}]", items.join(",")));
    object(vec![
        field("cartId", value(ids())),
        field("userId", value(ids())),
        field("eventId", value(ids())),
        field("venueId", value(ids())),
        field(
            "action",
            value(texts(&["add", "remove", "checkout", "abandon", "clear"])),
        ),
        field("items", value(items.boxed())),
        field("cartValue", value(amounts())),
        field("currency", value(currencies())),
    ])
}

fn refund() -> BoxedStrategy<String> {
    object(vec![
        field("orderId", value(ids())),
        field("eventId", value(ids())),
        field("venueId", value(ids())),
        field("userId", value(ids())),
        field("amount", value(amounts())),
        field("currency", value(currencies())),
        field("quantity", value(quantities())),
        field(
            "reason",
            value(texts(&["refund", "cancellation", "chargeback", "dispute"])),
        ),
        field(
            "status",
            value(optional(texts(&["opened", "won", "lost", "pending"]))),
        ),
    ])
}

fn body(queue: EventType) -> BoxedStrategy<String> {
    let data = match queue {
        EventType::TicketRefund => refund(),
        EventType::TicketPurchase => purchase(),
        EventType::TicketScan => scan(),
        EventType::PageView => view(),
        EventType::CartUpdate => cart(),
        EventType::VenueUpdate => Just(
            VENUE.trim_end()[VENUE.find(r#""data":"#).unwrap() + 7..VENUE.trim_end().len() - 1]
                .to_owned(),
        )
        .boxed(),
    };
    let types: Vec<String> = EventType::ALL
        .iter()
        .map(|t| format!("\"{t}\""))
        .chain([r#""ticket-transfer""#.to_owned()])
        .collect();
    let own_type = format!("\"{queue}\"");
    object(vec![
        field("specversion", value(texts(&["1.0", "0.3"]))),
        field("id", value(ids())),
        field("source", value(ids())),
        field(
            "type",
            value(prop_oneof![4 => Just(own_type), 1 => prop::sample::select(types)].boxed()),
        ),
        field(
            "time",
            value(texts(&[
                "2026-11-28T19:31:05Z",
                "2026-11-28T19:31:05.123+01:00",
                "2026-11-28T20:31:05Z",
                "2024-01-01T00:00:00Z",
                "2026-11-28 19:31:05z",
                "2026-11-28T19:31:60Z",
                "2026-11-28T19:31:05",
            ])),
        ),
        field(
            "datacontenttype",
            value(optional(texts(&[
                "application/json",
                "application/json; charset=utf-8",
                "text/plain",
            ]))),
        ),
        field("data", value(data)),
    ])
}

/// A body, sometimes cut short or with a stray byte.
fn damaged(body: String, cut: prop::sample::Index, kind: u8) -> String {
    let at = cut.index(body.len() + 1);
    let at = (0..=at)
        .rev()
        .find(|&i| body.is_char_boundary(i))
        .unwrap_or(0);
    match kind {
        0 => body[..at].to_owned(),
        1 => format!("{}]{}", &body[..at], &body[at..]),
        2 => format!("{body} x"),
        _ => body,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn decode_agrees_with_the_serde_path(
        (queue, body) in prop::sample::select(EventType::ALL.to_vec())
            .prop_flat_map(|q| (Just(q), body(q))),
        cut in any::<prop::sample::Index>(),
        kind in prop_oneof![20 => Just(9u8), 1 => 0u8..3],
    ) {
        let body = damaged(body, cut, kind);
        prop_assert_eq!(
            decode(queue, &body, now()),
            decode_with_serde(queue, &body, now()),
            "{}", body
        );
    }
}
