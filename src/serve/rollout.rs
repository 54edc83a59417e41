//! Management routes that set a model's shadow and canary (`runtime/rollout.rs` does the
//! work). Like reload, load and unload they take the admin key and are audited.

use axum::extract::{Path, State};

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::state::AppState;
use crate::runtime::registry::ModelStatus;
use crate::runtime::rollout::{CanarySetting, ShadowSetting};

#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum RolloutOutcomes {
    #[response(
        status = 200,
        description = "Done; the model's state after it, its shadow and canary included"
    )]
    Done(ModelStatus),
    #[response(status = 400, description = "Malformed JSON")]
    Malformed(ErrorBody),
    #[response(status = 401, description = "Missing or invalid admin key")]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "Management is disabled: no admin key configured"
    )]
    Disabled(ErrorBody),
    #[response(status = 404, description = "No model (or candidate) by that name")]
    UnknownModel(ErrorBody),
    #[response(status = 413, description = "Body over the limit")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Content-Type is not application/json")]
    WrongType(ErrorBody),
    #[response(
        status = 422,
        description = "Out-of-range share, a model as its own candidate, a candidate with other labels, or a malformed body"
    )]
    Invalid(ErrorBody),
    #[response(
        status = 503,
        description = "The model or the candidate is not served yet"
    )]
    NotReady(ErrorBody),
}

/// Shadow a model with a loaded candidate: the candidate also computes `fraction` of the
/// requests the model answers, after each answer and only on idle cores; agreement and
/// probability differences go to `/metrics`. Needs the admin key.
#[utoipa::path(post, path = "/v1/models/{name}/shadow", tag = "models",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    request_body = ShadowSetting,
    responses(RolloutOutcomes))]
pub async fn set_shadow(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(setting): ApiJson<ShadowSetting>,
) -> Result<axum::Json<ModelStatus>, ApiError> {
    let (candidate, fraction) = (setting.candidate.clone(), setting.fraction);
    state.registry().set_shadow(&name, Some(setting), true)?;
    tracing::info!(model = %name, %candidate, fraction, "shadow set");
    Ok(axum::Json(state.registry().status(&name)?))
}

/// Stop shadowing a model. Needs the admin key.
#[utoipa::path(delete, path = "/v1/models/{name}/shadow", tag = "models",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    responses(RolloutOutcomes))]
pub async fn remove_shadow(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<axum::Json<ModelStatus>, ApiError> {
    state.registry().set_shadow(&name, None, true)?;
    tracing::info!(model = %name, "shadow removed");
    Ok(axum::Json(state.registry().status(&name)?))
}

/// Answer `percent` of a model's /v1 prediction requests with a loaded candidate, sticky per
/// routing key (`--canary-key-header`, else X-Request-Id); each response names the model and
/// version that answered. Needs the admin key.
#[utoipa::path(post, path = "/v1/models/{name}/canary", tag = "models",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    request_body = CanarySetting,
    responses(RolloutOutcomes))]
pub async fn set_canary(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiJson(setting): ApiJson<CanarySetting>,
) -> Result<axum::Json<ModelStatus>, ApiError> {
    let (candidate, percent) = (setting.candidate.clone(), setting.percent);
    state.registry().set_canary(&name, Some(setting), true)?;
    tracing::info!(model = %name, %candidate, percent, "canary set");
    Ok(axum::Json(state.registry().status(&name)?))
}

/// Send all of a model's requests back to it. Needs the admin key.
#[utoipa::path(delete, path = "/v1/models/{name}/canary", tag = "models",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    responses(RolloutOutcomes))]
pub async fn remove_canary(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<axum::Json<ModelStatus>, ApiError> {
    state.registry().set_canary(&name, None, true)?;
    tracing::info!(model = %name, "canary removed");
    Ok(axum::Json(state.registry().status(&name)?))
}
