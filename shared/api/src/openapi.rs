//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations as the router is built (so the two cannot drift).

use std::sync::OnceLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;

/// Name of the bearer-JWT security scheme the routes reference.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Venue Analytics API",
        description = "Analytics for a ticketing platform's venues. Venue-scoped routes are `/api/<group>/{venueId}[/…]`. Errors are `{\"error\", \"status\"}`; money is integer minor units."
    ),
    modifiers(&BearerScheme),
    components(schemas(ErrorBody)),
    tags(
        (name = "health"), (name = "venues"), (name = "dashboards"), (name = "metrics"), (name = "analytics"),
        (name = "realtime"), (name = "widgets"), (name = "customers"), (name = "campaigns"), (name = "insights"),
        (name = "predictions"), (name = "alerts"), (name = "reports"), (name = "exports"), (name = "share-links"), (name = "page")
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Error responses of venue-scoped routes.
#[derive(utoipa::IntoResponses)]
pub enum VenueErrors {
    /// Bad query or body.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// Missing, expired or invalid token.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The token does not grant this venue, or its role may not make this call (viewers only read).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Unknown venue (or item).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Storage temporarily unavailable.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Error responses of admin routes.
#[derive(utoipa::IntoResponses)]
pub enum AdminErrors {
    /// Missing, expired or invalid token.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Not an admin token.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Storage temporarily unavailable.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = crate::routes::api_router().split_for_parts().1;
        annotate_roles(&mut doc);
        doc
    })
}

/// Marks every authenticated operation with the least role it needs
/// (`x-required-role`): `admin` for admin routes, `manager` for a write,
/// `viewer` for a read — the same rules `access` enforces.
fn annotate_roles(doc: &mut utoipa::openapi::OpenApi) {
    use crate::auth::Role;
    for item in doc.paths.paths.values_mut() {
        use axum::http::Method;
        let ops = [
            (Method::GET, &mut item.get),
            (Method::HEAD, &mut item.head),
            (Method::POST, &mut item.post),
            (Method::PUT, &mut item.put),
            (Method::PATCH, &mut item.patch),
            (Method::DELETE, &mut item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op.as_mut() else { continue };
            let read = crate::access::is_read(&method);
            // Authenticated: a bearer requirement, or a token in the query (401 documented).
            let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty())
                || op.responses.responses.contains_key("401");
            if !authenticated {
                continue;
            }
            let admin_only = matches!(
                op.responses.responses.get("403"),
                Some(utoipa::openapi::RefOr::T(r)) if r.description == ADMIN_FORBIDDEN
            );
            let role = match (admin_only, read) {
                (true, _) => Role::Admin,
                (false, true) => Role::Viewer,
                (false, false) => Role::Manager,
            };
            op.extensions
                .get_or_insert_with(Default::default)
                .insert("x-required-role".into(), role.as_str().into());
        }
    }
}

/// The 403 description of [`AdminErrors`], which marks an admin route.
const ADMIN_FORBIDDEN: &str = "Not an admin token.";

/// A string schema limited to `values` (for query parameters parsed by hand).
pub fn string_enum(values: impl IntoIterator<Item = &'static str>) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
}

/// An RFC 3339 date-time string schema.
pub fn date_time() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{KnownFormat, SchemaFormat};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .build()
}
