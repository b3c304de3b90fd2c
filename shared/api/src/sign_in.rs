//! `GET /api/sign-in` (public): how the dashboard page signs people in.
//!
//! On AWS the page sends staff to the identity provider's hosted sign-in
//! (OAuth 2.0 authorization code with PKCE, RFC 7636; the stack's Cognito
//! user pool by default) and trades the code for a token in the browser — no
//! client secret exists, so there is nothing to leak. Locally, and for
//! deployments with their own HS256 secret, the page keeps asking for a token.

use serde::Serialize;
use utoipa::ToSchema;

use crate::jwks::is_secure_url;

/// The page's sign-in method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum SignIn {
    /// Paste a token (the local runner, `venue-analytics token`).
    Token,
    /// Authorization code + PKCE at the identity provider.
    #[serde(rename_all = "camelCase")]
    Oauth {
        /// The authorization endpoint (Cognito: `https://<domain>/oauth2/authorize`).
        authorize_url: String,
        /// The token endpoint the page posts the code and verifier to.
        token_url: String,
        /// The public app client (no secret).
        client_id: String,
        /// Space-separated scopes to request.
        scopes: String,
        /// Cognito's `/logout`; the page adds `client_id` and `logout_uri`.
        #[serde(skip_serializing_if = "Option::is_none")]
        logout_url: Option<String>,
    },
}

/// A sign-in configuration the function must not start with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInConfigError {
    #[error(
        "hosted sign-in is half configured: set ANALYTICS_OAUTH_AUTHORIZE_URL, ANALYTICS_OAUTH_TOKEN_URL and ANALYTICS_OAUTH_CLIENT_ID together (missing: {0})"
    )]
    Incomplete(String),
    #[error("{0} must be an https:// URL (plain http only on loopback): {1:?}")]
    InsecureUrl(&'static str, String),
}

pub const DEFAULT_SCOPES: &str = "openid email profile";

impl SignIn {
    /// From the process environment; see [`SignIn::from_vars`].
    pub fn from_env() -> Result<Self, SignInConfigError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// `ANALYTICS_OAUTH_AUTHORIZE_URL`, `…_TOKEN_URL`, `…_CLIENT_ID` (all or
    /// none; none: [`SignIn::Token`]), optional `…_LOGOUT_URL` and
    /// `…_SCOPES`. A code or token sent over plain HTTP could be read on the
    /// way, so every URL is HTTPS (or loopback).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SignInConfigError> {
        let get = |k: &str| {
            var(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let required = [
            "ANALYTICS_OAUTH_AUTHORIZE_URL",
            "ANALYTICS_OAUTH_TOKEN_URL",
            "ANALYTICS_OAUTH_CLIENT_ID",
        ];
        let values = required.map(get);
        if values.iter().all(Option::is_none) {
            return Ok(SignIn::Token);
        }
        let [Some(authorize_url), Some(token_url), Some(client_id)] = values.clone() else {
            let missing: Vec<&str> = required
                .iter()
                .zip(&values)
                .filter(|(_, v)| v.is_none())
                .map(|(k, _)| *k)
                .collect();
            return Err(SignInConfigError::Incomplete(missing.join(", ")));
        };
        let logout_url = get("ANALYTICS_OAUTH_LOGOUT_URL");
        for (name, url) in [
            ("ANALYTICS_OAUTH_AUTHORIZE_URL", Some(&authorize_url)),
            ("ANALYTICS_OAUTH_TOKEN_URL", Some(&token_url)),
            ("ANALYTICS_OAUTH_LOGOUT_URL", logout_url.as_ref()),
        ] {
            if let Some(url) = url.filter(|u| !is_secure_url(u)) {
                return Err(SignInConfigError::InsecureUrl(name, url.clone()));
            }
        }
        Ok(SignIn::Oauth {
            authorize_url,
            token_url,
            client_id,
            scopes: get("ANALYTICS_OAUTH_SCOPES").unwrap_or_else(|| DEFAULT_SCOPES.into()),
            logout_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<SignIn, SignInConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        SignIn::from_vars(|k| map.get(k).cloned())
    }

    const COGNITO: &str = "https://venue-analytics-x.auth.eu-west-1.amazoncognito.com";

    #[test]
    fn nothing_configured_keeps_the_token_form() {
        assert_eq!(from(&[]), Ok(SignIn::Token));
        assert_eq!(
            from(&[("ANALYTICS_OAUTH_CLIENT_ID", " ")]),
            Ok(SignIn::Token)
        );
    }

    #[test]
    fn a_complete_configuration_is_served_to_the_page() {
        let authorize = format!("{COGNITO}/oauth2/authorize");
        let token = format!("{COGNITO}/oauth2/token");
        let logout = format!("{COGNITO}/logout");
        let got = from(&[
            ("ANALYTICS_OAUTH_AUTHORIZE_URL", &authorize),
            ("ANALYTICS_OAUTH_TOKEN_URL", &token),
            ("ANALYTICS_OAUTH_CLIENT_ID", "abc123"),
            ("ANALYTICS_OAUTH_LOGOUT_URL", &logout),
        ])
        .unwrap();
        let json = serde_json::to_value(&got).unwrap();
        assert_eq!(json["mode"], "oauth");
        assert_eq!(json["authorizeUrl"], authorize);
        assert_eq!(json["tokenUrl"], token);
        assert_eq!(json["clientId"], "abc123");
        assert_eq!(json["scopes"], DEFAULT_SCOPES);
        assert_eq!(json["logoutUrl"], logout);
        assert_eq!(
            serde_json::to_value(SignIn::Token).unwrap()["mode"],
            "token"
        );
    }

    #[test]
    fn half_a_configuration_or_plain_http_refuses_to_start() {
        let err = from(&[("ANALYTICS_OAUTH_CLIENT_ID", "abc")]).unwrap_err();
        assert!(
            matches!(&err, SignInConfigError::Incomplete(m) if m.contains("AUTHORIZE_URL") && m.contains("TOKEN_URL")),
            "{err}"
        );
        let err = from(&[
            (
                "ANALYTICS_OAUTH_AUTHORIZE_URL",
                "http://idp.example.com/authorize",
            ),
            ("ANALYTICS_OAUTH_TOKEN_URL", "https://idp.example.com/token"),
            ("ANALYTICS_OAUTH_CLIENT_ID", "abc"),
        ])
        .unwrap_err();
        assert!(matches!(
            err,
            SignInConfigError::InsecureUrl("ANALYTICS_OAUTH_AUTHORIZE_URL", _)
        ));
        assert!(
            from(&[
                (
                    "ANALYTICS_OAUTH_AUTHORIZE_URL",
                    "http://127.0.0.1:9100/authorize"
                ),
                ("ANALYTICS_OAUTH_TOKEN_URL", "http://127.0.0.1:9100/token"),
                ("ANALYTICS_OAUTH_CLIENT_ID", "abc"),
            ])
            .is_ok()
        );
    }
}
