//! Tokens of a real identity provider (a Cognito user pool, or any OIDC
//! issuer): RS256 or ES256, verified against the keys the issuer publishes
//! (its JWKS), with the issuer, audience (`aud`, or `client_id` on Cognito
//! access tokens) and expiry checked.
//!
//! The key set is cached; a token naming a key id not in the cache re-reads
//! it (that is how a provider rotates keys), at most once per
//! [`IssuerKeys::refresh_floor`], so a flood of tokens with made-up `kid`s
//! cannot make the function hammer the issuer.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::auth::{Audience, Claims, TokenError};

/// How long a fetched key set is trusted without re-reading it.
const MAX_AGE: Duration = Duration::from_secs(3600);
/// The shortest gap between two reads of the key set.
const REFRESH_FLOOR: Duration = Duration::from_secs(60);

/// The issuer's published keys, by `kid`.
pub struct IssuerKeys {
    issuer: String,
    audience: Option<String>,
    jwks_url: String,
    leeway_secs: u64,
    http: reqwest::Client,
    refresh_floor: Duration,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, (Algorithm, DecodingKey)>,
    fetched: Option<Instant>,
}

impl std::fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("jwks_url", &self.jwks_url)
            .finish_non_exhaustive()
    }
}

/// An identity provider's claims: ours, plus Cognito's spelling of them.
#[derive(Deserialize)]
struct ProviderClaims {
    #[serde(flatten)]
    claims: Claims,
    /// Cognito access tokens carry the app client here instead of `aud`.
    client_id: Option<String>,
    /// Cognito groups: `admin`, `manager`, `viewer`, and `venue:<id>` per venue.
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
    /// A Cognito custom attribute: a JSON array of venue ids, or one id.
    #[serde(rename = "custom:venues")]
    custom_venues: Option<String>,
}

/// The issuer's key-set address: `ANALYTICS_JWKS_URL`, else the issuer's
/// `/.well-known/jwks.json` (where Cognito and most OIDC providers publish it).
/// `None` when it is not HTTPS (plain HTTP only on loopback, for tests).
pub fn jwks_url(issuer: &str, explicit: Option<&str>) -> Option<String> {
    let url = explicit.map_or_else(
        || format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/')),
        str::to_owned,
    );
    is_secure_url(&url).then_some(url)
}

/// HTTPS, or plain HTTP on loopback (tests and the local runner): where a
/// credential or a key set may be fetched from or sent to.
pub fn is_secure_url(url: &str) -> bool {
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| url.starts_with(p));
    url.starts_with("https://") || loopback
}

impl IssuerKeys {
    pub fn new(issuer: impl Into<String>, audience: Option<String>, jwks_url: String) -> Self {
        IssuerKeys {
            issuer: issuer.into(),
            audience,
            jwks_url,
            leeway_secs: 30,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            refresh_floor: REFRESH_FLOOR,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The shortest gap between two reads of the key set (tests shorten it).
    #[must_use]
    pub fn refresh_floor(mut self, floor: Duration) -> Self {
        self.refresh_floor = floor;
        self
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Verifies an RS256/ES256 token of the issuer; anything else is refused.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(TokenError::AlgorithmRefused(format!("{:?}", header.alg)));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Malformed("the token names no key (kid)".into()))?;
        let (alg, key) = self.key(&kid).await?;
        if alg != header.alg {
            return Err(TokenError::AlgorithmRefused(format!(
                "{:?} with a {alg:?} key",
                header.alg
            )));
        }
        let mut v = Validation::new(alg);
        v.leeway = self.leeway_secs;
        v.validate_nbf = true;
        v.set_issuer(&[&self.issuer]);
        // `aud` or Cognito's `client_id`: checked below.
        v.validate_aud = false;
        v.set_required_spec_claims(&["exp", "sub", "iss"]);
        crate::jwt_crypto::install();
        let data = jsonwebtoken::decode::<ProviderClaims>(token, &key, &v)
            .map_err(crate::auth::token_error)?;
        let p = data.claims;
        if let Some(want) = &self.audience {
            let aud_ok = match &p.claims.aud {
                Some(Audience::One(a)) => a == want,
                Some(Audience::Many(list)) => list.iter().any(|a| a == want),
                None => false,
            };
            if !aud_ok && p.client_id.as_deref() != Some(want.as_str()) {
                return Err(TokenError::WrongAudience);
            }
        }
        Ok(fold_provider_claims(
            p.claims,
            &p.groups,
            p.custom_venues.as_deref(),
        ))
    }

    async fn key(&self, kid: &str) -> Result<(Algorithm, DecodingKey), TokenError> {
        let stale = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let age = cache.fetched.map(|t| t.elapsed());
            if age.is_some_and(|a| a < MAX_AGE)
                && let Some(k) = cache.keys.get(kid)
            {
                return Ok(k.clone());
            }
            // An unknown kid re-reads the set (rotation), unless it was read moments ago.
            age.is_none_or(|a| a >= self.refresh_floor)
        };
        if stale {
            let keys = self.fetch().await?;
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.keys = keys;
            cache.fetched = Some(Instant::now());
        }
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| TokenError::UnknownKey(kid.to_owned()))
    }

    async fn fetch(&self) -> Result<HashMap<String, (Algorithm, DecodingKey)>, TokenError> {
        let unavailable = |e: reqwest::Error| {
            tracing::warn!(error = %e, url = self.jwks_url, "reading the issuer's keys failed");
            TokenError::KeysUnavailable
        };
        let set: JwkSet = self
            .http
            .get(&self.jwks_url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)?;
        Ok(usable_keys(&set))
    }
}

/// The signing keys of a set this verifier accepts: RSA for RS256 and P-256
/// for ES256, each with a `kid`; encryption keys and other algorithms are left out.
fn usable_keys(set: &JwkSet) -> HashMap<String, (Algorithm, DecodingKey)> {
    let mut out = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = &jwk.common.key_id else {
            continue;
        };
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            continue;
        }
        let alg = match (&jwk.algorithm, jwk.common.key_algorithm) {
            (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
            (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                if ec.curve == EllipticCurve::P256 =>
            {
                Algorithm::ES256
            }
            _ => continue,
        };
        if let Ok(key) = DecodingKey::from_jwk(jwk) {
            out.insert(kid.clone(), (alg, key));
        }
    }
    out
}

/// Venue access and role from what an identity provider can issue: Cognito
/// groups (`admin`, `manager`, `viewer`; `venue:<id>` per venue) or a
/// `custom:venues` attribute, added to any `venues`/`role` claims.
pub fn fold_provider_claims(
    mut claims: Claims,
    groups: &[String],
    custom_venues: Option<&str>,
) -> Claims {
    for g in groups {
        match g.strip_prefix("venue:") {
            Some(venue) if !venue.is_empty() => claims.venues.push(venue.to_owned()),
            Some(_) => {}
            None if claims.role.is_none() && crate::auth::Role::from_name(g).is_some() => {
                claims.role = Some(g.clone());
            }
            None => {}
        }
    }
    if let Some(raw) = custom_venues {
        claims.venues.extend(crate::auth::parse_list(raw));
    }
    claims.venues.sort();
    claims.venues.dedup();
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_set_lives_over_https_or_on_loopback() {
        assert_eq!(
            jwks_url(
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/",
                None
            )
            .as_deref(),
            Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json")
        );
        assert_eq!(jwks_url("http://idp.example.com", None), None);
        assert!(jwks_url("https://x", Some("http://127.0.0.1:9/keys")).is_some());
        assert_eq!(
            jwks_url("https://x", Some("http://127.0.0.1.evil.com/k")),
            None
        );
    }

    #[test]
    fn only_signing_keys_of_accepted_algorithms_are_kept() {
        // A real RSA modulus is not needed to parse a JWK, only base64url.
        let set: JwkSet = serde_json::from_value(serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "rs", "alg": "RS256", "use": "sig", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "rs-no-alg", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "rs512", "alg": "RS512", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "kid": "p256", "crv": "P-256", "x": "AQAB", "y": "AQAB"},
            {"kty": "EC", "kid": "p384", "crv": "P-384", "x": "AQAB", "y": "AQAB"},
            {"kty": "oct", "kid": "hmac", "k": "AQAB"},
        ]}))
        .unwrap();
        let keys = usable_keys(&set);
        let mut kept: Vec<(&str, Algorithm)> =
            keys.iter().map(|(k, (a, _))| (k.as_str(), *a)).collect();
        kept.sort_by_key(|(k, _)| *k);
        assert_eq!(
            kept,
            [
                ("p256", Algorithm::ES256),
                ("rs", Algorithm::RS256),
                ("rs-no-alg", Algorithm::RS256)
            ]
        );
    }

    #[test]
    fn groups_and_the_custom_attribute_grant_venues_and_a_role() {
        let base = Claims {
            sub: "u".into(),
            venues: vec![],
            role: None,
            exp: 0,
            iat: 0,
            iss: None,
            aud: None,
            show_scope: None,
        };
        let c = fold_provider_claims(
            base.clone(),
            &[
                "venue:v1".into(),
                "manager".into(),
                "venue:".into(),
                "other".into(),
            ],
            Some(r#"["v2","v1"]"#),
        );
        assert_eq!(c.venues, ["v1", "v2"]);
        assert_eq!(c.role.as_deref(), Some("manager"));
        let admin = fold_provider_claims(base, &["admin".into()], Some("v,3"));
        assert!(admin.is_admin());
        assert_eq!(admin.venues, ["v,3"], "one id, never split on commas");
    }
}
