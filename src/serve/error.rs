//! The one error type every response uses. It answers `{"error": {"code", "message"}}`, and
//! within [`ErrorShape::Protocol`] (the Open Inference Protocol's routes, see `v2`) the
//! protocol's own `{"error": "<message>"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds, sent as `Retry-After` (429 and 503).
    pub retry_after: Option<u32>,
}

/// The Open Inference Protocol's error body.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ProtocolError {
    #[schema(example = "unknown model \"x\"")]
    pub error: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    Api,
    Protocol,
}

tokio::task_local! {
    /// The shape errors take while a request is handled; [`ErrorShape::Api`] when unset.
    pub static ERROR_SHAPE: ErrorShape;
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case identifier for programs.
    #[schema(example = "empty_text")]
    pub code: String,
    /// Human-readable explanation.
    #[schema(example = "text must not be empty or only whitespace")]
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn too_large(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, code, message)
    }

    pub fn body_too_large() -> Self {
        Self::too_large(
            "body_too_large",
            "request body exceeds the configured limit (--body-limit)",
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn not_ready() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "model_not_ready",
                "the model is not loaded and warm yet",
            )
        }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
        }
    }

    pub fn worker_stopped() -> Self {
        Self::unavailable("an inference worker has stopped")
    }

    /// No answer within `--request-timeout-ms`.
    pub fn deadline_exceeded(timeout: std::time::Duration) -> Self {
        metrics::counter!("textserve_rejected_total", "reason" => "deadline").increment(1);
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "deadline_exceeded",
                format!(
                    "no answer within {} ms (--request-timeout-ms); the server is overloaded",
                    timeout.as_millis()
                ),
            )
        }
    }

    pub fn overloaded(queued: usize) -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "overloaded",
                format!("the inference queue is full ({queued} texts waiting); retry shortly"),
            )
        }
    }
}

impl From<crate::runtime::registry::RegistryError> for ApiError {
    fn from(error: crate::runtime::registry::RegistryError) -> Self {
        use crate::runtime::registry::RegistryError as E;
        let message = error.to_string();
        match error {
            E::Unknown(_) | E::NotInRepository(_) => Self::not_found(message),
            E::NotServed { .. } => Self {
                message,
                ..Self::not_ready()
            },
            E::Stopped(_) => Self::unavailable(message),
            // 404, not 400: any string is a well-formed name to look up, and one that could
            // name another path is simply not the name of a model in the repository.
            E::InvalidName(_) => Self::new(StatusCode::NOT_FOUND, "invalid_model_name", message),
            E::NameMismatch { .. } => {
                Self::new(StatusCode::CONFLICT, "model_name_mismatch", message)
            }
            E::AlreadyLoaded(_) => Self::new(StatusCode::CONFLICT, "already_loaded", message),
            E::DefaultModel(_) => Self::new(StatusCode::CONFLICT, "default_model", message),
            E::NoRepository => Self::new(StatusCode::CONFLICT, "no_repository", message),
            E::LoadFailed(_) => Self::unprocessable("load_failed", message),
            E::InvalidRollout(_) => Self::unprocessable("invalid_rollout", message),
            E::RolloutCandidate { .. } => {
                Self::new(StatusCode::CONFLICT, "rollout_candidate", message)
            }
        }
    }
}

impl From<crate::runtime::inference::InferenceError> for ApiError {
    fn from(error: crate::runtime::inference::InferenceError) -> Self {
        use crate::runtime::inference::InferenceError as E;
        match error {
            E::QueueFull(waiting) => {
                metrics::counter!("textserve_rejected_total", "reason" => "queue_full")
                    .increment(1);
                Self::overloaded(waiting)
            }
            E::Stopped => Self::worker_stopped(),
            // Only shadow work is refused this way, and it has no client to answer.
            E::NoIdleCore => Self::overloaded(0),
            E::ModelFailed(_) => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "model_failed",
                error.to_string(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let shape = ERROR_SHAPE
            .try_with(|shape| *shape)
            .unwrap_or(ErrorShape::Api);
        let mut response = match shape {
            ErrorShape::Api => {
                let body = ErrorBody {
                    error: ErrorDetail {
                        code: self.code.to_string(),
                        message: self.message,
                    },
                };
                (self.status, axum::Json(body)).into_response()
            }
            ErrorShape::Protocol => {
                let body = ProtocolError {
                    error: self.message,
                };
                (self.status, axum::Json(body)).into_response()
            }
        };
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A handler that panics answers 500 in the usual JSON shape and the server keeps serving;
/// the panic message goes to the log, not to the client.
pub fn catch_panics()
-> tower_http::catch_panic::CatchPanicLayer<fn(Box<dyn std::any::Any + Send>) -> Response> {
    fn to_response(panic: Box<dyn std::any::Any + Send>) -> Response {
        let detail = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown panic");
        tracing::error!(panic = %detail.escape_debug(), "handler panicked");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "internal error; the request was not processed",
        )
        .into_response()
    }
    tower_http::catch_panic::CatchPanicLayer::custom(to_response as fn(_) -> _)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("secret detail")
    }

    #[tokio::test]
    async fn panics_become_500_json_and_the_router_keeps_serving() {
        let app = axum::Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "ok" }))
            .layer(catch_panics());
        let response = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"]["code"], "internal_error");
        assert!(!String::from_utf8_lossy(&body).contains("secret detail"));
        let response = app
            .oneshot(Request::get("/fine").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
