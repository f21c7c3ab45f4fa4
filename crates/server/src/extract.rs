//! Our own extractors, so every rejection (bad JSON, unknown fields, oversized bodies,
//! bad paths and queries) answers with the one error envelope and names the problem.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::limits::BODY_BYTES_MAX;

/// A JSON body; the raw bytes are kept because a signed request is verified over them.
#[derive(Debug)]
pub struct Json<T> {
    pub value: T,
    pub bytes: axum::body::Bytes,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::unsupported_media(
                "the body must be JSON: send `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(format!("the body is over {BODY_BYTES_MAX} bytes"))
                } else {
                    ApiError::bad_request("bad_body", format!("the body could not be read: {e}"))
                }
            })?;
        let value = parse_json(&bytes)?;
        Ok(Json { value, bytes })
    }
}

/// Parses a body, naming the line, the column and what serde expected.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let code = match e.classify() {
            serde_json::error::Category::Data => "bad_field",
            _ => "bad_json",
        };
        ApiError::bad_request(
            code,
            format!("body line {} column {}: {e}", e.line(), e.column()),
        )
    })
}

/// A path parameter, refused with the envelope.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| ApiError::bad_request("bad_path", e.body_text()))
    }
}

/// A query string, refused with the envelope.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| ApiError::bad_request("bad_query", e.body_text()))
    }
}
