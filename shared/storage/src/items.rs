//! Small helpers for DynamoDB attribute values.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn get_s<'a>(item: &'a Item, k: &str) -> Option<&'a str> {
    item.get(k).and_then(|v| v.as_s().ok()).map(String::as_str)
}

pub fn get_i64(item: &Item, k: &str) -> Option<i64> {
    item.get(k).and_then(|v| v.as_n().ok()).and_then(|n| {
        n.parse::<i64>()
            .ok()
            .or_else(|| n.parse::<f64>().ok().map(|f| f as i64))
    })
}

pub fn get_f64(item: &Item, k: &str) -> Option<f64> {
    item.get(k)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

pub fn get_time(item: &Item, k: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    get_s(item, k).and_then(|t| t.parse().ok())
}

/// Builds `ADD`/`SET` update expressions with placeholder names and values.
#[derive(Default)]
pub struct UpdateBuilder {
    adds: Vec<String>,
    sets: Vec<String>,
    conditions: Vec<String>,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

impl UpdateBuilder {
    fn placeholder(&mut self, attr: &str, value: AttributeValue) -> (String, String) {
        let i = self.names.len();
        let (name, val) = (format!("#a{i}"), format!(":v{i}"));
        self.names.insert(name.clone(), attr.to_owned());
        self.values.insert(val.clone(), value);
        (name, val)
    }

    pub fn add(&mut self, attr: &str, delta: impl ToString) -> &mut Self {
        let (name, val) = self.placeholder(attr, n(delta));
        self.adds.push(format!("{name} {val}"));
        self
    }

    pub fn set(&mut self, attr: &str, value: AttributeValue) -> &mut Self {
        let (name, val) = self.placeholder(attr, value);
        self.sets.push(format!("{name} = {val}"));
        self
    }

    pub fn set_if_absent(&mut self, attr: &str, value: AttributeValue) -> &mut Self {
        let (name, val) = self.placeholder(attr, value);
        self.sets
            .push(format!("{name} = if_not_exists({name}, {val})"));
        self
    }

    /// `SET attr = value` on the condition that `attr` is absent or `stored {cmp} value`
    /// (`cmp` is `<=` to raise a maximum, `>=` to lower a minimum).
    pub fn set_guarded(&mut self, attr: &str, value: AttributeValue, cmp: &str) -> &mut Self {
        let (name, val) = self.placeholder(attr, value);
        self.sets.push(format!("{name} = {val}"));
        self.conditions.push(format!(
            "(attribute_not_exists({name}) OR {name} {cmp} {val})"
        ));
        self
    }

    /// `SET attr = if_not_exists(attr, value)` on the condition that `attr`
    /// is absent or `stored {cmp} value`.
    pub fn set_if_absent_guarded(
        &mut self,
        attr: &str,
        value: AttributeValue,
        cmp: &str,
    ) -> &mut Self {
        let (name, val) = self.placeholder(attr, value);
        self.sets
            .push(format!("{name} = if_not_exists({name}, {val})"));
        self.conditions.push(format!(
            "(attribute_not_exists({name}) OR {name} {cmp} {val})"
        ));
        self
    }

    /// The placeholder of `attr`, the same one each time it is asked for.
    pub fn name(&mut self, attr: &str) -> String {
        if let Some((k, _)) = self.names.iter().find(|(_, v)| *v == attr) {
            return k.clone();
        }
        let name = format!("#a{}", self.names.len());
        self.names.insert(name.clone(), attr.to_owned());
        name
    }

    /// A placeholder for a value the conditions use.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let val = format!(":c{}", self.values.len());
        self.values.insert(val.clone(), value);
        val
    }

    /// One more condition, joined to the guards with `AND` (placeholders from
    /// [`UpdateBuilder::name`] and [`UpdateBuilder::value`]).
    pub fn require(&mut self, condition: String) -> &mut Self {
        self.conditions.push(condition);
        self
    }

    /// The guards of the `set_*guarded` calls, joined with `AND`.
    pub fn condition(&self) -> Option<String> {
        (!self.conditions.is_empty()).then(|| self.conditions.join(" AND "))
    }

    pub fn expression(&self) -> String {
        let mut parts = Vec::new();
        if !self.adds.is_empty() {
            parts.push(format!("ADD {}", self.adds.join(", ")));
        }
        if !self.sets.is_empty() {
            parts.push(format!("SET {}", self.sets.join(", ")));
        }
        parts.join(" ")
    }
}

/// DynamoDB's billed size of a value: strings and binaries by length, numbers
/// by about one byte per two digits plus one.
pub fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::L(l) => 3 + l.iter().map(|x| 1 + value_size(x)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, x)| 1 + k.len() + value_size(x))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// Billed size of a whole item.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}
