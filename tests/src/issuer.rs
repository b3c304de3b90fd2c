//! A local identity provider for tests: key pairs generated in the test
//! (RSA-2048 for RS256, P-256 for ES256), their JWKS served on loopback at
//! `/.well-known/jwks.json`, and tokens signed with them — what a Cognito user
//! pool does, without the network.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// A signing key and its public JWK.
pub enum SigningKey {
    Rs256 {
        kid: String,
        pair: RsaKeyPair,
        jwk: Value,
    },
    Es256 {
        kid: String,
        pair: EcdsaKeyPair,
        jwk: Value,
    },
}

impl SigningKey {
    pub fn rs256(kid: &str) -> Self {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA keygen");
        let der = key.to_pkcs8_der().expect("PKCS#8");
        let jwk = json!({
            "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": B64.encode(key.n().to_bytes_be()), "e": B64.encode(key.e().to_bytes_be()),
        });
        SigningKey::Rs256 {
            kid: kid.to_owned(),
            pair: RsaKeyPair::from_pkcs8(der.as_bytes()).expect("ring RSA key"),
            jwk,
        }
    }

    pub fn es256(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref(), &rng).unwrap();
        // Uncompressed point: 0x04 || x || y.
        let point = pair.public_key().as_ref();
        let jwk = json!({
            "kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
            "x": B64.encode(&point[1..33]), "y": B64.encode(&point[33..65]),
        });
        SigningKey::Es256 {
            kid: kid.to_owned(),
            pair,
            jwk,
        }
    }

    pub fn kid(&self) -> &str {
        match self {
            SigningKey::Rs256 { kid, .. } | SigningKey::Es256 { kid, .. } => kid,
        }
    }

    pub fn jwk(&self) -> &Value {
        match self {
            SigningKey::Rs256 { jwk, .. } | SigningKey::Es256 { jwk, .. } => jwk,
        }
    }

    fn alg(&self) -> &'static str {
        match self {
            SigningKey::Rs256 { .. } => "RS256",
            SigningKey::Es256 { .. } => "ES256",
        }
    }

    /// A compact JWS of `claims`, with `kid` in the header (this key's unless given).
    pub fn sign(&self, claims: &Value, kid: Option<&str>) -> String {
        let header = json!({"alg": self.alg(), "typ": "JWT", "kid": kid.unwrap_or(self.kid())});
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let signature = match self {
            SigningKey::Rs256 { pair, .. } => {
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig)
                    .unwrap();
                sig
            }
            SigningKey::Es256 { pair, .. } => {
                pair.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec()
            }
        };
        format!("{input}.{}", B64.encode(signature))
    }
}

/// An unsigned token (`alg: none`), as an attacker sends it.
pub fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        B64.encode(json!({"alg": "none", "typ": "JWT"}).to_string()),
        B64.encode(claims.to_string())
    )
}

/// The key set as served, and how often it was read.
#[derive(Clone)]
struct Published {
    keys: Arc<Mutex<Vec<Value>>>,
    reads: Arc<AtomicUsize>,
}

async fn serve_keys(State(p): State<Published>) -> Json<Value> {
    p.reads.fetch_add(1, Ordering::SeqCst);
    Json(json!({"keys": *p.keys.lock().unwrap()}))
}

/// A JWKS endpoint on loopback whose key set the test can change (rotation).
pub struct Issuer {
    pub url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    reads: Arc<AtomicUsize>,
}

impl Issuer {
    /// Serves `keys` until the test process ends.
    pub async fn start(keys: &[&SigningKey]) -> Issuer {
        let keys = Arc::new(Mutex::new(
            keys.iter().map(|k| k.jwk().clone()).collect::<Vec<_>>(),
        ));
        let reads = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new()
            .route("/.well-known/jwks.json", get(serve_keys))
            .with_state(Published {
                keys: keys.clone(),
                reads: reads.clone(),
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Issuer { url, keys, reads }
    }

    /// Publishes another key (a provider rotating its keys).
    pub fn publish(&self, key: &SigningKey) {
        self.keys.lock().unwrap().push(key.jwk().clone());
    }

    /// How many times the key set was read.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}
