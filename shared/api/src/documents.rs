//! Typed access to the [`DocumentStore`](domain::ports::DocumentStore)
//! collections the API owns, and download links for stored objects.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How long a presigned download link stays valid.
pub const DOWNLOAD_LINK_SECS: u64 = 900;

/// All documents of `kind` that parse as `T` (malformed ones are logged and skipped).
pub async fn list<T: DeserializeOwned>(
    state: &AppState,
    kind: &str,
    venue: &str,
) -> ApiResult<Vec<T>> {
    let docs = state.docs.list(kind, venue).await?;
    Ok(docs
        .into_iter()
        .filter_map(|doc| match serde_json::from_value(doc) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(kind, venue, error = %e, "skipping a malformed document");
                None
            }
        })
        .collect())
}

/// Deletes a document: 204, or 404 naming `what` when there was none.
pub async fn delete(
    state: &AppState,
    kind: &str,
    venue: &str,
    id: &str,
    what: &str,
) -> ApiResult<axum::http::StatusCode> {
    if state.docs.delete(kind, venue, id).await? {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no {what} {id:?}")))
    }
}

pub async fn get<T: DeserializeOwned>(
    state: &AppState,
    kind: &str,
    venue: &str,
    id: &str,
) -> ApiResult<Option<T>> {
    match state.docs.get(kind, venue, id).await? {
        None => Ok(None),
        Some(doc) => serde_json::from_value(doc)
            .map(Some)
            .map_err(|e| ApiError::Internal(format!("stored {kind} {id} is malformed: {e}"))),
    }
}

pub async fn put<T: Serialize>(
    state: &AppState,
    kind: &str,
    venue: &str,
    id: &str,
    doc: &T,
) -> ApiResult<()> {
    let value = serde_json::to_value(doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(state.docs.put(kind, venue, id, &value, None).await?)
}

/// Adds `downloads: [{key, url}]` (presigned) for a document's `objectKeys`.
pub async fn with_downloads(state: &AppState, mut doc: Value) -> ApiResult<Value> {
    let keys: Vec<String> = doc
        .get("objectKeys")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut downloads = Vec::with_capacity(keys.len());
    for key in keys {
        let url = state
            .objects
            .presigned_get(&key, DOWNLOAD_LINK_SECS)
            .await?;
        downloads.push(serde_json::json!({ "key": key, "url": url }));
    }
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("downloads".into(), Value::Array(downloads));
    }
    Ok(doc)
}
