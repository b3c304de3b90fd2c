//! Reads of rollups, venues, flows and customers for the API and reports.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::ports::{
    AnalyticsReader, CustomerPage, CustomerRow, FlowRecord, RollupRow, ShowRecord, StoreError,
    StoreResult, VenueRecord,
};
use domain::rollup::parse_breakdown_attr;
use domain::totals::DEFAULT_CURRENCY;
use domain::{EventType, Granularity, Metric};

use crate::config::Names;
use crate::dedupe_tokens;
use crate::error::classify;
use crate::items::{Item, get_f64, get_i64, get_s, get_time, n, s};
use crate::keys;

#[derive(Clone)]
pub struct DynamoReader {
    client: aws_sdk_dynamodb::Client,
    names: Names,
}

impl DynamoReader {
    /// One customer item as stored (a consistent read when `consistent`).
    async fn customer_item(
        &self,
        venue: &str,
        customer: &str,
        consistent: bool,
    ) -> StoreResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.names.customers)
            .key("pk", s(venue))
            .key("sk", s(customer))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(|e| classify("get customer", e))?;
        Ok(out.item)
    }

    pub fn new(client: aws_sdk_dynamodb::Client, names: Names) -> Self {
        DynamoReader { client, names }
    }

    async fn query_all(
        &self,
        table: &str,
        pk: &str,
        sk_range: Option<(String, String)>,
    ) -> StoreResult<Vec<Item>> {
        let mut q = self
            .client
            .query()
            .table_name(table)
            .expression_attribute_values(":pk", s(pk));
        q = match sk_range {
            Some((lo, hi)) => q
                .key_condition_expression("pk = :pk AND sk BETWEEN :lo AND :hi")
                .expression_attribute_values(":lo", s(lo))
                .expression_attribute_values(":hi", s(hi)),
            None => q.key_condition_expression("pk = :pk"),
        };
        let mut pages = q.into_paginator().items().send();
        let mut out = Vec::new();
        while let Some(item) = pages.next().await {
            out.push(item.map_err(|e| classify("query", e))?);
        }
        Ok(out)
    }
}

fn venue_from_items(venue: &str, items: &[Item]) -> Option<VenueRecord> {
    let meta = items
        .iter()
        .find(|i| get_s(i, "sk") == Some(keys::VENUE_META_SK));
    let mut shows: Vec<ShowRecord> = items
        .iter()
        .filter_map(|i| {
            let show = get_s(i, "sk")?.strip_prefix("show#")?;
            Some(ShowRecord {
                event_id: show.to_owned(),
                name: get_s(i, "name").unwrap_or(show).to_owned(),
                starts_at: get_time(i, "startsAt")?,
                capacity: get_i64(i, "capacity").and_then(|c| u32::try_from(c).ok()),
                on_sale_at: get_time(i, "onSaleAt"),
            })
        })
        .collect();
    if meta.is_none() && shows.is_empty() {
        return None;
    }
    shows.sort_by_key(|a| a.starts_at);
    Some(VenueRecord {
        venue_id: venue.to_owned(),
        name: meta.and_then(|m| get_s(m, "name")).map(str::to_owned),
        timezone: meta.and_then(|m| get_s(m, "timezone")).map(str::to_owned),
        capacity: meta
            .and_then(|m| get_i64(m, "capacity"))
            .and_then(|c| u32::try_from(c).ok()),
        currency: meta.and_then(|m| get_s(m, "currency")).map(str::to_owned),
        shows,
    })
}

fn customer_from_item(item: &Item) -> Option<CustomerRow> {
    let mut weekday = [0u32; 7];
    let mut hour = [0u32; 24];
    for (i, w) in weekday.iter_mut().enumerate() {
        *w = get_i64(item, &format!("wd{i}"))
            .unwrap_or(0)
            .try_into()
            .unwrap_or(0);
    }
    for (i, h) in hour.iter_mut().enumerate() {
        *h = get_i64(item, &format!("h{i}"))
            .unwrap_or(0)
            .try_into()
            .unwrap_or(0);
    }
    let tiers = item
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.strip_prefix("tier#")?.to_owned(),
                v.as_n().ok()?.parse().ok()?,
            ))
        })
        .collect();
    let total = get_i64(item, "spend").unwrap_or(0);
    let mut spend_by_currency: BTreeMap<String, i64> = item
        .iter()
        .filter_map(|(k, v)| {
            Some((
                keys::parse_spend_attr(k)?.to_owned(),
                v.as_n().ok()?.parse().ok()?,
            ))
        })
        .collect();
    // Spend written before it was kept per currency is in the item's currency.
    let rest = total - spend_by_currency.values().sum::<i64>();
    let stored_currency = get_s(item, "currency").unwrap_or(DEFAULT_CURRENCY);
    if rest != 0 {
        *spend_by_currency
            .entry(stored_currency.to_owned())
            .or_default() += rest;
    }
    let (currency, spend) = spend_by_currency
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map_or((get_s(item, "currency").map(str::to_owned), 0), |(c, s)| {
            (Some(c.clone()), *s)
        });
    Some(CustomerRow {
        venue_id: get_s(item, "pk")?.to_owned(),
        customer_id: get_s(item, "sk")?.to_owned(),
        spend,
        spend_by_currency,
        // An item without orders is an erased customer's dedupe state.
        orders: get_i64(item, dedupe_tokens::ORDERS)?,
        tickets: get_i64(item, "tickets").unwrap_or(0),
        currency,
        first_purchase_at: get_time(item, "firstPurchaseAt"),
        last_purchase_at: get_time(item, "lastPurchaseAt"),
        weekday,
        hour,
        lead_hours_sum: get_f64(item, "leadHoursSum").unwrap_or(0.0),
        lead_count: get_i64(item, "leadCount")
            .unwrap_or(0)
            .try_into()
            .unwrap_or(0),
        tiers,
        insight: get_s(item, "insight").and_then(|j| serde_json::from_str(j).ok()),
    })
}

/// Sums the shards of each bucket into one row. A counter that is not an
/// integer, or a sum past `i64`, is an error: a total is never silently short.
pub fn rows_from_items(items: &[Item]) -> StoreResult<Vec<RollupRow>> {
    let mut rows: BTreeMap<i64, RollupRow> = BTreeMap::new();
    for item in items {
        let Some(bucket) = get_s(item, "sk").and_then(keys::parse_rollup_sk) else {
            continue;
        };
        let row = rows.entry(bucket).or_insert_with(|| RollupRow {
            bucket,
            ..RollupRow::default()
        });
        if row.currency.is_none() {
            row.currency = get_s(item, "currency").map(str::to_owned);
        }
        for (attr, v) in item {
            let counter = match attr.parse::<Metric>() {
                Ok(m) => Some((m, None)),
                Err(_) => parse_breakdown_attr(attr).map(|(m, d, value)| (m, Some((d, value)))),
            };
            let Some((m, breakdown)) = counter else {
                continue;
            };
            let bad = |why: &str| {
                StoreError::Permanent(format!("rollup item {bucket}: counter {attr:?} {why}"))
            };
            let num: i64 = v
                .as_n()
                .map_err(|_| bad("is not a number"))?
                .parse()
                .map_err(|_| bad("is not an integer in i64"))?;
            let slot = match breakdown {
                None => row.base.entry(m).or_default(),
                Some((d, value)) => {
                    let at = match row
                        .breakdowns
                        .iter()
                        .position(|b| b.0 == m && b.1 == d && b.2 == value)
                    {
                        Some(i) => i,
                        None => {
                            row.breakdowns.push((m, d, value.to_owned(), 0));
                            row.breakdowns.len() - 1
                        }
                    };
                    &mut row.breakdowns[at].3
                }
            };
            *slot = slot
                .checked_add(num)
                .ok_or_else(|| bad("overflows i64 summed over shards"))?;
        }
    }
    Ok(rows.into_values().collect())
}

#[async_trait]
impl AnalyticsReader for DynamoReader {
    async fn rollups(
        &self,
        venue: &str,
        show: Option<&str>,
        granularity: Granularity,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<RollupRow>> {
        if to <= from {
            return Ok(Vec::new());
        }
        let items = self
            .query_all(
                &self.names.rollups,
                &keys::rollup_pk(venue, show, granularity),
                Some(keys::rollup_sk_range(from, to)),
            )
            .await?;
        rows_from_items(&items)
    }

    async fn venue(&self, venue: &str) -> StoreResult<Option<VenueRecord>> {
        let items = self.query_all(&self.names.venues, venue, None).await?;
        Ok(venue_from_items(venue, &items))
    }

    async fn venues(&self) -> StoreResult<Vec<VenueRecord>> {
        let mut pages = self
            .client
            .scan()
            .table_name(&self.names.venues)
            .into_paginator()
            .items()
            .send();
        let mut by_venue: BTreeMap<String, Vec<Item>> = BTreeMap::new();
        while let Some(item) = pages.next().await {
            let item = item.map_err(|e| classify("scan venues", e))?;
            if let Some(pk) = get_s(&item, "pk") {
                by_venue.entry(pk.to_owned()).or_default().push(item);
            }
        }
        Ok(by_venue
            .iter()
            .filter_map(|(v, items)| venue_from_items(v, items))
            .collect())
    }

    /// Two queries, whatever the number of flows: the records (one item per
    /// flow and shard) and the last hour's arrival buckets of every flow.
    async fn flows(&self, now: DateTime<Utc>) -> StoreResult<Vec<FlowRecord>> {
        let hour_ago = (now - Duration::hours(1)).timestamp();
        let (records, arrivals) = tokio::try_join!(
            self.query_all(&self.names.flows, keys::FLOW_PK, None),
            self.query_all(
                &self.names.flows,
                keys::ARRIVALS_PK,
                Some(keys::arrival_sk_range(hour_ago, now.timestamp())),
            ),
        )?;
        let mut flows: BTreeMap<(EventType, String), FlowRecord> = BTreeMap::new();
        for item in &records {
            let (Some(t), Some(source)) = (
                get_s(item, "eventType").and_then(|t| t.parse::<EventType>().ok()),
                get_s(item, "source"),
            ) else {
                continue;
            };
            let flow = flows
                .entry((t, source.to_owned()))
                .or_insert_with(|| FlowRecord {
                    event_type: t,
                    source: source.to_owned(),
                    last_event_at: None,
                    total: 0,
                    rejected: 0,
                    events_last_hour: 0,
                });
            flow.total += get_i64(item, "total").unwrap_or(0);
            flow.rejected += get_i64(item, "rejected").unwrap_or(0);
            flow.last_event_at = flow.last_event_at.max(get_time(item, "lastEventAt"));
        }
        // Buckets overlapping the hour; the oldest one may be partly outside it.
        for item in &arrivals {
            let Some((t, source)) = get_s(item, "sk").and_then(keys::parse_arrival_sk) else {
                continue;
            };
            if let Some(flow) = flows.get_mut(&(t, source.to_owned())) {
                flow.events_last_hour += get_i64(item, "count").unwrap_or(0);
            }
        }
        Ok(flows.into_values().collect())
    }

    async fn customers(&self, venue: &str) -> StoreResult<Vec<CustomerRow>> {
        let items = self.query_all(&self.names.customers, venue, None).await?;
        Ok(items.iter().filter_map(customer_from_item).collect())
    }

    /// Queries of at most `limit` items (the 1 MB page cap may split one), by sort key.
    async fn customers_page(
        &self,
        venue: &str,
        limit: usize,
        after: Option<&str>,
    ) -> StoreResult<CustomerPage> {
        let mut rows = Vec::new();
        let mut start =
            after.map(|a| HashMap::from([("pk".to_owned(), s(venue)), ("sk".to_owned(), s(a))]));
        let mut next = None;
        while rows.len() < limit {
            let out = self
                .client
                .query()
                .table_name(&self.names.customers)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(venue))
                .limit(i32::try_from(limit - rows.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| classify("query customers", e))?;
            rows.extend(out.items().iter().filter_map(customer_from_item));
            match out.last_evaluated_key() {
                Some(key) if !key.is_empty() => {
                    next = key.get("sk").and_then(|v| v.as_s().ok()).cloned();
                    start = Some(key.clone());
                }
                _ => {
                    next = None;
                    break;
                }
            }
        }
        Ok(CustomerPage { rows, next })
    }

    async fn customer(&self, venue: &str, customer: &str) -> StoreResult<Option<CustomerRow>> {
        let item = self.customer_item(venue, customer, false).await?;
        Ok(item.as_ref().and_then(customer_from_item))
    }

    /// Replaces the item with its dedupe state only (`dedupe_tokens`:
    /// tokens, their count, `markersUntil` — no personal data), so a
    /// redelivered purchase of the erased customer is still known. The put is
    /// conditional on that state being unchanged since it was read.
    async fn erase_customer(&self, venue: &str, customer: &str) -> StoreResult<bool> {
        for _ in 0..5 {
            let Some(item) = self.customer_item(venue, customer, true).await? else {
                return Ok(false);
            };
            let existed = item.contains_key(dedupe_tokens::ORDERS);
            let state = dedupe_tokens::DedupeState::from_item(&item);
            let mut kept: Item = item
                .iter()
                .filter(|(k, _)| {
                    matches!(k.as_str(), "pk" | "sk") || dedupe_tokens::is_dedupe_attr(k)
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if state.legacy {
                // Its events' markers may exist: it stays in marker mode as long as they do.
                kept.insert(
                    dedupe_tokens::MARKERS_UNTIL.into(),
                    n((Utc::now() + crate::ingest::DEDUPE_RETENTION).timestamp()),
                );
            }
            kept.insert("erasedAt".into(), s(Utc::now().to_rfc3339()));
            // Each of these as read: equal to the value, or still absent.
            let mut unchanged = Vec::new();
            let mut put = self
                .client
                .put_item()
                .table_name(&self.names.customers)
                .set_item(Some(kept));
            for (attr, p) in [
                (dedupe_tokens::SEEN_COUNT, "seen"),
                (dedupe_tokens::MARKERS_UNTIL, "until"),
                (dedupe_tokens::ORDERS, "orders"),
            ] {
                put = put.expression_attribute_names(format!("#{p}"), attr);
                match item.get(attr) {
                    Some(v) => {
                        unchanged.push(format!("#{p} = :{p}"));
                        put = put.expression_attribute_values(format!(":{p}"), v.clone());
                    }
                    None => unchanged.push(format!("attribute_not_exists(#{p})")),
                }
            }
            match put
                .condition_expression(unchanged.join(" AND "))
                .send()
                .await
            {
                Ok(_) => return Ok(existed),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(classify("erase customer", e)),
            }
        }
        Err(StoreError::Transient(
            "the customer kept changing while it was erased; try again".into(),
        ))
    }

    async fn put_customer_insight(
        &self,
        venue: &str,
        customer: &str,
        insight: serde_json::Value,
    ) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.names.customers)
            .key("pk", s(venue))
            .key("sk", s(customer))
            .update_expression("SET insight = :i")
            // Never onto an erased customer (its item keeps only dedupe state).
            .condition_expression("attribute_exists(orders)")
            .expression_attribute_values(":i", s(insight.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Erased since the job read it: nothing to derive for it any more.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(classify("put insight", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::n;

    fn shard(bucket: i64, shard: u8, attrs: &[(&str, &str)]) -> Item {
        let mut item: Item = attrs.iter().map(|(k, v)| ((*k).to_owned(), n(v))).collect();
        item.insert("sk".into(), s(keys::rollup_sk(bucket, shard)));
        item
    }

    #[test]
    fn shards_sum_and_a_bad_counter_is_an_error_not_a_gap() {
        let rows = rows_from_items(&[
            shard(60, 0, &[("orders", "2"), ("rv.$#EUR", "100")]),
            shard(
                60,
                1,
                &[("orders", "3"), ("rv.$#EUR", "50"), ("leadHoursSum", "1.5")],
            ),
        ])
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get(Metric::Orders), 5);
        assert_eq!(
            rows[0].breakdowns,
            vec![(
                Metric::Revenue,
                domain::Dimension::Currency,
                "EUR".into(),
                150
            )]
        );
        let max = i64::MAX.to_string();
        for bad in [
            vec![shard(0, 0, &[("revenue", "1.5")])],
            vec![shard(0, 0, &[("revenue", "99999999999999999999")])],
            vec![
                shard(0, 0, &[("revenue", &max)]),
                shard(0, 1, &[("revenue", "1")]),
            ],
        ] {
            assert!(matches!(
                rows_from_items(&bad),
                Err(StoreError::Permanent(_))
            ));
        }
    }
}
