//! Reading request bodies: a size and time bound on every body, and a JSON extractor whose
//! rejections come out in our error shape, with our status codes.

use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// How much of a request body is read, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    /// From the end of the headers to the last byte of the body.
    pub timeout: Duration,
}

impl From<&crate::config::ServeConfig> for BodyLimits {
    fn from(config: &crate::config::ServeConfig) -> Self {
        Self {
            max_bytes: config.body_limit.get(),
            timeout: Duration::from_millis(config.body_timeout_ms.get()),
        }
    }
}

/// The bulk stream's route: its body is read line by line as it arrives, not whole.
pub const STREAM_PATH: &str = "/v1/predict/stream";

/// Reads the whole body before any handler runs. The deadline covers the body as a whole, not
/// the gap between chunks, so a client trickling one byte at a time cannot hold a connection
/// (or delay shutdown) for longer than `timeout`. Reading stops at the size limit whether or
/// not a Content-Length was sent, so chunked bodies are bounded too.
pub async fn read_body_within_limits(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    // A stream's body is read line by line as it arrives, with limits of its own (stream.rs).
    if request.uri().path() == STREAM_PATH {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes =
        match tokio::time::timeout(limits.timeout, axum::body::to_bytes(body, limits.max_bytes))
            .await
        {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(error)) => return body_error(&error).into_response(),
            Err(_) => {
                return ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "body_timeout",
                    format!(
                        "the request body did not arrive within {} ms",
                        limits.timeout.as_millis()
                    ),
                )
                .into_response();
            }
        };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn body_error(error: &axum::Error) -> ApiError {
    let over_limit = std::error::Error::source(error)
        .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
    if over_limit {
        ApiError::body_too_large()
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request body could not be read",
        )
    }
}

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // The body is already in memory (read_body_within_limits), so looking at it is free.
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|error| body_error(&error))?;
        let is_array = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'[');
        let request = Request::from_parts(parts, Body::from(bytes));
        match axum::Json::<T>::from_request(request, state).await {
            // serde reads a struct from a JSON array of its fields in order too, so
            // `["text"]` would pass for `{"text": ...}`: requests are objects, as the spec says.
            Ok(_) if is_array => Err(ApiError::unprocessable(
                "invalid_request",
                "the request body must be a JSON object, not an array",
            )),
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
    let message = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => ApiError::unprocessable("invalid_request", message),
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", message)
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "expected a request body with Content-Type: application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::body_too_large(),
        other => ApiError::new(other.status(), "bad_request", message),
    }
}

/// JSON Schema counts `3.0` as an integer and serde does not: optional integer fields of
/// requests take both, so every request the spec calls valid is accepted.
pub fn optional_integer<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    use serde::de::Error;
    let Some(number) =
        <Option<serde_json::Number> as serde::Deserialize>::deserialize(deserializer)?
    else {
        return Ok(None);
    };
    // 2^64 as a float: the first value past u64::MAX.
    const PAST_U64: f64 = 18_446_744_073_709_551_616.0;
    let value = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..PAST_U64).contains(f))
            .map(|f| f as u64)
    });
    let value = value.ok_or_else(|| {
        D::Error::custom(format!("expected a non-negative integer, got {number}"))
    })?;
    T::try_from(value)
        .map(Some)
        .map_err(|_| D::Error::custom(format!("{value} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Fields {
        #[serde(default, deserialize_with = "optional_integer")]
        small: Option<u32>,
    }

    fn small(json: &str) -> Result<Option<u32>, serde_json::Error> {
        serde_json::from_str::<Fields>(json).map(|f| f.small)
    }

    #[test]
    fn integers_may_be_written_as_integral_floats() {
        assert_eq!(small("{}").unwrap(), None);
        assert_eq!(small(r#"{"small": null}"#).unwrap(), None);
        assert_eq!(small(r#"{"small": 7}"#).unwrap(), Some(7));
        assert_eq!(small(r#"{"small": 7.0}"#).unwrap(), Some(7));
        assert_eq!(small(r#"{"small": 7e2}"#).unwrap(), Some(700));
        for bad in ["7.5", "-1", "-1.0", "4294967296", "1e30", "\"7\""] {
            assert!(small(&format!(r#"{{"small": {bad}}}"#)).is_err(), "{bad}");
        }
    }
}
