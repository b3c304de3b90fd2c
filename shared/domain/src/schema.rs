//! JSON Schemas of the event contract, generated from the Rust types so the
//! committed files in `events/schemas/` cannot drift from the code.

use schemars::{JsonSchema, schema_for};

use crate::event::{
    CartUpdate, CloudEvent, EventType, PageView, TicketPurchase, TicketRefund, TicketScan,
    VenueUpdate,
};

/// Properties that are ids ([`crate::ids`]): their schema carries the grammar.
const ID_PROPERTIES: [&str; 9] = [
    "id",
    "source",
    "venueId",
    "eventId",
    "userId",
    "sessionId",
    "orderId",
    "ticketId",
    "cartId",
];

/// Adds the id grammar (pattern + maxLength) to every id property, at any depth.
fn constrain_ids(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(obj) => {
            if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
                for (name, prop) in props.iter_mut() {
                    if ID_PROPERTIES.contains(&name.as_str())
                        && let Some(p) = prop.as_object_mut()
                    {
                        p.insert("pattern".into(), crate::ids::ID_PATTERN.into());
                        p.insert("minLength".into(), 1.into());
                        p.insert("maxLength".into(), crate::ids::MAX_ID_CHARS.into());
                    }
                }
            }
            for v in obj.values_mut() {
                constrain_ids(v);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(constrain_ids),
        _ => {}
    }
}

fn schema_of<D: JsonSchema>(event_type: EventType) -> serde_json::Value {
    let mut schema = serde_json::to_value(schema_for!(CloudEvent<D>)).unwrap_or_default();
    constrain_ids(&mut schema);
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "title".into(),
            format!("{event_type} CloudEvent (v1)").into(),
        );
        obj.insert(
            "$id".into(),
            format!("https://venue-analytics.dev/schemas/{event_type}.schema.json").into(),
        );
        // Pin `type` to this event type.
        if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
            props.insert(
                "type".into(),
                serde_json::json!({ "const": event_type.as_str() }),
            );
            props.insert("specversion".into(), serde_json::json!({ "const": "1.0" }));
        }
    }
    schema
}

/// The schema of each event type's CloudEvent, with its file name.
pub fn all() -> Vec<(String, serde_json::Value)> {
    EventType::ALL
        .into_iter()
        .map(|t| {
            let schema = match t {
                EventType::TicketPurchase => schema_of::<TicketPurchase<'static>>(t),
                EventType::TicketScan => schema_of::<TicketScan<'static>>(t),
                EventType::PageView => schema_of::<PageView<'static>>(t),
                EventType::CartUpdate => schema_of::<CartUpdate<'static>>(t),
                EventType::VenueUpdate => schema_of::<VenueUpdate<'static>>(t),
                EventType::TicketRefund => schema_of::<TicketRefund<'static>>(t),
            };
            (format!("{t}.schema.json"), schema)
        })
        .collect()
}

/// Pretty JSON with a trailing newline, as committed.
pub fn render(schema: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}
