//! The API's contract over the real adapters on the emulator:
//!
//! - tenant isolation: every venue-scoped route of the OpenAPI document
//!   answers 403 (JSON) to a token for another venue and 401 (JSON) without
//!   a token, while the venue's own token gets through;
//! - the `realtime` WebSocket function: `$connect` refuses bad tokens and
//!   stores good connections with a TTL, `$default` pongs, `$disconnect`
//!   removes both documents;
//! - fail closed: a token signed with the development secret is refused by
//!   the HTTP and WebSocket functions configured as `infra/template.yaml`
//!   deploys them;
//! - a dashboard load costs at most three DynamoDB round trips (counted on the
//!   SDK client; `ROUND_TRIPS_VENUE` measures an existing venue instead, which
//!   `scripts/bench-dashboard.sh` uses).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use api::auth::{AuthConfig, issue_token};
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body as LambdaBody;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use axum::Router;
use axum::body::Body;
use chrono::{Duration, Utc};
use domain::ports::DocumentStore;
use http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use publisher::simulate::{SimConfig, simulate};
use serde_json::Value;
use storage::{Aws, DynamoDocuments, Names};
use tests::{endpoint, stack, unique};
use tower::ServiceExt;

/// Venue-scoped route groups the issue names; the walk must cover each.
const VENUE_GROUPS: [&str; 12] = [
    "analytics",
    "metrics",
    "dashboards",
    "realtime",
    "widgets",
    "customers",
    "insights",
    "predictions",
    "campaigns",
    "alerts",
    "reports",
    "exports",
];

/// Fresh clients for this test's runtime, on the provisioned stack's names.
async fn aws_and_names() -> (Aws, Names) {
    let local = stack().await;
    (Aws::local_or_env(&endpoint()).await, local.names.clone())
}

fn app(aws: &Aws, names: &Names) -> Router {
    let state =
        runner::wiring::api_state(aws, names, api::hub::RealtimeHub::default()).expect("API state");
    api::app(state)
}

fn auth() -> AuthConfig {
    AuthConfig::local().expect("auth configuration")
}

fn token(venues: &[&str]) -> String {
    let venues: Vec<String> = venues.iter().map(|v| (*v).to_owned()).collect();
    issue_token(&auth(), "contract-test", &venues, false, Duration::hours(1))
}

/// Ingests a small simulated night for `venue` through the real pipeline
/// (the venue update first, so the venue has metadata and shows).
async fn seed_venue(aws: &Aws, names: &Names, venue: &str) {
    let mut cfg = SimConfig::new(Utc::now(), 11);
    cfg.venue_id = venue.to_owned();
    cfg.scale = 0.05;
    let sim = simulate(&cfg);
    tests::ingest_simulation(aws, names, &sim, 100).await;
}

struct Reply {
    status: StatusCode,
    content_type: String,
    json: Option<Value>,
    text: String,
}

async fn call(app: &Router, method: &Method, path: &str, bearer: Option<&str>) -> Reply {
    call_with(app, method, path, bearer, "{}").await
}

/// [`call`] with a JSON body for POST, PUT and PATCH.
async fn call_with(
    app: &Router,
    method: &Method,
    path: &str,
    bearer: Option<&str>,
    json: &str,
) -> Reply {
    let mut req = Request::builder().method(method.clone()).uri(path);
    if let Some(t) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
        req = req.header(header::CONTENT_TYPE, "application/json");
        Body::from(json.to_owned())
    } else {
        Body::empty()
    };
    let resp = app
        .clone()
        .oneshot(req.body(body).expect("request"))
        .await
        .expect("router is infallible");
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .expect("response body")
        .to_bytes();
    Reply {
        status,
        content_type,
        json: serde_json::from_slice(&bytes).ok(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Every `(method, path template)` of the OpenAPI document with a `{venueId}` segment.
fn venue_scoped_operations(doc: &Value) -> Vec<(Method, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if !path.contains("{venueId}") {
            continue;
        }
        for (method, _) in item.as_object().expect("path item") {
            if let Ok(m) = method.to_uppercase().parse::<Method>() {
                ops.push((m, path.clone()));
            }
        }
    }
    ops
}

/// Fills `{venueId}` and any other path parameter.
fn concrete(template: &str, venue: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        let name = &rest[start + 1..end];
        out.push_str(if name == "venueId" {
            venue
        } else {
            "x-missing"
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn assert_json_error(reply: &Reply, want: StatusCode, what: &str) {
    assert_eq!(reply.status, want, "{what}: {}", reply.text);
    assert!(
        reply.content_type.starts_with("application/json"),
        "{what}: content type {:?}",
        reply.content_type
    );
    let json = reply
        .json
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: body is not JSON: {}", reply.text));
    assert!(
        json["error"].is_string(),
        "{what}: no error message: {json}"
    );
    assert_eq!(
        json["status"].as_u64(),
        Some(u64::from(want.as_u16())),
        "{what}: {json}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_venue_scoped_route_refuses_other_venues_and_anonymous_callers() {
    let (aws, names) = aws_and_names().await;
    let venue = unique("venue-iso");
    let other = unique("venue-other");
    seed_venue(&aws, &names, &venue).await;
    let app = app(&aws, &names);

    let doc = call(&app, &Method::GET, "/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text);
    let ops = venue_scoped_operations(doc.json.as_ref().expect("OpenAPI JSON"));
    let groups: BTreeSet<&str> = ops
        .iter()
        .filter_map(|(_, p)| p.strip_prefix("/api/")?.split('/').next())
        .collect();
    for g in VENUE_GROUPS {
        assert!(
            groups.contains(g),
            "no venue-scoped route of /api/{g} in the OpenAPI document"
        );
    }

    let own = token(&[&venue]);
    let foreign = token(&[&other]);
    let viewer = api::issue_token_as(
        &auth(),
        "contract-viewer",
        std::slice::from_ref(&venue),
        api::Role::Viewer,
        Duration::hours(1),
    );
    let paths = &doc.json.as_ref().expect("OpenAPI JSON")["paths"];
    let mut writes = 0;
    for (method, template) in &ops {
        let path = concrete(template, &venue);
        let what = format!("{method} {template}");
        let read = api::access::is_read(method);
        let documented =
            &paths[template.as_str()][method.as_str().to_lowercase()]["x-required-role"];
        assert_eq!(
            documented.as_str(),
            Some(if read { "viewer" } else { "manager" }),
            "{what}: the role the OpenAPI document names"
        );
        let as_viewer = call(&app, method, &path, Some(&viewer)).await;
        if read {
            assert!(
                ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&as_viewer.status),
                "{what} as a viewer: {} {}",
                as_viewer.status,
                as_viewer.text
            );
        } else {
            writes += 1;
            assert_json_error(
                &as_viewer,
                StatusCode::FORBIDDEN,
                &format!("{what} as a viewer"),
            );
        }
        let denied = call(&app, method, &path, Some(&foreign)).await;
        assert_json_error(
            &denied,
            StatusCode::FORBIDDEN,
            &format!("{what} with another venue's token"),
        );
        let anonymous = call(&app, method, &path, None).await;
        assert_json_error(
            &anonymous,
            StatusCode::UNAUTHORIZED,
            &format!("{what} without a token"),
        );
        // The walk would pass vacuously if the venue's own token were refused too.
        let allowed = call(&app, method, &path, Some(&own)).await;
        assert!(
            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&allowed.status)
                && !allowed.status.is_server_error(),
            "{what} with the venue's own token: {} {}",
            allowed.status,
            allowed.text
        );
    }
    // Every write a caller with a valid token attempted is in the venue's audit trail.
    let docs = DynamoDocuments::new(aws.dynamodb.clone(), names.app.clone());
    // (The same sub's token for another venue tried each write too: refused, and recorded.)
    let audit: Vec<Value> = docs
        .list(api::audit::AUDIT_KIND, &venue)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.get("method").is_some())
        .collect();
    let count = |sub: &str, refused: bool| {
        audit
            .iter()
            .filter(|d| d["sub"] == sub && (d["status"] == 403) == refused)
            .count()
    };
    assert_eq!(
        (count("contract-test", false), count("contract-test", true)),
        (writes, writes),
        "own and foreign writes: {audit:#?}"
    );
    assert_eq!(
        (
            count("contract-viewer", true),
            count("contract-viewer", false)
        ),
        (writes, 0),
        "a viewer's writes: {audit:#?}"
    );
    eprintln!(
        "tenant isolation: {} venue-scoped operations walked ({writes} writes refused to a viewer, {} audit records)",
        ops.len(),
        audit.len()
    );
}

// ---------------------------------------------------------------------------
// The realtime WebSocket function
// ---------------------------------------------------------------------------

fn ws_request(
    route: &str,
    connection: &str,
    query: &[(&str, &str)],
) -> ApiGatewayWebsocketProxyRequest {
    let mut req = ApiGatewayWebsocketProxyRequest::default();
    req.request_context.route_key = Some(route.to_owned());
    req.request_context.connection_id = Some(connection.to_owned());
    req.query_string_parameters = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect::<std::collections::HashMap<String, String>>()
        .into();
    req
}

/// Neither of a connection's documents exists (`what` refused it).
async fn assert_no_connection(docs: &DynamoDocuments, venue: &str, conn: &str, what: &str) {
    assert!(
        docs.list(realtime::CONNECTION_KIND, venue)
            .await
            .unwrap()
            .is_empty(),
        "{what} stored a connection"
    );
    assert!(
        docs.get(realtime::CONNECTION_INDEX_KIND, conn, conn)
            .await
            .unwrap()
            .is_none(),
        "{what} stored a connection index"
    );
}

fn body_json(res: &ApiGatewayProxyResponse) -> Value {
    match &res.body {
        Some(LambdaBody::Text(t)) => serde_json::from_str(t).expect("JSON body"),
        other => panic!("unexpected body {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn realtime_connect_checks_the_token_and_stores_the_connection_with_a_ttl() {
    let (aws, names) = aws_and_names().await;
    let docs = Arc::new(DynamoDocuments::new(
        aws.dynamodb.clone(),
        names.app.clone(),
    ));
    let connections = realtime::Connections::new(auth(), docs.clone());
    let venue = unique("venue-ws");
    let conn = unique("conn");

    // Refused: no token, a forged token, a token for another venue, no venue.
    let forged = issue_token(
        &AuthConfig::new("not-the-secret"),
        "mallory",
        std::slice::from_ref(&venue),
        true,
        Duration::hours(1),
    );
    for (query, want) in [
        (vec![("venue", venue.as_str())], 401),
        (
            vec![("venue", venue.as_str()), ("token", forged.as_str())],
            401,
        ),
        (vec![("venue", venue.as_str()), ("token", "garbage")], 401),
        (
            vec![("venue", venue.as_str()), ("token", &token(&["elsewhere"]))],
            403,
        ),
        (vec![("token", &token(&[&venue]))], 400),
    ] {
        let res = connections
            .handle(&ws_request("$connect", &conn, &query))
            .await;
        assert_eq!(res.status_code, want, "{query:?}: {:?}", res.body);
        assert!(body_json(&res)["error"]["message"].is_string());
    }
    assert_no_connection(docs.as_ref(), &venue, &conn, "a refused connect").await;

    // Accepted.
    let good = token(&[&venue]);
    let res = connections
        .handle(&ws_request(
            "$connect",
            &conn,
            &[("venue", &venue), ("token", &good)],
        ))
        .await;
    assert_eq!(res.status_code, 200, "{:?}", res.body);
    let stored = docs.list(realtime::CONNECTION_KIND, &venue).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["connectionId"], conn.as_str());
    assert_eq!(stored[0]["venueId"], venue.as_str());
    assert_eq!(stored[0]["sub"], "contract-test");
    assert!(
        chrono::DateTime::parse_from_rfc3339(stored[0]["connectedAt"].as_str().unwrap()).is_ok()
    );
    let index = docs
        .get(realtime::CONNECTION_INDEX_KIND, &conn, &conn)
        .await
        .unwrap()
        .expect("index document");
    assert_eq!(index["venueId"], venue.as_str());

    // The TTL attribute is about two hours out.
    let item = aws
        .dynamodb
        .get_item()
        .table_name(&names.app)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(storage::keys::doc_pk(
                realtime::CONNECTION_KIND,
                &venue,
            )),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S(conn.clone()),
        )
        .send()
        .await
        .unwrap();
    let expires: i64 = item
        .item()
        .and_then(|i| i.get("expiresAt"))
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .expect("expiresAt");
    let ttl = expires - Utc::now().timestamp();
    assert!(
        (2 * 3600 - 120..=2 * 3600 + 5).contains(&ttl),
        "TTL {ttl} s"
    );

    // $default pongs; $disconnect removes both documents.
    let pong = connections
        .handle(&ws_request("$default", &conn, &[]))
        .await;
    assert_eq!(
        (pong.status_code, body_json(&pong)["type"].clone()),
        (200, Value::from("pong"))
    );
    let bye = connections
        .handle(&ws_request("$disconnect", &conn, &[]))
        .await;
    assert_eq!(bye.status_code, 200);
    assert!(
        docs.list(realtime::CONNECTION_KIND, &venue)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        docs.get(realtime::CONNECTION_INDEX_KIND, &conn, &conn)
            .await
            .unwrap()
            .is_none()
    );
}

// ---------------------------------------------------------------------------
// DynamoDB round trips per dashboard load
// ---------------------------------------------------------------------------

/// Counts the DynamoDB operations the API makes: once per operation, so an
/// SDK retry (a slow emulator under parallel tests) does not count as a round trip.
#[derive(Debug, Clone, Default)]
struct CountRequests(Arc<AtomicUsize>);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_load_costs_at_most_three_dynamodb_round_trips() {
    let (mut aws, names) = aws_and_names().await;
    let venue = match std::env::var("ROUND_TRIPS_VENUE") {
        Ok(v) if !v.is_empty() => v,
        _ => {
            let v = unique("venue-rt");
            seed_venue(&aws, &names, &v).await;
            v
        }
    };
    let loads: usize = std::env::var("ROUND_TRIPS_LOADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let counter = CountRequests::default();
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws.sdk_config)
        .interceptor(counter.clone())
        .build();
    aws.dynamodb = aws_sdk_dynamodb::Client::from_conf(conf);
    let app = app(&aws, &names);
    let token = token(&[&venue]);
    let path = format!("/api/dashboards/{venue}");
    for _ in 0..loads {
        let reply = call(&app, &Method::GET, &path, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    let total = counter.0.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let per_load = total as f64 / loads as f64;
    println!(
        "ROUND_TRIPS venue={venue} loads={loads} dynamodb_requests={total} per_load={per_load:.2}"
    );
    assert!(
        per_load <= 3.0,
        "{per_load} DynamoDB round trips per dashboard load (bar: 3)"
    );
}

// ---------------------------------------------------------------------------
// Fail closed: the deployed configuration refuses the development secret
// ---------------------------------------------------------------------------

/// The auth configuration `binary` starts with when deployed: its environment
/// as the template declares it (globals, then its own; parameters at their
/// defaults), read by the same `AuthConfig::from_vars` the Lambda calls.
/// A function's environment as CloudFormation resolves it on AWS, parameters
/// at their defaults (the Cognito sign-in).
fn deployed_env(binary: &str) -> std::collections::HashMap<String, String> {
    use runner::template::Stack;
    let stack = Stack::load(&tests::root().join("infra/template.yaml")).expect("the template");
    let function = stack
        .functions
        .iter()
        .find(|f| f.binary == binary)
        .unwrap_or_else(|| panic!("no function runs {binary}"));
    let deployed = |id: &str| match id {
        "AWS::Region" => Some("us-east-1".to_owned()),
        "UserPool" => Some("us-east-1_TestPool".to_owned()),
        "UserPoolClient" => Some("test-dashboard-client".to_owned()),
        "UserPoolDomain" => Some("venue-analytics-test".to_owned()),
        _ => None,
    };
    stack.local_env(function, &deployed).into_iter().collect()
}

fn deployed_auth(binary: &str) -> AuthConfig {
    let env = deployed_env(binary);
    AuthConfig::from_vars(|k| env.get(k).cloned())
        .unwrap_or_else(|e| panic!("{binary} would not start: {e}"))
}

#[test]
fn the_deployed_page_signs_in_at_the_user_pool_with_pkce() {
    let env = deployed_env("dashboard-api");
    let sign_in = api::sign_in::SignIn::from_vars(|k| env.get(k).cloned())
        .unwrap_or_else(|e| panic!("dashboard-api would not start: {e}"));
    let base = "https://venue-analytics-test.auth.us-east-1.amazoncognito.com";
    assert_eq!(
        sign_in,
        api::sign_in::SignIn::Oauth {
            authorize_url: format!("{base}/oauth2/authorize"),
            token_url: format!("{base}/oauth2/token"),
            client_id: "test-dashboard-client".into(),
            scopes: api::sign_in::DEFAULT_SCOPES.into(),
            logout_url: Some(format!("{base}/logout")),
        }
    );
    // The page's audience is the authorizer's: a token it obtains is accepted.
    assert_eq!(
        deployed_auth("dashboard-api").audience.as_deref(),
        Some("test-dashboard-client")
    );
}

/// A token forged with the public development secret, with the deployed
/// issuer and audience: as good a forgery as reading the repository allows.
fn forged_admin(deployed: &AuthConfig, venue: &str) -> String {
    let mut cfg = AuthConfig::dev();
    cfg.issuer.clone_from(&deployed.issuer);
    cfg.audience.clone_from(&deployed.audience);
    issue_token(
        &cfg,
        "mallory",
        &[venue.to_owned()],
        true,
        Duration::hours(1),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dev_secret_token_is_refused_by_every_deployed_entry_point() {
    let (aws, names) = aws_and_names().await;
    let venue = unique("venue-forged");
    seed_venue(&aws, &names, &venue).await;

    // HTTP: every operation of the OpenAPI document.
    let deployed = deployed_auth("dashboard-api");
    let forged = forged_admin(&deployed, &venue);
    let mut state = runner::wiring::api_state(&aws, &names, api::hub::RealtimeHub::default())
        .expect("API state");
    state.auth = Arc::new(deployed);
    let app = api::app(state);
    let doc = call(&app, &Method::GET, "/api/openapi.json", None).await;
    let doc = doc.json.expect("OpenAPI JSON");
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let path = &concrete(path, &venue);
            if call(&app, &method, path, None).await.status != StatusCode::UNAUTHORIZED {
                continue; // public without a token (the page, the OpenAPI document)
            }
            let reply = call(&app, &method, path, Some(&forged)).await;
            assert_json_error(
                &reply,
                StatusCode::UNAUTHORIZED,
                &format!("{method} {path} with a dev-secret token"),
            );
            walked += 1;
        }
    }
    assert!(walked >= 20, "only {walked} operations walked");

    // WebSocket: $connect.
    let deployed = deployed_auth("realtime");
    let forged = forged_admin(&deployed, &venue);
    let docs = Arc::new(DynamoDocuments::new(
        aws.dynamodb.clone(),
        names.app.clone(),
    ));
    let connections = realtime::Connections::new(deployed, docs.clone());
    let conn = unique("conn-forged");
    let res = connections
        .handle(&ws_request(
            "$connect",
            &conn,
            &[("venue", &venue), ("token", &forged)],
        ))
        .await;
    assert_eq!(res.status_code, 401, "{:?}", res.body);
    assert_no_connection(docs.as_ref(), &venue, &conn, "a forged connect").await;
    eprintln!("fail closed: {walked} HTTP operations and $connect refuse a dev-secret token");
}

// ---------------------------------------------------------------------------
// An identity provider's tokens (RS256/ES256 against its published keys)
// ---------------------------------------------------------------------------

/// The deployed configuration pointed at a local issuer: what a function
/// reads on AWS, with the issuer's key set on loopback.
fn issuer_auth(issuer: &tests::issuer::Issuer, audience: &str) -> AuthConfig {
    let jwks = format!("{}/.well-known/jwks.json", issuer.url);
    AuthConfig::from_vars(|k| match k {
        "ANALYTICS_JWT_ISSUER" => Some(issuer.url.clone()),
        "ANALYTICS_JWT_AUDIENCE" => Some(audience.to_owned()),
        "ANALYTICS_JWKS_URL" => Some(jwks.clone()),
        _ => None,
    })
    .expect("an issuer configuration")
}

/// Checks one token on both deployed entry points: `GET /api/dashboards/{venue}`
/// and the realtime `$connect`; `want` is the HTTP status both must answer.
async fn both_entry_points(
    app: &Router,
    connections: &realtime::Connections,
    docs: &DynamoDocuments,
    venue: &str,
    token: &str,
    want: StatusCode,
    what: &str,
) {
    let reply = call(
        app,
        &Method::GET,
        &format!("/api/dashboards/{venue}"),
        Some(token),
    )
    .await;
    if want == StatusCode::OK {
        assert_eq!(reply.status, want, "HTTP, {what}: {}", reply.text);
    } else {
        assert_json_error(&reply, want, &format!("HTTP, {what}"));
    }
    let conn = unique("conn-idp");
    let res = connections
        .handle(&ws_request(
            "$connect",
            &conn,
            &[("venue", venue), ("token", token)],
        ))
        .await;
    assert_eq!(
        res.status_code,
        i64::from(want.as_u16()),
        "$connect, {what}: {:?}",
        res.body
    );
    let stored = docs
        .get(realtime::CONNECTION_KIND, venue, &conn)
        .await
        .unwrap()
        .is_some();
    assert_eq!(stored, want == StatusCode::OK, "$connect, {what}: stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issuers_tokens_are_verified_against_its_published_keys() {
    use tests::issuer::{Issuer, SigningKey, unsigned};
    let (aws, names) = aws_and_names().await;
    let venue = unique("venue-idp");
    seed_venue(&aws, &names, &venue).await;
    let rs = SigningKey::rs256("rs-1");
    let es = SigningKey::es256("es-1");
    let attacker = SigningKey::rs256("rs-1");
    let issuer = Issuer::start(&[&rs, &es]).await;
    let audience = "venue-analytics-client";
    let auth = issuer_auth(&issuer, audience);

    let mut state = runner::wiring::api_state(&aws, &names, api::hub::RealtimeHub::default())
        .expect("API state");
    state.auth = Arc::new(auth.clone());
    let app = api::app(state);
    let docs = Arc::new(DynamoDocuments::new(
        aws.dynamodb.clone(),
        names.app.clone(),
    ));
    let connections = realtime::Connections::new(auth.clone(), docs.clone());

    let now = Utc::now().timestamp();
    let claims = |f: &dyn Fn(&mut Value)| {
        let mut c = serde_json::json!({
            "sub": "alice", "iss": issuer.url, "aud": audience,
            "venues": [venue], "iat": now, "exp": now + 600,
        });
        f(&mut c);
        c
    };
    let ok = StatusCode::OK;
    let unauthorized = StatusCode::UNAUTHORIZED;
    let check = |token: String, want: StatusCode, what: &'static str| {
        let (app, connections, docs, venue) = (&app, &connections, docs.as_ref(), &venue);
        async move { both_entry_points(app, connections, docs, venue, &token, want, what).await }
    };

    check(rs.sign(&claims(&|_| {}), None), ok, "a valid RS256 token").await;
    // A Cognito access token: the app client in `client_id`, venues as groups.
    let cognito = claims(&|c| {
        c.as_object_mut().unwrap().remove("aud");
        c.as_object_mut().unwrap().remove("venues");
        c["client_id"] = audience.into();
        c["cognito:groups"] = serde_json::json!(["viewer", format!("venue:{venue}")]);
    });
    check(
        es.sign(&cognito, None),
        ok,
        "a Cognito-style ES256 access token",
    )
    .await;

    let attacks: Vec<(String, &str)> = vec![
        (
            rs.sign(&claims(&|c| c["iss"] = "https://evil.example".into()), None),
            "another issuer",
        ),
        (
            rs.sign(&claims(&|c| c["aud"] = "another-app".into()), None),
            "another audience",
        ),
        (
            rs.sign(&claims(&|c| c["exp"] = (now - 3600).into()), None),
            "an expired token",
        ),
        (
            rs.sign(&claims(&|_| {}), Some("rs-unknown")),
            "a kid the issuer does not publish",
        ),
        (
            attacker.sign(&claims(&|_| {}), None),
            "the issuer's kid, signed with another key",
        ),
        (
            es.sign(&claims(&|_| {}), Some("rs-1")),
            "an ES256 signature under an RSA kid",
        ),
        (unsigned(&claims(&|_| {})), "alg: none"),
        (
            {
                let mut dev = AuthConfig::dev();
                dev.issuer = Some(issuer.url.clone());
                dev.audience = Some(audience.to_owned());
                issue_token(
                    &dev,
                    "mallory",
                    std::slice::from_ref(&venue),
                    true,
                    Duration::hours(1),
                )
            },
            "HS256 signed with the dev secret",
        ),
        (
            // Algorithm confusion: the RSA public key used as an HMAC secret.
            issue_token(
                &AuthConfig::new(rs.jwk()["n"].as_str().unwrap()),
                "mallory",
                std::slice::from_ref(&venue),
                true,
                Duration::hours(1),
            ),
            "HS256 keyed with the issuer's public key",
        ),
    ];
    for (token, what) in attacks {
        check(token, unauthorized, what).await;
    }
    check(
        rs.sign(
            &claims(&|c| c["venues"] = serde_json::json!(["another-venue"])),
            None,
        ),
        StatusCode::FORBIDDEN,
        "a valid token for another venue",
    )
    .await;

    // A flood of made-up kids reads the key set at most once per refresh floor.
    let reads = issuer.reads();
    for k in 0..5 {
        let kid = format!("made-up-{k}");
        check(
            rs.sign(&claims(&|_| {}), Some(&kid)),
            unauthorized,
            "a made-up kid",
        )
        .await;
    }
    assert!(
        issuer.reads() - reads <= 1,
        "{} reads",
        issuer.reads() - reads
    );

    // Rotation: a new key is published; a verifier past its refresh floor reads it.
    let rotated = SigningKey::rs256("rs-2");
    issuer.publish(&rotated);
    let keys = api::jwks::IssuerKeys::new(
        issuer.url.clone(),
        Some(audience.to_owned()),
        format!("{}/.well-known/jwks.json", issuer.url),
    )
    .refresh_floor(std::time::Duration::ZERO);
    let fresh = AuthConfig::new("an-hs256-secret-of-the-deployment").with_issuer_keys(keys);
    let before = fresh.verify_bearer(&rs.sign(&claims(&|_| {}), None)).await;
    assert!(before.is_ok(), "{before:?}");
    let claims_after = fresh
        .verify_bearer(&rotated.sign(&claims(&|_| {}), None))
        .await
        .expect("a token of the rotated key");
    assert_eq!(claims_after.venues, std::slice::from_ref(&venue));
    eprintln!(
        "issuer tokens: 2 accepted, 9 attacks refused on HTTP and $connect, key set read {} times",
        issuer.reads()
    );
}

// ---------------------------------------------------------------------------
// Share links
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_link_reads_its_scope_only_until_revoked_or_expired() {
    let (aws, names) = aws_and_names().await;
    let venue = unique("venue-share");
    let other = unique("venue-share-other");
    seed_venue(&aws, &names, &venue).await;
    seed_venue(&aws, &names, &other).await;
    let app = app(&aws, &names);
    let manager = token(&[&venue]);
    let venues = call(&app, &Method::GET, "/api/venues", Some(&manager)).await;
    let venues = venues.json.expect("venues JSON");
    let show = venues["venues"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["venueId"] == venue.as_str()))
        .and_then(|v| v["shows"][0]["eventId"].as_str())
        .unwrap_or_else(|| panic!("a show of {venue}: {venues}"))
        .to_owned();

    let create = |body: String| {
        let (app, manager, venue) = (&app, &manager, &venue);
        async move {
            let r = call_with(
                app,
                &Method::POST,
                &format!("/api/share-links/{venue}"),
                Some(manager),
                &body,
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            r.json.expect("link JSON")
        }
    };
    let venue_link = create(r#"{"label":"promoter"}"#.into()).await;
    let show_link = create(format!(r#"{{"eventId":"{show}","expiresInHours":2}}"#)).await;
    let vt = venue_link["token"].as_str().unwrap().to_owned();
    let st = show_link["token"].as_str().unwrap().to_owned();
    assert!(
        venue_link["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("/?token={vt}#venue="))
    );

    let get = |path: String, t: String| {
        let app = &app;
        async move { call(app, &Method::GET, &path, Some(&t)).await }
    };
    // A link reads through `/share/…` only (on AWS the gateway's authorizer
    // refuses it on `/api/…` too; here the function does, whatever the
    // gateway): the same answers a signed-in manager gets.
    let shared = get(format!("/share/api/dashboards/{venue}"), vt.clone()).await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
    let signed_in = get(format!("/api/dashboards/{venue}"), manager.clone()).await;
    let without_clock = |r: &Reply| {
        let mut v = r.json.clone().expect("dashboard JSON");
        v.as_object_mut().map(|o| o.remove("updatedAt"));
        v
    };
    assert_eq!(
        without_clock(&shared),
        without_clock(&signed_in),
        "/share answers what /api answers"
    );
    assert_json_error(
        &get(format!("/api/dashboards/{venue}"), vt.clone()).await,
        StatusCode::UNAUTHORIZED,
        "a share link on /api",
    );
    assert_json_error(
        &get(format!("/share/api/dashboards/{venue}"), manager.clone()).await,
        StatusCode::UNAUTHORIZED,
        "a JWT under /share",
    );
    assert_json_error(
        &call(
            &app,
            &Method::GET,
            &format!("/share/api/dashboards/{venue}"),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "no token under /share",
    );
    // The show link reads that show only.
    let ok = get(
        format!("/share/api/dashboards/{venue}?eventId={show}"),
        st.clone(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    for path in [
        format!("/share/api/dashboards/{venue}"),
        format!("/share/api/dashboards/{venue}?eventId=another-show"),
    ] {
        assert_json_error(
            &get(path.clone(), st.clone()).await,
            StatusCode::FORBIDDEN,
            &path,
        );
    }
    let listed = get("/share/api/venues".into(), st.clone()).await;
    let shows = &listed.json.expect("venues JSON")["venues"][0]["shows"];
    assert_eq!(
        shows.as_array().map(|s| s.len()),
        Some(1),
        "a show link lists its show only: {shows}"
    );
    // Every venue-scoped operation: on another venue refused to both links
    // (401 on /api, 403 on /share); on its own venue, anything but reading
    // the dashboard's routes (people, settings, writes) is 403 on /share.
    let doc = call(&app, &Method::GET, "/api/openapi.json", None).await;
    let ops = venue_scoped_operations(doc.json.as_ref().expect("OpenAPI JSON"));
    let shared_routes = api::routes::share_links::SHARED_ROUTES;
    let mut refused_own = 0;
    for (method, template) in &ops {
        for (t, what) in [(&vt, "venue link"), (&st, "show link")] {
            for (prefix, status) in [
                ("", StatusCode::UNAUTHORIZED),
                ("/share", StatusCode::FORBIDDEN),
            ] {
                let foreign = call(
                    &app,
                    method,
                    &format!("{prefix}{}", concrete(template, &other)),
                    Some(t),
                )
                .await;
                assert_json_error(
                    &foreign,
                    status,
                    &format!("{method} {prefix}{template} on another venue with a {what}"),
                );
            }
            if !api::access::is_read(method) || !shared_routes.contains(&template.as_str()) {
                let own = call(
                    &app,
                    method,
                    &format!("/share{}", concrete(template, &venue)),
                    Some(t),
                )
                .await;
                assert_json_error(
                    &own,
                    StatusCode::FORBIDDEN,
                    &format!("{method} /share{template} with a {what}"),
                );
                refused_own += 1;
            }
        }
    }
    assert!(
        ops.iter()
            .any(|(m, t)| api::access::is_read(m) && t == "/api/customers/{venueId}"),
        "the customers route is among the operations checked"
    );
    // A tampered secret, and malformed links: refused, never an error.
    let tampered = format!("{}x", &vt[..vt.len() - 1]);
    let b64_venue = vt.split('.').nth(1).unwrap().to_owned();
    for bad in [
        tampered,
        format!("share.{b64_venue}..x"),
        "share....".to_owned(),
        "share...x".to_owned(),
        format!("share.{b64_venue}.{}", "0".repeat(32)),
        format!("share.{b64_venue}.{}.x", "z".repeat(32)),
        format!("share.Kg.{}.x", "0".repeat(32)),
    ] {
        assert_json_error(
            &get(format!("/share/api/dashboards/{venue}"), bad.clone()).await,
            StatusCode::UNAUTHORIZED,
            &format!("the link {bad:?}"),
        );
    }

    // Listed without secrets; revoked, it stops working at once.
    let list = call(
        &app,
        &Method::GET,
        &format!("/api/share-links/{venue}"),
        Some(&manager),
    )
    .await;
    let links = list.json.expect("list JSON")["links"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(links.len(), 2);
    assert!(
        !list.text.contains(vt.rsplit('.').next().unwrap()),
        "a listed link holds no secret"
    );
    let id = venue_link["linkId"].as_str().unwrap();
    let revoked = call(
        &app,
        &Method::DELETE,
        &format!("/api/share-links/{venue}/{id}"),
        Some(&manager),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text);
    assert_json_error(
        &get(format!("/share/api/dashboards/{venue}"), vt).await,
        StatusCode::UNAUTHORIZED,
        "a revoked link",
    );

    // Expired: the stored expiry moved into the past.
    let docs = DynamoDocuments::new(aws.dynamodb.clone(), names.app.clone());
    let sid = show_link["linkId"].as_str().unwrap();
    let mut stored = docs
        .get(api::routes::share_links::KIND, &venue, sid)
        .await
        .unwrap()
        .unwrap();
    stored["expiresAt"] = serde_json::json!((Utc::now() - Duration::minutes(1)).to_rfc3339());
    docs.put(api::routes::share_links::KIND, &venue, sid, &stored, None)
        .await
        .unwrap();
    assert_json_error(
        &get(format!("/share/api/dashboards/{venue}?eventId={show}"), st).await,
        StatusCode::UNAUTHORIZED,
        "an expired link",
    );
    eprintln!(
        "share links: {} operations on another venue refused to both links, on /api and /share; {refused_own} on their own venue refused under /share",
        ops.len()
    );
}
