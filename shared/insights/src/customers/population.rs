//! Fitting the CLV models to a venue's customers and scoring customers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bgnbd::{self, BgNbdParams, RepeatSummary};
use super::gamma_gamma::{self, GammaGammaParams, SpendSummary};
use super::patterns::PurchasePatterns;
use super::rfm::{RfmReference, Segment};
use super::{CustomerInsight, CustomerRecord};

/// Below this many customers the MLE is too noisy: use the fallback.
pub const MIN_CUSTOMERS: usize = 20;
/// Below this many customers with ≥ 2 orders, dropout (BG/NBD `a`, `b`) and
/// within-customer spend variation (Gamma-Gamma `p`) are not identified.
pub const MIN_REPEAT_CUSTOMERS: usize = 5;
/// 12 months in weeks (365.25 / 7).
pub const PREDICTION_HORIZON_WEEKS: f64 = 365.25 / 7.0;

const MS_PER_WEEK: f64 = 7.0 * 86_400_000.0;
const MS_PER_DAY: f64 = 86_400_000.0;

/// Which CLV model a population (and its insights) uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClvModel {
    /// Both models fitted by maximum likelihood on this venue's customers.
    #[serde(rename = "bg-nbd+gamma-gamma")]
    BgNbdGammaGamma,
    /// Too few customers or a failed fit: the same formulas with fixed
    /// priors centred on the population averages (see [`PopulationModel`]).
    #[serde(rename = "fallback-average")]
    FallbackAverage,
}

/// A venue's fitted customer-base model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PopulationModel {
    pub model: ClvModel,
    /// Why the fallback was used, if it was.
    pub fallback_reason: Option<String>,
    pub customers: usize,
    pub repeat_customers: usize,
    pub fitted_at: DateTime<Utc>,
    /// Time unit of `bg_nbd` is weeks.
    pub bg_nbd: BgNbdParams,
    pub gamma_gamma: GammaGammaParams,
    /// Log-likelihood of the BG/NBD fit (`None` for the fallback).
    pub bg_nbd_log_likelihood: Option<f64>,
    /// Log-likelihood of the Gamma-Gamma fit (`None` for the fallback).
    pub gamma_gamma_log_likelihood: Option<f64>,
    /// Population values the RFM quintiles rank against.
    pub rfm_reference: RfmReference,
}

/// Fit BG/NBD + Gamma-Gamma to a venue's customers at time `now`.
///
/// Falls back to [`ClvModel::FallbackAverage`] when there are fewer than
/// [`MIN_CUSTOMERS`] customers or [`MIN_REPEAT_CUSTOMERS`] repeat customers,
/// or when either maximum-likelihood fit fails. The fallback uses the same
/// closed forms with these priors:
/// - BG/NBD `r = 1, α = 1/λ̄, a = 1, b = 3`, where `λ̄` is the population's
///   repeat purchases per week of customer age (`Σx / ΣT`, clamped to
///   `[1/520, 7]`, `1/26` without data): exponential rate heterogeneity
///   around the observed mean, 25% mean dropout after each purchase.
/// - Gamma-Gamma `p = 4, q = 5, γ = v̄` (`v̄` the population mean order value),
///   so `E[M] = (v̄ + x·z̄)/(x + 1)`: the customer's mean order value shrunk
///   toward the population average by one pseudo-order.
#[must_use]
pub fn fit_population(records: &[CustomerRecord], now: DateTime<Utc>) -> PopulationModel {
    let repeat: Vec<RepeatSummary> = records.iter().map(|c| repeat_summary(c, now)).collect();
    let spend: Vec<SpendSummary> = records.iter().filter_map(spend_summary).collect();
    let repeat_customers = records.iter().filter(|c| c.orders >= 2).count();
    let rfm_reference = RfmReference::from_records(records);
    let (prior_bg, prior_gg) = fallback_priors(&repeat, &spend);

    let fallback = |reason: String| PopulationModel {
        model: ClvModel::FallbackAverage,
        fallback_reason: Some(reason),
        customers: records.len(),
        repeat_customers,
        fitted_at: now,
        bg_nbd: prior_bg,
        gamma_gamma: prior_gg,
        bg_nbd_log_likelihood: None,
        gamma_gamma_log_likelihood: None,
        rfm_reference: rfm_reference.clone(),
    };

    if records.len() < MIN_CUSTOMERS {
        return fallback(format!("{} customers (< {MIN_CUSTOMERS})", records.len()));
    }
    if repeat_customers < MIN_REPEAT_CUSTOMERS {
        return fallback(format!(
            "{repeat_customers} repeat customers (< {MIN_REPEAT_CUSTOMERS})"
        ));
    }
    let Some(bg) = bgnbd::fit(&repeat) else {
        return fallback("BG/NBD fit did not converge to plausible parameters".into());
    };
    let Some(gg) = gamma_gamma::fit(&spend) else {
        return fallback(
            "Gamma-Gamma fit did not converge to plausible parameters (q > 1 needed)".into(),
        );
    };
    PopulationModel {
        model: ClvModel::BgNbdGammaGamma,
        fallback_reason: None,
        customers: records.len(),
        repeat_customers,
        fitted_at: now,
        bg_nbd: bg.params,
        gamma_gamma: gg.params,
        bg_nbd_log_likelihood: Some(bg.log_likelihood),
        gamma_gamma_log_likelihood: Some(gg.log_likelihood),
        rfm_reference,
    }
}

fn fallback_priors(
    repeat: &[RepeatSummary],
    spend: &[SpendSummary],
) -> (BgNbdParams, GammaGammaParams) {
    let total_x: f64 = repeat.iter().map(|c| c.x).sum();
    let total_t: f64 = repeat.iter().map(|c| c.t).sum();
    let rate = if total_t > 0.0 {
        (total_x / total_t).clamp(1.0 / 520.0, 7.0)
    } else {
        1.0 / 26.0
    };
    let orders: f64 = spend.iter().map(|c| c.x).sum();
    let mean_value = if orders > 0.0 {
        spend.iter().map(|c| c.x * c.mean).sum::<f64>() / orders
    } else {
        0.0
    };
    (
        BgNbdParams {
            r: 1.0,
            alpha: 1.0 / rate,
            a: 1.0,
            b: 3.0,
        },
        GammaGammaParams {
            p: 4.0,
            q: 5.0,
            gamma: mean_value.max(1.0),
        },
    )
}

/// `(x, tₓ, T)` in weeks: repeat orders, last purchase and age since the first purchase.
fn repeat_summary(c: &CustomerRecord, now: DateTime<Utc>) -> RepeatSummary {
    let weeks = |a: DateTime<Utc>, b: DateTime<Utc>| {
        ((b - a).num_milliseconds() as f64 / MS_PER_WEEK).max(0.0)
    };
    let t = weeks(c.first_purchase_at, now);
    RepeatSummary {
        x: (c.orders - 1).max(0) as f64,
        t_x: weeks(c.first_purchase_at, c.last_purchase_at).min(t),
        t,
    }
}

/// Orders and mean order value, for customers with orders and spend.
fn spend_summary(c: &CustomerRecord) -> Option<SpendSummary> {
    (c.orders >= 1 && c.total_spend > 0).then(|| SpendSummary {
        x: c.orders as f64,
        mean: c.total_spend as f64 / c.orders as f64,
    })
}

impl PopulationModel {
    /// Score one customer at time `now`.
    #[must_use]
    pub fn insight(&self, c: &CustomerRecord, now: DateTime<Utc>) -> CustomerInsight {
        let summary = repeat_summary(c, now);
        let probability_alive = self.bg_nbd.probability_alive(&summary);
        let expected_orders_12m = self
            .bg_nbd
            .expected_transactions(&summary, PREDICTION_HORIZON_WEEKS);
        let order_value = spend_summary(c).map_or_else(
            || self.gamma_gamma.population_mean(),
            |s| self.gamma_gamma.expected_spend(&s),
        );
        let predicted_value_12m = (expected_orders_12m * order_value).round() as i64;
        let rfm = self.rfm_reference.score(c);
        CustomerInsight {
            customer_id: c.customer_id.clone(),
            historic_value: c.total_spend,
            predicted_value_12m,
            lifetime_value: c.total_spend + predicted_value_12m,
            expected_orders_12m,
            probability_alive,
            churn_risk: 1.0 - probability_alive,
            recency_days: ((now - c.last_purchase_at).num_milliseconds() as f64 / MS_PER_DAY)
                .max(0.0),
            frequency: c.orders,
            rfm,
            segment: Segment::from_scores(rfm.r, rfm.f),
            patterns: PurchasePatterns::of(c),
            model: self.model,
        }
    }

    /// Score every customer.
    #[must_use]
    pub fn insights(&self, records: &[CustomerRecord], now: DateTime<Utc>) -> Vec<CustomerInsight> {
        records.iter().map(|c| self.insight(c, now)).collect()
    }
}
