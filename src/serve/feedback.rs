//! `POST /v1/feedback`: an operator's correction of a prediction, stored in the feedback
//! database (`--feedback-db`) before the 201 that says so.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::routes::{blocking, check_text};
use super::security::KeyName;
use super::state::AppState;
use crate::feedback::NewFeedback;

/// Longest `source` accepted, in characters.
pub(super) const MAX_SOURCE_CHARS: usize = 100;
/// Longest `note` accepted, in characters.
pub(super) const MAX_NOTE_CHARS: usize = 1000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The text as it was classified.
    #[schema(example = "来料检验未见异常")]
    pub text: String,
    /// The label the operator says is right: one of the model's labels.
    #[schema(example = "positive")]
    pub label: String,
    /// What the model answered, when the client kept it: with it, agreement is counted.
    #[serde(default)]
    #[schema(example = "negative")]
    pub predicted: Option<String>,
    /// The `X-Request-Id` of the prediction this corrects.
    #[serde(default)]
    pub request_id: Option<String>,
    /// Where the correction came from: a dashboard, a line, a shift (at most 100 characters).
    #[serde(default)]
    #[schema(example = "mes-dashboard/line-4")]
    pub source: Option<String>,
    /// Free text from the operator (at most 1000 characters).
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackStored {
    /// The row's id in the feedback database.
    pub id: i64,
    /// The model (and the version serving when it arrived) the correction is for.
    pub model: String,
    pub model_version: String,
}

#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum FeedbackOutcomes {
    #[response(status = 201, description = "Stored: the row is on disk")]
    Stored(FeedbackStored),
    #[response(status = 400, description = "Malformed JSON")]
    Malformed(ErrorBody),
    #[response(status = 401, description = "Missing or invalid API key")]
    Unauthorized(ErrorBody),
    #[response(status = 403, description = "The key lacks the feedback scope")]
    Forbidden(ErrorBody),
    #[response(
        status = 408,
        description = "The body did not arrive within the body timeout"
    )]
    BodyTimeout(ErrorBody),
    #[response(status = 415, description = "Content-Type is not application/json")]
    WrongType(ErrorBody),
    #[response(
        status = 404,
        description = "No model by that name, or feedback is not stored (no --feedback-db)"
    )]
    NotFound(ErrorBody),
    #[response(status = 413, description = "Text or body over the limit")]
    TooLarge(ErrorBody),
    #[response(
        status = 422,
        description = "Missing or mistyped field, empty text, a label the model does not have, or a field over its limit"
    )]
    Invalid(ErrorBody),
    #[response(
        status = 503,
        description = "The feedback database cannot take the row (full disk, read-only file); predictions go on"
    )]
    Unavailable(ErrorBody),
}

/// Store an operator's correction for the default model.
#[utoipa::path(post, path = "/v1/feedback", tag = "feedback",
    request_body = FeedbackRequest, responses(FeedbackOutcomes))]
pub async fn feedback(
    State(state): State<AppState>,
    key: Option<Extension<KeyName>>,
    ApiJson(request): ApiJson<FeedbackRequest>,
) -> Result<(StatusCode, axum::Json<FeedbackStored>), ApiError> {
    store(&state, None, key, request).await
}

/// Store an operator's correction for the named model.
#[utoipa::path(post, path = "/v1/models/{name}/feedback", tag = "feedback",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    request_body = FeedbackRequest, responses(FeedbackOutcomes))]
pub async fn feedback_model(
    State(state): State<AppState>,
    Path(name): Path<String>,
    key: Option<Extension<KeyName>>,
    ApiJson(request): ApiJson<FeedbackRequest>,
) -> Result<(StatusCode, axum::Json<FeedbackStored>), ApiError> {
    store(&state, Some(&name), key, request).await
}

async fn store(
    state: &AppState,
    name: Option<&str>,
    key: Option<Extension<KeyName>>,
    request: FeedbackRequest,
) -> Result<(StatusCode, axum::Json<FeedbackStored>), ApiError> {
    let Some(database) = state.feedback().cloned() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "feedback_disabled",
            "feedback is not stored on this server: start it with --feedback-db FILE",
        ));
    };
    let model = state.model(name)?;
    check_text(&request.text, state.limits().max_text_chars, "text")?;
    let details = &model.served.details;
    for (field, label) in [
        ("label", Some(&request.label)),
        ("predicted", request.predicted.as_ref()),
    ] {
        if let Some(label) = label
            && !details.labels.contains(label)
        {
            return Err(ApiError::unprocessable(
                "unknown_label",
                format!(
                    "{field} {label:?} is not a label of {} (its labels: {})",
                    details.name,
                    details.labels.join(", ")
                ),
            ));
        }
    }
    check_length("source", request.source.as_deref(), MAX_SOURCE_CHARS)?;
    check_length("note", request.note.as_deref(), MAX_NOTE_CHARS)?;
    if let Some(id) = &request.request_id
        && (id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(ApiError::unprocessable(
            "invalid_request_id",
            "request_id must be 1 to 64 printable ASCII characters, as X-Request-Id is",
        ));
    }
    let agreement = match &request.predicted {
        None => "unknown",
        Some(predicted) if *predicted == request.label => "agreed",
        Some(_) => "corrected",
    };
    let row = NewFeedback {
        model: details.name.clone(),
        model_version: details.version.clone(),
        text: request.text,
        label: request.label,
        predicted: request.predicted,
        request_id: request.request_id,
        source: request.source,
        note: request.note,
        key: key.map(|Extension(KeyName(name))| name),
    };
    let stored = blocking(move || database.insert(&row))
        .await?
        .map_err(|error| {
            tracing::error!(%error, "feedback not stored");
            metrics::counter!("textserve_feedback_failures_total").increment(1);
            ApiError {
                code: "feedback_unavailable",
                ..ApiError::unavailable(
                    "the feedback database cannot take the correction now (see the server's log); \
                 predictions are not affected",
                )
            }
        })?;
    metrics::counter!("textserve_feedback_total", "model" => details.name.clone(), "agreement" => agreement)
        .increment(1);
    Ok((
        StatusCode::CREATED,
        axum::Json(FeedbackStored {
            id: stored,
            model: details.name.clone(),
            model_version: details.version.clone(),
        }),
    ))
}

fn check_length(field: &str, value: Option<&str>, max_chars: usize) -> Result<(), ApiError> {
    match value {
        Some(value) if value.chars().count() > max_chars => Err(ApiError::unprocessable(
            "field_too_long",
            format!("{field} is longer than {max_chars} characters"),
        )),
        _ => Ok(()),
    }
}
