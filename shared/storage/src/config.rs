//! Clients and resource names, from the environment (the Lambda convention).

use std::collections::BTreeMap;

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_sdk_dynamodb::config::{SharedCredentialsProvider, SharedHttpClient};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use domain::EventType;

/// The HTTPS client of every SDK client here: rustls on ring. (The SDK's
/// default links aws-lc as well, a second crypto library for the same job.)
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Shared SDK clients, built once per process.
#[derive(Clone, Debug)]
pub struct Aws {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub sdk_config: aws_config::SdkConfig,
}

impl Aws {
    /// The Lambda configuration: region, credentials and `AWS_ENDPOINT_URL`
    /// from the environment, as the Lambda runtime sets them. Built directly
    /// rather than through `aws_config`'s default chain (profiles, SSO, STS,
    /// IMDS), which a function never uses and which would add megabytes to it.
    pub async fn from_env() -> Self {
        let region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "us-east-1".to_owned());
        let mut builder = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region))
            .credentials_provider(SharedCredentialsProvider::new(
                EnvironmentVariableCredentialsProvider::new(),
            ))
            .http_client(https_client());
        if let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|e| !e.is_empty())
        {
            builder = builder.endpoint_url(endpoint);
        }
        Self::from_sdk_config(builder.build())
    }

    /// For local tools: `AWS_ENDPOINT_URL` or else `default_endpoint`. Against a
    /// loopback endpoint, missing credentials and region default to dummies
    /// (`test`/`us-east-1`), as emulators accept anything.
    pub async fn local_or_env(default_endpoint: &str) -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| default_endpoint.to_owned());
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https_client())
            .endpoint_url(&endpoint);
        let loopback = ["http://127.", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| endpoint.starts_with(p));
        if loopback {
            if std::env::var_os("AWS_ACCESS_KEY_ID").is_none()
                && std::env::var_os("AWS_PROFILE").is_none()
            {
                loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                    "test",
                    "test",
                    None,
                    None,
                    "local-emulator",
                ));
            }
            if std::env::var_os("AWS_REGION").is_none()
                && std::env::var_os("AWS_DEFAULT_REGION").is_none()
            {
                loader = loader.region(aws_config::Region::new("us-east-1"));
            }
        }
        Self::from_sdk_config(loader.load().await)
    }

    pub fn from_sdk_config(sdk_config: aws_config::SdkConfig) -> Self {
        let s3_config = aws_sdk_s3::config::Builder::from(&sdk_config)
            .force_path_style(sdk_config.endpoint_url().is_some())
            .build();
        Aws {
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk_config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            sqs: aws_sdk_sqs::Client::new(&sdk_config),
            sdk_config,
        }
    }

    pub fn timestream(&self) -> aws_sdk_timestreamwrite::Client {
        aws_sdk_timestreamwrite::Client::new(&self.sdk_config)
    }
}

/// The template's default `ReportSender`, which the local stack provisions.
pub const LOCAL_REPORT_SENDER: &str = "reports@venue-analytics.example";

/// Table, bucket and queue names, as the template passes them to every function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    pub rollups: String,
    pub customers: String,
    pub dedupe: String,
    pub flows: String,
    pub venues: String,
    pub app: String,
    pub quarantine_bucket: String,
    pub reports_bucket: String,
    /// The address scheduled reports are emailed from (`REPORT_SENDER`);
    /// `None` turns email delivery off.
    pub report_sender: Option<String>,
    /// DLQ URL per event type, where known.
    pub dlq_urls: BTreeMap<EventType, String>,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "environment variable {0} is not set; it comes from infra/template.yaml (locally, `venue-analytics up` sets it)"
)]
pub struct MissingEnv(pub String);

impl Names {
    pub fn from_env() -> Result<Self, MissingEnv> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, MissingEnv> {
        let req = |k: &str| {
            get(k)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| MissingEnv(k.to_owned()))
        };
        let dlq_urls = EventType::ALL
            .into_iter()
            .filter_map(|t| {
                get(&format!("DLQ_URL_{}", t.env_suffix()))
                    .filter(|v| !v.is_empty())
                    .map(|u| (t, u))
            })
            .collect();
        Ok(Names {
            rollups: req("ROLLUPS_TABLE")?,
            customers: req("CUSTOMERS_TABLE")?,
            dedupe: req("DEDUPE_TABLE")?,
            flows: req("FLOWS_TABLE")?,
            venues: req("VENUES_TABLE")?,
            app: req("APP_TABLE")?,
            quarantine_bucket: req("QUARANTINE_BUCKET")?,
            reports_bucket: req("REPORTS_BUCKET")?,
            report_sender: get("REPORT_SENDER").filter(|v| !v.trim().is_empty()),
            dlq_urls,
        })
    }

    /// The local names `venue-analytics up` provisions from the template.
    pub fn local() -> Self {
        Names {
            rollups: "rollups".into(),
            customers: "customers".into(),
            dedupe: "dedupe".into(),
            flows: "flows".into(),
            venues: "venues".into(),
            app: "app".into(),
            quarantine_bucket: "quarantine".into(),
            reports_bucket: "reports".into(),
            report_sender: Some(LOCAL_REPORT_SENDER.into()),
            dlq_urls: BTreeMap::new(),
        }
    }
}
