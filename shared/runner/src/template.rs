//! Reads `infra/template.yaml` (AWS SAM) into what the local runner needs:
//! queues, tables, buckets, functions with their event sources and schedules,
//! and the environment each function sees.
//!
//! The template is the single source of truth for both AWS and local runs, so
//! this module understands just enough CloudFormation to evaluate it locally:
//! `Ref`, `Fn::GetAtt`, `Fn::If` with simple conditions (`Fn::Equals` /
//! `Fn::Not` / `Fn::And` / `Fn::Or` over parameter defaults and literals), in
//! both the short (`!Ref X`) and long (`{Ref: X}`) forms. Anything else is kept
//! as [`EnvValue::Unresolvable`] rather than guessed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::schedule::{ScheduleError, ScheduleExpr};

/// Environment variable overriding [`Stack::default_template_path`].
pub const TEMPLATE_PATH_ENV: &str = "ANALYTICS_TEMPLATE";

/// The parts of a SAM stack the local runner provisions and hosts.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    /// Parameter name → default value (`None` when the parameter has no default).
    pub parameters: BTreeMap<String, Option<String>>,
    pub queues: Vec<QueueSpec>,
    pub tables: Vec<TableSpec>,
    pub buckets: Vec<BucketSpec>,
    pub functions: Vec<FunctionSpec>,
    /// `AWS::SES::EmailIdentity` identities (addresses or domains) to send from.
    pub email_identities: Vec<String>,
    /// `Globals.Function.Environment.Variables`.
    pub global_env: BTreeMap<String, EnvValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSpec {
    pub logical_id: String,
    /// `Metadata.LocalName`: the queue name used locally.
    pub local_name: String,
    pub visibility_timeout: Option<u32>,
    pub retention_seconds: Option<u32>,
    pub redrive: Option<Redrive>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redrive {
    pub dlq_logical_id: String,
    pub max_receive_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub logical_id: String,
    pub local_name: String,
    pub partition_key: String,
    pub sort_key: Option<String>,
    /// The TTL attribute, when TTL is enabled.
    pub ttl_attribute: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSpec {
    pub logical_id: String,
    pub local_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// The cargo binary (`Metadata.BuildProperties.Binary`), i.e. the crate under `functions/`.
    pub binary: String,
    /// The function's own `Environment.Variables` (globals not included; see [`Stack::local_env`]).
    pub env: BTreeMap<String, EnvValue>,
    pub sqs_sources: Vec<SqsSource>,
    pub schedules: Vec<ScheduleSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsSource {
    pub queue_logical_id: String,
    /// Resolved from the parameter default when the template uses `!Ref`.
    pub batch_size: u32,
    pub batching_window_seconds: u32,
    pub report_batch_item_failures: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleSpec {
    /// The event's key under `Events`, e.g. `ReportSchedule`.
    pub name: String,
    /// Resolved from the parameter default when the template uses `!Ref`;
    /// checked to parse as a [`ScheduleExpr`] at load time.
    pub expression: String,
    /// The event's `Input`, parsed as JSON.
    pub input: Option<serde_json::Value>,
}

impl ScheduleSpec {
    /// The parsed expression (known to parse: [`Stack::parse`] checked it).
    pub fn expr(&self) -> Result<ScheduleExpr, ScheduleError> {
        self.expression.parse()
    }
}

/// An environment variable's value as written in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    /// `!Ref X`: a resource's or parameter's logical id.
    Ref(String),
    /// `!GetAtt Resource.Attribute`.
    GetAtt(String, String),
    /// `!Sub "text ${Name} ${Resource.Attribute}"` (the one-string form):
    /// resolved only when every `${…}` is.
    Sub(String),
    /// Anything not evaluated locally (e.g. `!Sub` with a variable map, an `!If` on an unknown
    /// condition); the string describes the expression.
    Unresolvable(String),
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template has no Resources section")]
    NoResources,
    #[error("{logical_id}: {reason}")]
    Invalid { logical_id: String, reason: String },
    #[error("{logical_id}: schedule {name}: {source}")]
    Schedule {
        logical_id: String,
        name: String,
        source: ScheduleError,
    },
}

fn invalid(logical_id: &str, reason: impl Into<String>) -> TemplateError {
    TemplateError::Invalid {
        logical_id: logical_id.to_owned(),
        reason: reason.into(),
    }
}

impl Stack {
    /// Reads and parses the template at `path`.
    pub fn load(path: &Path) -> Result<Stack, TemplateError> {
        let yaml = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&yaml)
    }

    /// Parses a template. Resources whose `Condition` is false under the
    /// parameter defaults are left out.
    pub fn parse(yaml: &str) -> Result<Stack, TemplateError> {
        let root: Value = serde_yaml::from_str(yaml)?;
        let parameters = parse_parameters(&root);
        let conditions = root
            .get("Conditions")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        let ctx = Context {
            parameters: &parameters,
            conditions: &conditions,
        };
        let resources = root
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or(TemplateError::NoResources)?;

        let mut stack = Stack {
            global_env: root
                .get("Globals")
                .and_then(|g| g.get("Function"))
                .map(|f| ctx.env_vars(f))
                .unwrap_or_default(),
            parameters: parameters.clone(),
            queues: Vec::new(),
            tables: Vec::new(),
            buckets: Vec::new(),
            functions: Vec::new(),
            email_identities: Vec::new(),
        };

        for (id, resource) in resources {
            let id = id
                .as_str()
                .ok_or_else(|| invalid("Resources", "non-string logical id"))?;
            if let Some(condition) = resource.get("Condition").and_then(Value::as_str)
                && ctx.condition(condition, 0) == Some(false)
            {
                continue;
            }
            let props = resource.get("Properties").unwrap_or(&Value::Null);
            match resource.get("Type").and_then(Value::as_str) {
                Some("AWS::SQS::Queue") => stack.queues.push(ctx.queue(id, resource, props)?),
                Some("AWS::DynamoDB::Table") => stack.tables.push(ctx.table(id, resource, props)?),
                Some("AWS::S3::Bucket") => stack.buckets.push(BucketSpec {
                    logical_id: id.to_owned(),
                    local_name: local_name(id, resource)?,
                }),
                Some("AWS::Serverless::Function") => {
                    stack.functions.push(ctx.function(id, resource, props)?);
                }
                Some("AWS::SES::EmailIdentity") => {
                    let identity = props
                        .get("EmailIdentity")
                        .and_then(|v| ctx.scalar_value(v))
                        .filter(|v| !v.is_empty())
                        .ok_or_else(|| {
                            invalid(
                                id,
                                "EmailIdentity must be a literal or a parameter's default",
                            )
                        })?;
                    stack.email_identities.push(identity);
                }
                _ => {}
            }
        }
        Ok(stack)
    }

    #[must_use]
    pub fn queue(&self, logical_id: &str) -> Option<&QueueSpec> {
        self.queues.iter().find(|q| q.logical_id == logical_id)
    }

    #[must_use]
    pub fn table(&self, logical_id: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.logical_id == logical_id)
    }

    #[must_use]
    pub fn bucket(&self, logical_id: &str) -> Option<&BucketSpec> {
        self.buckets.iter().find(|b| b.logical_id == logical_id)
    }

    #[must_use]
    pub fn function(&self, logical_id: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.logical_id == logical_id)
    }

    /// A parameter's default value.
    #[must_use]
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name)?.as_deref()
    }

    /// The environment a function sees locally: the globals overlaid by the
    /// function's own variables.
    ///
    /// `resolve` maps a logical id to its local value (queue → URL, table or
    /// bucket → local name, ...); for `!GetAtt` it receives `Resource.Attribute`.
    /// A `!Ref` to a parameter that `resolve` does not answer falls back to
    /// the parameter's default. Variables that cannot be resolved are left out,
    /// so the function's own configuration loading reports what is missing.
    #[must_use]
    pub fn local_env(
        &self,
        f: &FunctionSpec,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> BTreeMap<String, String> {
        self.global_env
            .iter()
            .chain(&f.env)
            .filter_map(|(name, value)| {
                let resolved = match value {
                    EnvValue::Literal(s) => Some(s.clone()),
                    EnvValue::Ref(id) => {
                        resolve(id).or_else(|| self.parameter(id).map(str::to_owned))
                    }
                    EnvValue::GetAtt(id, attr) => resolve(&format!("{id}.{attr}")),
                    EnvValue::Sub(text) => substitute(text, &|name| {
                        resolve(name).or_else(|| self.parameter(name).map(str::to_owned))
                    }),
                    EnvValue::Unresolvable(_) => None,
                };
                resolved.map(|v| (name.clone(), v))
            })
            .collect()
    }

    /// `infra/template.yaml` of this workspace, or the path in `ANALYTICS_TEMPLATE`.
    #[must_use]
    pub fn default_template_path() -> PathBuf {
        match std::env::var_os(TEMPLATE_PATH_ENV) {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("infra")
                .join("template.yaml"),
        }
    }
}

fn parse_parameters(root: &Value) -> BTreeMap<String, Option<String>> {
    root.get("Parameters")
        .and_then(Value::as_mapping)
        .map(|params| {
            params
                .iter()
                .filter_map(|(name, spec)| {
                    let default = spec.get("Default").and_then(scalar);
                    Some((name.as_str()?.to_owned(), default))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn local_name(logical_id: &str, resource: &Value) -> Result<String, TemplateError> {
    resource
        .get("Metadata")
        .and_then(|m| m.get("LocalName"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            invalid(
                logical_id,
                "missing Metadata.LocalName (the local runner names resources by it)",
            )
        })
}

/// A plain scalar as a string (numbers and booleans included).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An intrinsic function call, in either the short (`!GetAtt`) or long
/// (`{"Fn::GetAtt": ..}`) form, as its bare name (`Ref`, `GetAtt`, `If`, ...)
/// and argument.
fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    match v {
        Value::Tagged(tagged) => {
            // `Tag`'s Display includes the leading `!`; compare against known names.
            let name = tagged.tag.to_string();
            let bare = name.trim_start_matches('!');
            KNOWN_INTRINSICS
                .iter()
                .find(|known| **known == bare)
                .map(|known| (*known, &tagged.value))
        }
        Value::Mapping(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next()?;
            let key = key.as_str()?;
            let bare = if key == "Ref" || key == "Condition" {
                key
            } else {
                key.strip_prefix("Fn::")?
            };
            KNOWN_INTRINSICS
                .iter()
                .find(|known| **known == bare)
                .map(|known| (*known, arg))
        }
        _ => None,
    }
}

const KNOWN_INTRINSICS: &[&str] = &[
    "Ref",
    "GetAtt",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Condition",
    "Sub",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "GetAZs",
    "Base64",
    "Cidr",
    "ToJsonString",
    "Length",
];

/// `X.Attr` (short form) or `[X, Attr]` (either form).
fn get_att_parts(arg: &Value) -> Option<(String, String)> {
    match arg {
        Value::String(s) => {
            let (id, attr) = s.split_once('.')?;
            Some((id.to_owned(), attr.to_owned()))
        }
        Value::Sequence(seq) if seq.len() == 2 => {
            Some((seq[0].as_str()?.to_owned(), seq[1].as_str()?.to_owned()))
        }
        _ => None,
    }
}

/// Conditions nest; a cycle in a broken template must not overflow the stack.
const MAX_CONDITION_DEPTH: usize = 16;

struct Context<'a> {
    parameters: &'a BTreeMap<String, Option<String>>,
    conditions: &'a Mapping,
}

impl Context<'_> {
    /// A named condition's value under the parameter defaults, if evaluable.
    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        let expr = self.conditions.get(name)?;
        self.eval_condition(expr, depth + 1)
    }

    fn eval_condition(&self, expr: &Value, depth: usize) -> Option<bool> {
        if depth > MAX_CONDITION_DEPTH {
            return None;
        }
        let (name, arg) = intrinsic(expr)?;
        match name {
            "Equals" => match arg.as_sequence()?.as_slice() {
                [a, b] => Some(self.scalar_value(a)? == self.scalar_value(b)?),
                _ => None,
            },
            "Not" => match arg.as_sequence()?.as_slice() {
                [c] => self.eval_condition(c, depth + 1).map(|b| !b),
                _ => None,
            },
            "And" => arg
                .as_sequence()?
                .iter()
                .map(|c| self.eval_condition(c, depth + 1))
                .try_fold(true, |acc, b| Some(acc && b?)),
            "Or" => arg
                .as_sequence()?
                .iter()
                .map(|c| self.eval_condition(c, depth + 1))
                .try_fold(false, |acc, b| Some(acc || b?)),
            "Condition" => self.condition(arg.as_str()?, depth),
            _ => None,
        }
    }

    /// A literal, or a `Ref` to a parameter with a default.
    fn scalar_value(&self, v: &Value) -> Option<String> {
        if let Some(s) = scalar(v) {
            return Some(s);
        }
        match intrinsic(v)? {
            ("Ref", Value::String(id)) => self.parameters.get(id)?.clone(),
            _ => None,
        }
    }

    fn u32_value(&self, logical_id: &str, what: &str, v: &Value) -> Result<u32, TemplateError> {
        self.scalar_value(v)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                invalid(
                    logical_id,
                    format!("{what} is not a number or a parameter with a numeric default"),
                )
            })
    }

    fn optional_u32(
        &self,
        logical_id: &str,
        what: &str,
        v: Option<&Value>,
    ) -> Result<Option<u32>, TemplateError> {
        v.map(|v| self.u32_value(logical_id, what, v)).transpose()
    }

    /// `Environment.Variables` of a function (or of `Globals.Function`).
    fn env_vars(&self, function: &Value) -> BTreeMap<String, EnvValue> {
        function
            .get("Environment")
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_mapping)
            .map(|vars| {
                vars.iter()
                    .filter_map(|(name, value)| {
                        Some((name.as_str()?.to_owned(), self.env_value(value, 0)?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `None` for `!Ref AWS::NoValue` (the variable is absent).
    fn env_value(&self, v: &Value, depth: usize) -> Option<EnvValue> {
        if let Some(s) = scalar(v) {
            return Some(EnvValue::Literal(s));
        }
        let describe = || {
            EnvValue::Unresolvable(
                serde_yaml::to_string(v)
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            )
        };
        let Some((name, arg)) = intrinsic(v) else {
            return Some(describe());
        };
        match name {
            "Ref" => match arg.as_str() {
                Some("AWS::NoValue") => None,
                Some(id) => Some(EnvValue::Ref(id.to_owned())),
                None => Some(describe()),
            },
            "GetAtt" => Some(
                get_att_parts(arg).map_or_else(describe, |(id, attr)| EnvValue::GetAtt(id, attr)),
            ),
            "Sub" => Some(
                arg.as_str()
                    .map_or_else(describe, |t| EnvValue::Sub(t.to_owned())),
            ),
            "If" if depth < MAX_CONDITION_DEPTH => {
                let [cond, then, otherwise] = arg.as_sequence()?.as_slice() else {
                    return Some(describe());
                };
                match cond.as_str().and_then(|c| self.condition(c, 0)) {
                    Some(true) => self.env_value(then, depth + 1),
                    Some(false) => self.env_value(otherwise, depth + 1),
                    None => Some(describe()),
                }
            }
            _ => Some(describe()),
        }
    }

    fn queue(&self, id: &str, resource: &Value, props: &Value) -> Result<QueueSpec, TemplateError> {
        let redrive = props
            .get("RedrivePolicy")
            .map(|policy| {
                let target = policy
                    .get("deadLetterTargetArn")
                    .and_then(intrinsic)
                    .and_then(|(name, arg)| {
                        (name == "GetAtt").then(|| get_att_parts(arg)).flatten()
                    })
                    .map(|(dlq, _)| dlq)
                    .ok_or_else(|| {
                        invalid(
                            id,
                            "RedrivePolicy.deadLetterTargetArn must be !GetAtt <Queue>.Arn",
                        )
                    })?;
                let max_receive_count = policy
                    .get("maxReceiveCount")
                    .map(|v| self.u32_value(id, "RedrivePolicy.maxReceiveCount", v))
                    .transpose()?
                    .ok_or_else(|| invalid(id, "RedrivePolicy.maxReceiveCount is missing"))?;
                Ok::<_, TemplateError>(Redrive {
                    dlq_logical_id: target,
                    max_receive_count,
                })
            })
            .transpose()?;
        Ok(QueueSpec {
            logical_id: id.to_owned(),
            local_name: local_name(id, resource)?,
            visibility_timeout: self.optional_u32(
                id,
                "VisibilityTimeout",
                props.get("VisibilityTimeout"),
            )?,
            retention_seconds: self.optional_u32(
                id,
                "MessageRetentionPeriod",
                props.get("MessageRetentionPeriod"),
            )?,
            redrive,
        })
    }

    fn table(&self, id: &str, resource: &Value, props: &Value) -> Result<TableSpec, TemplateError> {
        let key = |kind: &str| {
            props
                .get("KeySchema")
                .and_then(Value::as_sequence)
                .and_then(|keys| {
                    keys.iter()
                        .find(|k| k.get("KeyType").and_then(Value::as_str) == Some(kind))
                        .and_then(|k| k.get("AttributeName"))
                        .and_then(|n| self.scalar_value(n))
                })
        };
        let ttl = props.get("TimeToLiveSpecification").and_then(|ttl| {
            let enabled = ttl
                .get("Enabled")
                .and_then(|e| self.scalar_value(e))
                .as_deref()
                == Some("true");
            enabled
                .then(|| ttl.get("AttributeName").and_then(|n| self.scalar_value(n)))
                .flatten()
        });
        Ok(TableSpec {
            logical_id: id.to_owned(),
            local_name: local_name(id, resource)?,
            partition_key: key("HASH").ok_or_else(|| invalid(id, "KeySchema has no HASH key"))?,
            sort_key: key("RANGE"),
            ttl_attribute: ttl,
        })
    }

    fn function(
        &self,
        id: &str,
        resource: &Value,
        props: &Value,
    ) -> Result<FunctionSpec, TemplateError> {
        let binary = resource
            .get("Metadata")
            .and_then(|m| m.get("BuildProperties"))
            .and_then(|b| b.get("Binary"))
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(id, "missing Metadata.BuildProperties.Binary"))?
            .to_owned();
        let mut function = FunctionSpec {
            logical_id: id.to_owned(),
            binary,
            env: self.env_vars(props),
            sqs_sources: Vec::new(),
            schedules: Vec::new(),
        };
        let events = props.get("Events").and_then(Value::as_mapping);
        for (name, event) in events.into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            let event_props = event.get("Properties").unwrap_or(&Value::Null);
            match event.get("Type").and_then(Value::as_str) {
                Some("SQS") => function.sqs_sources.push(self.sqs_source(id, event_props)?),
                Some("ScheduleV2" | "Schedule") => {
                    function
                        .schedules
                        .push(self.schedule(id, name, event_props)?);
                }
                _ => {}
            }
        }
        Ok(function)
    }

    fn sqs_source(&self, id: &str, props: &Value) -> Result<SqsSource, TemplateError> {
        let queue_logical_id = props
            .get("Queue")
            .and_then(intrinsic)
            .and_then(|(name, arg)| (name == "GetAtt").then(|| get_att_parts(arg)).flatten())
            .map(|(queue, _)| queue)
            .ok_or_else(|| invalid(id, "SQS event Queue must be !GetAtt <Queue>.Arn"))?;
        let response_types = props
            .get("FunctionResponseTypes")
            .and_then(Value::as_sequence);
        Ok(SqsSource {
            queue_logical_id,
            // SAM's defaults when the properties are absent.
            batch_size: self
                .optional_u32(id, "BatchSize", props.get("BatchSize"))?
                .unwrap_or(10),
            batching_window_seconds: self
                .optional_u32(
                    id,
                    "MaximumBatchingWindowInSeconds",
                    props.get("MaximumBatchingWindowInSeconds"),
                )?
                .unwrap_or(0),
            report_batch_item_failures: response_types.is_some_and(|types| {
                types
                    .iter()
                    .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
            }),
        })
    }

    fn schedule(&self, id: &str, name: &str, props: &Value) -> Result<ScheduleSpec, TemplateError> {
        let expression = props
            .get("ScheduleExpression")
            .or_else(|| props.get("Schedule"))
            .and_then(|v| self.scalar_value(v))
            .ok_or_else(|| {
                invalid(
                    id,
                    format!("schedule {name}: ScheduleExpression is missing or unresolvable"),
                )
            })?;
        expression
            .parse::<ScheduleExpr>()
            .map_err(|source| TemplateError::Schedule {
                logical_id: id.to_owned(),
                name: name.to_owned(),
                source,
            })?;
        if let Some(tz) = props
            .get("ScheduleExpressionTimezone")
            .and_then(|v| self.scalar_value(v))
            && !matches!(tz.as_str(), "UTC" | "Etc/UTC")
        {
            return Err(invalid(
                id,
                format!("schedule {name}: only UTC schedules run locally, got timezone {tz}"),
            ));
        }
        let input = props
            .get("Input")
            .map(|input| match input {
                Value::String(json) => serde_json::from_str(json)
                    .map_err(|e| invalid(id, format!("schedule {name}: Input is not JSON: {e}"))),
                other => serde_json::to_value(other).map_err(|e| {
                    invalid(
                        id,
                        format!("schedule {name}: Input cannot be converted to JSON: {e}"),
                    )
                }),
            })
            .transpose()?;
        Ok(ScheduleSpec {
            name: name.to_owned(),
            expression,
            input,
        })
    }
}

/// `text` with every `${Name}` replaced by `lookup(Name)` (`${!Literal}` is
/// `${Literal}`); `None` when a name does not resolve or a `${` is unclosed.
fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = &after[..end];
        match name.strip_prefix('!') {
            Some(literal) => {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            }
            None => out.push_str(&lookup(name)?),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
Parameters:
  Flag: { Type: String, Default: "false" }
  Size: { Type: Number, Default: 25 }
  Every: { Type: String, Default: rate(5 minutes) }
  NoDefault: { Type: String }
Conditions:
  FlagOn: !Equals [!Ref Flag, "true"]
  FlagOff: { "Fn::Not": [{ Condition: FlagOn }] }
  Both: !And [!Condition FlagOff, !Equals ["a", "a"]]
  Unknown: !Equals [!Ref NoDefault, x]
Globals:
  Function:
    Environment:
      Variables:
        TABLE: !Ref Things
        LONG: { "Fn::GetAtt": [Q, Arn] }
        OPT: !If [FlagOn, !Ref Things, ""]
        OPT2: !If [Both, yes, no]
        MAYBE: !If [Unknown, a, b]
        GONE: !If [FlagOn, x, !Ref AWS::NoValue]
        SUBBED: !Sub "${Things}-x"
        N: 3
Resources:
  Q:
    Type: AWS::SQS::Queue
    Metadata: { LocalName: q }
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [D, Arn] }, maxReceiveCount: 3 }
  D:
    Type: AWS::SQS::Queue
    Metadata: { LocalName: q-dlq }
  Hidden:
    Type: AWS::SQS::Queue
    Condition: FlagOn
    Metadata: { LocalName: hidden }
  Things:
    Type: AWS::DynamoDB::Table
    Metadata: { LocalName: things }
    Properties:
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      TimeToLiveSpecification: { AttributeName: ttl, Enabled: false }
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: my-fn } }
    Properties:
      Environment: { Variables: { TABLE: override, P: { Ref: Size } } }
      Events:
        Q:
          Type: SQS
          Properties: { Queue: !GetAtt Q.Arn, BatchSize: !Ref Size }
        Tick:
          Type: ScheduleV2
          Properties: { ScheduleExpression: !Ref Every, Input: '{"job":"x"}' }
"#;

    #[test]
    fn parses_short_and_long_forms() {
        let stack = Stack::parse(MINI).unwrap();
        assert_eq!(stack.parameter("Size"), Some("25"));
        assert_eq!(stack.parameters.get("NoDefault"), Some(&None));
        assert_eq!(
            stack.queue("Q").unwrap().redrive,
            Some(Redrive {
                dlq_logical_id: "D".into(),
                max_receive_count: 3
            })
        );
        assert!(
            stack.queue("Hidden").is_none(),
            "false condition excludes the resource"
        );
        let table = stack.table("Things").unwrap();
        assert_eq!(
            (table.partition_key.as_str(), &table.sort_key),
            ("id", &None)
        );
        assert_eq!(table.ttl_attribute, None, "disabled TTL is no TTL");

        let env = &stack.global_env;
        assert_eq!(env["TABLE"], EnvValue::Ref("Things".into()));
        assert_eq!(env["LONG"], EnvValue::GetAtt("Q".into(), "Arn".into()));
        assert_eq!(env["OPT"], EnvValue::Literal(String::new()));
        assert_eq!(env["OPT2"], EnvValue::Literal("yes".into()));
        assert!(matches!(env["MAYBE"], EnvValue::Unresolvable(_)));
        assert!(!env.contains_key("GONE"));
        assert_eq!(env["SUBBED"], EnvValue::Sub("${Things}-x".into()));
        assert_eq!(env["N"], EnvValue::Literal("3".into()));

        let f = stack.function("Fn").unwrap();
        assert_eq!(f.binary, "my-fn");
        assert_eq!(f.sqs_sources[0].batch_size, 25);
        assert_eq!(f.sqs_sources[0].batching_window_seconds, 0);
        assert!(!f.sqs_sources[0].report_batch_item_failures);
        assert_eq!(f.schedules[0].expression, "rate(5 minutes)");
        assert_eq!(f.schedules[0].input, Some(serde_json::json!({"job": "x"})));
    }

    #[test]
    fn local_env_overlays_and_resolves() {
        let stack = Stack::parse(MINI).unwrap();
        let f = stack.function("Fn").unwrap();
        let resolve = |id: &str| match id {
            "Things" => Some("things".to_owned()),
            "Q.Arn" => Some("arn:aws:sqs:us-east-1:000000000000:q".to_owned()),
            _ => None,
        };
        let env = stack.local_env(f, &resolve);
        assert_eq!(env["TABLE"], "override", "function env wins over globals");
        assert_eq!(env["P"], "25", "parameter refs fall back to defaults");
        assert_eq!(env["LONG"], "arn:aws:sqs:us-east-1:000000000000:q");
        assert_eq!(env["OPT"], "");
        assert_eq!(env["SUBBED"], "things-x");
        assert!(!env.contains_key("MAYBE"));
    }

    #[test]
    fn sub_resolves_every_name_or_nothing() {
        let lookup = |n: &str| (n == "A" || n == "AWS::Region").then(|| format!("<{n}>"));
        assert_eq!(
            substitute("https://x.${AWS::Region}/${A}", &lookup).as_deref(),
            Some("https://x.<AWS::Region>/<A>")
        );
        assert_eq!(
            substitute("${!Literal}-${A}", &lookup).as_deref(),
            Some("${Literal}-<A>")
        );
        assert_eq!(substitute("${A}-${B}", &lookup), None);
        assert_eq!(substitute("${A", &lookup), None);
    }

    #[test]
    fn rejects_what_it_cannot_run() {
        let no_name = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n";
        let err = Stack::parse(no_name).unwrap_err().to_string();
        assert!(err.contains("Q: missing Metadata.LocalName"), "{err}");

        let bad_schedule = MINI.replace("rate(5 minutes)", "rate(5 minute)");
        let err = Stack::parse(&bad_schedule).unwrap_err().to_string();
        assert!(
            err.contains("Fn: schedule Tick") && err.contains("plural"),
            "{err}"
        );

        let bad_input = MINI.replace(r#"'{"job":"x"}'"#, "'{job'");
        let err = Stack::parse(&bad_input).unwrap_err().to_string();
        assert!(err.contains("Input is not JSON"), "{err}");

        assert!(matches!(
            Stack::parse("Parameters: {}"),
            Err(TemplateError::NoResources)
        ));
    }
}
