//! Bearer JWT authentication: HS256 with a shared secret, optional issuer and
//! audience checks, and the claims the API authorises with.
//!
//! Fails closed: a deployed function starts only with an auth configuration
//! (`ANALYTICS_JWT_SECRET`, or an issuer whose tokens its gateway authorizer
//! validates), and never with [`DEV_SECRET`]; only the local runner and CLI
//! ([`AuthConfig::local`]) use the development secret, and they say so.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use chrono::{Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::jwks::IssuerKeys;

/// The local runner's secret when `ANALYTICS_JWT_SECRET` is unset.
/// **Development only**: anyone who reads this file can mint tokens for it,
/// so [`AuthConfig::from_env`] refuses it.
pub const DEV_SECRET: &str = "venue-analytics-dev-secret";

/// The variable holding the HS256 secret.
const SECRET_VAR: &str = "ANALYTICS_JWT_SECRET";

/// The role claim value that grants access to every venue and to admin routes.
pub const ADMIN_ROLE: &str = "admin";

/// What a token may do. `admin`: every venue and the admin routes;
/// `manager`: its venues, read and write (reports, alerts, widgets, exports,
/// erasing a customer); `viewer`: its venues, read only. A missing or unknown
/// role is a viewer: least privilege unless the issuer says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Manager,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Manager => "manager",
            Role::Admin => ADMIN_ROLE,
        }
    }

    /// The role a name stands for (`admin`, `manager`, `viewer`), if any.
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Viewer, Role::Manager, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == name)
    }

    fn parse(claim: Option<&str>) -> Role {
        claim.and_then(Role::from_name).unwrap_or(Role::Viewer)
    }
}

/// How to verify (and issue) tokens.
#[derive(Clone)]
pub struct AuthConfig {
    /// `None`: no bearer token is verified here; only claims a gateway JWT
    /// authorizer validated are accepted (see [`gateway_claims`]).
    secret: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp`, seconds.
    pub leeway_secs: u64,
    /// The issuer's published keys, when an issuer is configured.
    issuer_keys: Option<Arc<IssuerKeys>>,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("secret", &"<redacted>")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway_secs", &self.leeway_secs)
            .field("issuer_keys", &self.issuer_keys)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthConfigError {
    #[error("ANALYTICS_JWT_SECRET is set but empty")]
    EmptySecret,
    #[error(
        "ANALYTICS_JWT_SECRET is the public development secret: set a secret of your own, or ANALYTICS_JWT_ISSUER for gateway-validated tokens"
    )]
    DevSecret,
    #[error("ANALYTICS_JWKS_URL (or the issuer's /.well-known/jwks.json) must be an https:// URL")]
    InsecureJwksUrl,
    #[error(
        "no auth configuration: set ANALYTICS_JWT_SECRET (HS256) or ANALYTICS_JWT_ISSUER (tokens validated by the API Gateway JWT authorizer)"
    )]
    Missing,
}

impl AuthConfig {
    pub fn new(secret: impl Into<String>) -> Self {
        AuthConfig {
            secret: Some(secret.into()),
            issuer: None,
            audience: None,
            leeway_secs: 30,
            issuer_keys: None,
        }
    }

    /// The development configuration ([`DEV_SECRET`], no issuer or audience).
    pub fn dev() -> Self {
        AuthConfig::new(DEV_SECRET)
    }

    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Accepts RS256/ES256 tokens of `keys`' issuer (sets the issuer too).
    #[must_use]
    pub fn with_issuer_keys(mut self, keys: IssuerKeys) -> Self {
        self.issuer = Some(keys.issuer().to_owned());
        self.issuer_keys = Some(Arc::new(keys));
        self
    }

    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// A deployed function's configuration: [`AuthConfig::from_vars`] over the
    /// process environment.
    pub fn from_env() -> Result<Self, AuthConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads `ANALYTICS_JWT_SECRET`, `ANALYTICS_JWT_ISSUER` and
    /// `ANALYTICS_JWT_AUDIENCE`. With a secret, bearer tokens are verified
    /// (HS256, and the issuer/audience when set); with only an issuer, no
    /// bearer token is accepted here, only a gateway authorizer's claims.
    /// Neither, an empty secret, or [`DEV_SECRET`] is an error: nothing starts
    /// open.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, AuthConfigError> {
        Self::read(var, false)
    }

    /// The local runner's and CLI's configuration: [`AuthConfig::from_vars`]
    /// over the environment, except that [`DEV_SECRET`] is accepted, and is
    /// the secret (announced on stderr) when none is set.
    pub fn local() -> Result<Self, AuthConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        if env(SECRET_VAR).is_none() {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                eprintln!(
                    "auth: local mode, tokens are signed with the public development secret ({DEV_SECRET:?}); deployed functions refuse it"
                );
            });
        }
        let with_dev_default =
            |name: &str| env(name).or_else(|| (name == SECRET_VAR).then(|| DEV_SECRET.to_owned()));
        Self::read(with_dev_default, true)
    }

    fn read(
        var: impl Fn(&str) -> Option<String>,
        allow_dev_secret: bool,
    ) -> Result<Self, AuthConfigError> {
        let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let secret = match var(SECRET_VAR) {
            Some(s) if s.is_empty() => return Err(AuthConfigError::EmptySecret),
            Some(s) if s == DEV_SECRET && !allow_dev_secret => {
                return Err(AuthConfigError::DevSecret);
            }
            other => other,
        };
        let issuer = non_empty(var("ANALYTICS_JWT_ISSUER"));
        if secret.is_none() && issuer.is_none() {
            return Err(AuthConfigError::Missing);
        }
        let audience = non_empty(var("ANALYTICS_JWT_AUDIENCE"));
        let issuer_keys = match &issuer {
            Some(iss) => {
                let url =
                    crate::jwks::jwks_url(iss, non_empty(var("ANALYTICS_JWKS_URL")).as_deref())
                        .ok_or(AuthConfigError::InsecureJwksUrl)?;
                Some(Arc::new(IssuerKeys::new(
                    iss.clone(),
                    audience.clone(),
                    url,
                )))
            }
            None => None,
        };
        Ok(AuthConfig {
            secret,
            issuer,
            audience,
            leeway_secs: 30,
            issuer_keys,
        })
    }

    /// Whether bearer tokens are verified here (false: gateway claims only).
    pub fn verifies_bearer_tokens(&self) -> bool {
        self.secret.is_some()
    }

    fn validation(&self) -> Validation {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = self.leeway_secs;
        // A token not valid yet is refused like an expired one (RFC 7519 §4.1.5).
        v.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        if let Some(iss) = &self.issuer {
            v.set_issuer(&[iss]);
            required.push("iss");
        }
        match &self.audience {
            Some(aud) => {
                v.set_audience(&[aud]);
                required.push("aud");
            }
            None => v.validate_aud = false,
        }
        v.set_required_spec_claims(&required);
        v
    }

    /// Verifies a token's signature, expiry, issuer and audience.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let Some(secret) = &self.secret else {
            return Err(TokenError::NotAccepted);
        };
        crate::jwt_crypto::install();
        let key = DecodingKey::from_secret(secret.as_bytes());
        jsonwebtoken::decode::<Claims>(token, &key, &self.validation())
            .map(|data| data.claims)
            .map_err(token_error)
    }

    /// Verifies a bearer token of either kind this configuration accepts: an
    /// HS256 token of its secret, or an RS256/ES256 token of its issuer
    /// (against the issuer's published keys). Anything else is refused.
    pub async fn verify_bearer(&self, token: &str) -> Result<Claims, TokenError> {
        refuse_critical_extensions(token)?;
        let alg = jsonwebtoken::decode_header(token)
            .map_err(|e| TokenError::Malformed(e.to_string()))?
            .alg;
        match (alg, &self.issuer_keys) {
            (Algorithm::HS256, _) => self.verify(token),
            (Algorithm::RS256 | Algorithm::ES256, Some(keys)) => keys.verify(token).await,
            (Algorithm::RS256 | Algorithm::ES256, None) => Err(TokenError::NotAccepted),
            (other, _) => Err(TokenError::AlgorithmRefused(format!("{other:?}"))),
        }
    }
}

/// RFC 7515 §4.1.11: a token whose header lists `crit` extensions must be
/// refused by a verifier that does not implement them (none are here).
/// `jsonwebtoken` ignores header members it does not know, so look first.
fn refuse_critical_extensions(token: &str) -> Result<(), TokenError> {
    use base64::Engine as _;
    let header = token.split('.').next().unwrap_or_default();
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    match json {
        Some(h) if h.get("crit").is_some() => Err(TokenError::Malformed(
            "the token header lists critical extensions (`crit`) this API does not implement"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token issuer is not accepted")]
    WrongIssuer,
    #[error("token audience is not accepted")]
    WrongAudience,
    #[error("invalid token: {0}")]
    Malformed(String),
    #[error("this deployment accepts only tokens validated by its gateway authorizer")]
    NotAccepted,
    #[error("token algorithm is not accepted: {0}")]
    AlgorithmRefused(String),
    #[error("token is signed with a key the issuer does not publish (kid {0:?})")]
    UnknownKey(String),
    #[error("the issuer's signing keys could not be read; try again shortly")]
    KeysUnavailable,
}

/// One mapping of `jsonwebtoken`'s errors to why a token was refused.
pub(crate) fn token_error(e: jsonwebtoken::errors::Error) -> TokenError {
    match e.kind() {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::InvalidAlgorithm => TokenError::AlgorithmRefused(e.to_string()),
        _ => TokenError::Malformed(e.to_string()),
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        ApiError::Unauthorized(e.to_string())
    }
}

/// `aud` may be one string or a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims of an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// Venue ids the bearer may read: a JSON array of ids (a single string is
    /// one id, never split).
    #[serde(default, deserialize_with = "one_or_many")]
    pub venues: Vec<String>,
    /// `"admin"` grants every venue and the admin routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub exp: i64,
    #[serde(default)]
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// A share link for one show: every call must name that show (`eventId`).
    /// Never read from a token.
    #[serde(skip)]
    pub show_scope: Option<String>,
}

impl Claims {
    pub fn is_admin(&self) -> bool {
        self.role() == Role::Admin
    }

    pub fn role(&self) -> Role {
        Role::parse(self.role.as_deref())
    }

    pub fn can_access(&self, venue: &str) -> bool {
        self.is_admin() || self.venues.iter().any(|v| v == venue)
    }
}

/// Issues an HS256 token for `sub`: an admin's, or a manager's of `venues`
/// (see [`issue_token_as`] for a viewer's).
///
/// # Panics
/// If `cfg` has no secret (a gateway-only configuration cannot issue tokens).
pub fn issue_token(
    cfg: &AuthConfig,
    sub: &str,
    venues: &[String],
    admin: bool,
    ttl: Duration,
) -> String {
    let role = if admin { Role::Admin } else { Role::Manager };
    issue_token_as(cfg, sub, venues, role, ttl)
}

/// Issues an HS256 token for `sub` with `role` (the CLI's `token` command
/// uses this). Issuer and audience are set when the configuration names them.
///
/// # Panics
/// If `cfg` has no secret (a gateway-only configuration cannot issue tokens).
pub fn issue_token_as(
    cfg: &AuthConfig,
    sub: &str,
    venues: &[String],
    role: Role,
    ttl: Duration,
) -> String {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: sub.to_owned(),
        venues: venues.to_vec(),
        role: Some(role.as_str().to_owned()),
        exp: now + ttl.num_seconds(),
        iat: now,
        iss: cfg.issuer.clone(),
        aud: cfg.audience.clone().map(Audience::One),
        show_scope: None,
    };
    crate::jwt_crypto::install();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(
            cfg.secret
                .as_deref()
                .expect("issuing a token needs ANALYTICS_JWT_SECRET")
                .as_bytes(),
        ),
    )
    .expect("HS256 signing with an in-memory secret cannot fail")
}

/// Claims as API Gateway's JWT authorizer hands them over: every value a
/// string, lists flattened as `[a b c]` (or JSON arrays for some issuers).
/// Returns `None` when there is no `sub`.
pub fn claims_from_authorizer(map: &HashMap<String, String>) -> Option<Claims> {
    let sub = map.get("sub")?.clone();
    let number = |k: &str| {
        map.get(k)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|v| v as i64)
    };
    let claims = Claims {
        sub,
        venues: map.get("venues").map(|v| parse_list(v)).unwrap_or_default(),
        role: map.get("role").cloned(),
        exp: number("exp").unwrap_or(i64::MAX),
        iat: number("iat").unwrap_or(0),
        iss: map.get("iss").cloned(),
        aud: map.get("aud").map(|a| Audience::Many(parse_list(a))),
        show_scope: None,
    };
    let groups = map
        .get("cognito:groups")
        .map(|g| parse_list(g))
        .unwrap_or_default();
    Some(crate::jwks::fold_provider_claims(
        claims,
        &groups,
        map.get("custom:venues").map(String::as_str),
    ))
}

/// `venues` in a token: an array of ids, or one id as a string.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(id) => vec![id],
        OneOrMany::Many(ids) => ids,
    })
}

/// A list claim as the gateway passes it: a JSON array; or API Gateway's
/// flattening of an array, `[a b c]` (ids hold no whitespace, so splitting on
/// it is exact); anything else is one id. Never split on commas: an id may
/// hold one.
pub(crate) fn parse_list(raw: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(raw.trim()) {
        return list;
    }
    match raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => inner.split_whitespace().map(str::to_owned).collect(),
        None if raw.is_empty() => Vec::new(),
        None => vec![raw.to_owned()],
    }
}

/// Claims validated by an API Gateway JWT authorizer, read from the
/// `lambda_http` request context. Only `lambda_http` inserts that extension,
/// so a client cannot forge it.
#[cfg(feature = "lambda-authorizer")]
pub fn gateway_claims(parts: &http::request::Parts) -> Option<Claims> {
    use lambda_http::request::RequestContext;
    match parts.extensions.get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(ctx) => {
            claims_from_authorizer(&ctx.authorizer.as_ref()?.jwt.as_ref()?.claims)
        }
        _ => None,
    }
}

/// Without the `lambda-authorizer` feature there is no gateway context.
#[cfg(not(feature = "lambda-authorizer"))]
pub fn gateway_claims(_parts: &http::request::Parts) -> Option<Claims> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venues(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_fresh_token_round_trips() {
        let cfg = AuthConfig::new("s3cret");
        let token = issue_token(&cfg, "alice", &venues(&["v1"]), false, Duration::hours(1));
        let claims = cfg.verify(&token).unwrap();
        assert_eq!(claims.sub, "alice");
        assert_eq!(claims.venues, venues(&["v1"]));
        assert!(claims.can_access("v1"));
        assert!(!claims.can_access("v2"));
        assert!(!claims.is_admin());
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let cfg = AuthConfig::new("s3cret");
        let expired = issue_token(&cfg, "alice", &[], false, Duration::hours(-2));
        assert_eq!(cfg.verify(&expired), Err(TokenError::Expired));
        let foreign = issue_token(
            &AuthConfig::new("other"),
            "alice",
            &[],
            false,
            Duration::hours(1),
        );
        assert_eq!(cfg.verify(&foreign), Err(TokenError::BadSignature));
        assert!(matches!(
            cfg.verify("not.a.jwt"),
            Err(TokenError::Malformed(_))
        ));
        // The same claims and signature under another algorithm's header
        // (`alg: none`, HS384, RS256) are refused, not verified some other way.
        let (_, rest) = issue_token(&cfg, "alice", &[], false, Duration::hours(1))
            .split_once('.')
            .map(|(h, r)| (h.to_owned(), r.to_owned()))
            .unwrap();
        for alg in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS384"}"#,
            r#"{"alg":"RS256"}"#,
        ] {
            use base64::Engine;
            let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(alg);
            assert!(
                matches!(
                    cfg.verify(&format!("{header}.{rest}")),
                    Err(TokenError::Malformed(_) | TokenError::AlgorithmRefused(_))
                ),
                "{alg}"
            );
        }
    }

    #[test]
    fn issuer_and_audience_are_enforced_when_configured() {
        let strict = AuthConfig::new("k").with_issuer("va").with_audience("dash");
        let good = issue_token(&strict, "a", &[], true, Duration::hours(1));
        assert!(strict.verify(&good).unwrap().is_admin());
        let loose = issue_token(&AuthConfig::new("k"), "a", &[], true, Duration::hours(1));
        assert!(
            strict.verify(&loose).is_err(),
            "a token without iss/aud must be refused"
        );
        let other_issuer = issue_token(
            &AuthConfig::new("k").with_issuer("x").with_audience("dash"),
            "a",
            &[],
            true,
            Duration::hours(1),
        );
        assert_eq!(strict.verify(&other_issuer), Err(TokenError::WrongIssuer));
    }

    #[test]
    fn authorizer_claims_parse_flattened_lists() {
        let map: HashMap<String, String> =
            [("sub", "bob"), ("venues", "[v1 v2]"), ("exp", "1900000000")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let c = claims_from_authorizer(&map).unwrap();
        assert_eq!(c.venues, venues(&["v1", "v2"]));
        assert_eq!(c.exp, 1_900_000_000);
        assert_eq!(parse_list(r#"["a","b"]"#), venues(&["a", "b"]));
        assert_eq!(parse_list("a,b"), venues(&["a,b"]), "one id, never split");
        assert_eq!(parse_list("venue a"), venues(&["venue a"]));
        assert_eq!(parse_list(""), Vec::<String>::new());
        assert!(claims_from_authorizer(&HashMap::new()).is_none());
    }

    #[test]
    fn a_token_venues_claim_is_an_array_or_one_id() {
        let claims = |venues: serde_json::Value| {
            serde_json::from_value::<Claims>(
                serde_json::json!({"sub": "s", "exp": 1, "venues": venues}),
            )
            .map(|c| c.venues)
        };
        assert_eq!(
            claims(serde_json::json!(["a", "b"])).unwrap(),
            venues(&["a", "b"])
        );
        assert_eq!(
            claims(serde_json::json!("a,b c")).unwrap(),
            venues(&["a,b c"])
        );
        assert!(claims(serde_json::json!(7)).is_err());
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn a_deployed_function_never_starts_open() {
        let err = |pairs: &[(&str, &str)]| AuthConfig::from_vars(vars(pairs)).unwrap_err();
        assert_eq!(err(&[]), AuthConfigError::Missing);
        assert_eq!(
            err(&[("ANALYTICS_JWT_SECRET", "")]),
            AuthConfigError::EmptySecret
        );
        assert_eq!(
            err(&[
                ("ANALYTICS_JWT_SECRET", DEV_SECRET),
                ("ANALYTICS_JWT_ISSUER", "https://idp.example/")
            ]),
            AuthConfigError::DevSecret
        );
        assert_eq!(
            err(&[("ANALYTICS_JWT_AUDIENCE", "venue-analytics")]),
            AuthConfigError::Missing,
            "an audience alone configures nothing"
        );
    }

    #[test]
    fn a_dev_secret_token_is_refused_once_an_issuer_is_configured() {
        let issuer = "https://idp.example/";
        let gateway_only = AuthConfig::from_vars(vars(&[
            ("ANALYTICS_JWT_ISSUER", issuer),
            ("ANALYTICS_JWT_AUDIENCE", "venue-analytics"),
        ]))
        .unwrap();
        assert!(!gateway_only.verifies_bearer_tokens());
        // Forged as well as an attacker can: the right issuer and audience.
        let forged = issue_token(
            &AuthConfig::dev()
                .with_issuer(issuer)
                .with_audience("venue-analytics"),
            "mallory",
            &[],
            true,
            Duration::hours(1),
        );
        assert_eq!(gateway_only.verify(&forged), Err(TokenError::NotAccepted));
        let with_secret = AuthConfig::from_vars(vars(&[
            ("ANALYTICS_JWT_SECRET", "a-secret-of-this-deployment"),
            ("ANALYTICS_JWT_ISSUER", issuer),
            ("ANALYTICS_JWT_AUDIENCE", "venue-analytics"),
        ]))
        .unwrap();
        assert_eq!(with_secret.verify(&forged), Err(TokenError::BadSignature));
    }

    #[test]
    fn a_missing_or_unknown_role_is_a_viewer() {
        let mut c =
            claims_from_authorizer(&HashMap::from([("sub".to_owned(), "a".to_owned())])).unwrap();
        assert_eq!(c.role(), Role::Viewer);
        c.role = Some("superuser".into());
        assert_eq!(c.role(), Role::Viewer);
        let cfg = AuthConfig::new("k");
        let manager = cfg
            .verify(&issue_token(
                &cfg,
                "m",
                &venues(&["v"]),
                false,
                Duration::hours(1),
            ))
            .unwrap();
        assert_eq!(manager.role(), Role::Manager);
        assert!(Role::Viewer < Role::Manager && Role::Manager < Role::Admin);
    }
}
