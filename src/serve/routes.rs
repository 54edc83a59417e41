//! HTTP handlers. Each carries its OpenAPI description; `openapi.rs` collects them.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::state::AppState;
use crate::runtime::drift;
use crate::runtime::inference::Prediction;
use crate::runtime::registry::{ModelStatus, ModelVersion};
use crate::text::ModelTokenizer;
use crate::views::{LabelScores, ModelDetails};

/// Unknown fields are rejected (422) so a typo such as `"txt"` is reported, not ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictRequest {
    /// The text to classify.
    #[schema(example = "质量很好，物流也快")]
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchPredictRequest {
    /// Texts to classify; answers come back in the same order.
    #[schema(example = json!(["质量很好，物流也快", "用了两天就坏了"]))]
    pub texts: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PredictResponse {
    pub model: String,
    pub model_version: String,
    #[serde(flatten)]
    pub prediction: LabelScores,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchPredictResponse {
    pub model: String,
    pub model_version: String,
    pub predictions: Vec<LabelScores>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    pub models: Vec<ModelStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    pub status: String,
}

/// The schema pattern for "not only whitespace": one character outside Unicode White_Space, the
/// set `str::trim` in [`check_text`] uses. Spelled out because JSON Schema's `\s` (ECMA-262) is a
/// different set (it lacks U+0085 and has U+FEFF), and a generated client must not be told a
/// text is valid that the server then refuses.
pub const NOT_BLANK_PATTERN: &str = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// Checks one text as a request's `text` field.
pub fn validate_text(text: &str, max_chars: usize) -> Result<(), ApiError> {
    check_text(text, max_chars, "text")
}

/// Checks one text against the limits; `field` names it in the message (e.g. `texts[3]`).
pub(super) fn check_text(text: &str, max_chars: usize, field: &str) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "empty_text",
            format!("{field} must not be empty or only whitespace"),
        ));
    }
    // Byte length bounds char count from above, so most texts skip the count.
    if text.len() > max_chars && text.chars().count() > max_chars {
        return Err(ApiError::too_large(
            "text_too_long",
            format!(
                "{field} is longer than the limit of {max_chars} characters (--max-text-chars)"
            ),
        ));
    }
    Ok(())
}

/// Tokenizes, queues, and waits for every text; answers in input order. The request's
/// `routing_key` decides whether the model's shadow (if any) also computes the texts.
pub(super) async fn classify(
    state: &AppState,
    model: &ModelVersion,
    texts: &[String],
    routing_key: &[u8],
) -> Result<(Vec<LabelScores>, Timings), ApiError> {
    let served = &model.served;
    let encode = |tokenizer: &ModelTokenizer, texts: &[String]| -> Vec<Vec<i64>> {
        texts.iter().map(|t| tokenizer.encode(t).ids).collect()
    };
    // Tokenizing is microseconds per comment, but a batch of long texts takes milliseconds:
    // off the async workers, so it cannot stall other connections.
    let bytes: usize = texts.iter().map(String::len).sum();
    let sequences = if bytes > 64 * 1024 {
        let tokenizer = Arc::clone(&served.tokenizer);
        let owned = texts.to_vec();
        blocking(move || encode(&tokenizer, &owned)).await?
    } else {
        encode(&served.tokenizer, texts)
    };
    let signals: Vec<drift::TextSignals> = texts
        .iter()
        .zip(&sequences)
        .map(|(text, ids)| drift::text_signals(text, ids, served.tokenizer.unknown_id()))
        .collect();
    let (probabilities, timings) = infer(state, model, sequences).await?;
    for (signals, probabilities) in signals.into_iter().zip(&probabilities) {
        served.drift.observe_text(signals);
        served.drift.observe_prediction(probabilities);
    }
    let predictions: Vec<LabelScores> = probabilities
        .iter()
        .map(|p| served.label_scores(p))
        .collect();
    state
        .registry()
        .offer_shadow(model, routing_key, texts, &predictions);
    Ok((predictions, timings))
}

/// Runs CPU work of a request (tokenizing many texts, planning or solving an explanation) off
/// the async workers, so it cannot stall other connections.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        if error.is_panic() {
            // A bug, not overload: 500 as for a handler's panic, so clients do not retry it.
            // The payload is not logged (it may quote the request's text).
            tracing::error!("a request's computation panicked");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error; the request was not processed",
            )
        } else {
            ApiError::unavailable("shutting down; the request's computation was cancelled")
        }
    })
}

/// Queues token sequences (all or none: a request is never half-accepted) and waits for their
/// probabilities, in order, within the request timeout.
pub(super) async fn infer(
    state: &AppState,
    model: &ModelVersion,
    sequences: Vec<Vec<i64>>,
) -> Result<(Vec<Vec<f32>>, Timings), ApiError> {
    let pending = model.inference.submit(sequences)?;
    let collect = async {
        let mut probabilities = Vec::with_capacity(pending.len());
        let mut timings = Timings::default();
        for receiver in pending {
            let prediction: Prediction =
                receiver.await.map_err(|_| ApiError::worker_stopped())??;
            timings.add(&prediction);
            probabilities.push(prediction.probabilities);
        }
        timings.record_on_span();
        Ok::<_, ApiError>((probabilities, timings))
    };
    // On timeout the receivers are dropped, so the texts still queued are skipped, not computed.
    let timeout = state.limits().request_timeout;
    tokio::time::timeout(timeout, collect)
        .await
        .map_err(|_| ApiError::deadline_exceeded(timeout))?
}

/// Where a request's time went, sent back as response headers (as TEI and Triton do).
#[derive(Debug, Default)]
pub(super) struct Timings {
    queue: Duration,
    inference: Duration,
    /// The largest forward pass a text of the request ran in.
    batch_size: usize,
    texts: usize,
}

impl Timings {
    /// A request's items run in parallel batches, so its cost is its slowest item.
    fn add(&mut self, p: &Prediction) {
        self.queue = self.queue.max(p.queue_time);
        self.inference = self.inference.max(p.inference_time);
        self.batch_size = self.batch_size.max(p.batch_size);
        self.texts += 1;
    }

    /// Adds where the time went to the request's trace span (if traces are exported).
    fn record_on_span(&self) {
        let span = tracing::Span::current();
        if span.is_disabled() {
            return;
        }
        span.record("textserve.queue_wait_ms", self.queue.as_secs_f64() * 1000.0);
        span.record(
            "textserve.inference_ms",
            self.inference.as_secs_f64() * 1000.0,
        );
        span.record("textserve.batch_size", self.batch_size as i64);
        span.record("textserve.texts", self.texts as i64);
    }

    pub(super) fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let ms = |d: Duration| {
            HeaderValue::from_str(&format!("{:.3}", d.as_secs_f64() * 1000.0)).expect("number")
        };
        headers.insert("x-queue-time-ms", ms(self.queue));
        headers.insert("x-inference-time-ms", ms(self.inference));
        headers
    }
}

/// Classify one text with the default model.
#[utoipa::path(
    post,
    path = "/v1/predict",
    tag = "predict",
    request_body = PredictRequest,
    responses(PredictOutcomes, InferenceFailures)
)]
pub async fn predict(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<PredictRequest>,
) -> Result<Response, ApiError> {
    predict_with(&state, None, &headers, request).await
}

/// Classify one text with the named model.
#[utoipa::path(
    post,
    path = "/v1/models/{name}/predict",
    tag = "predict",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    request_body = PredictRequest,
    responses(PredictOutcomes, InferenceFailures)
)]
pub async fn predict_model(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<PredictRequest>,
) -> Result<Response, ApiError> {
    predict_with(&state, Some(&name), &headers, request).await
}

async fn predict_with(
    state: &AppState,
    name: Option<&str>,
    headers: &HeaderMap,
    request: PredictRequest,
) -> Result<Response, ApiError> {
    let model = state.answering_model(name, headers)?;
    check_text(&request.text, state.limits().max_text_chars, "text")?;
    let key = state.routing_key(headers);
    let (mut predictions, timings) =
        classify(state, &model, std::slice::from_ref(&request.text), key).await?;
    let body = PredictResponse {
        model: model.served.details.name.clone(),
        model_version: model.served.details.version.clone(),
        prediction: predictions.remove(0),
    };
    Ok((
        super::telemetry::served_by(&model.served),
        timings.headers(),
        axum::Json(body),
    )
        .into_response())
}

/// Failures every inference route (predict, batch, explain) shares word for word.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(super) enum InferenceFailures {
    #[response(status = 400, description = "Malformed JSON")]
    Malformed(ErrorBody),
    #[response(
        status = 401,
        description = "Missing or invalid API key (when keys are configured)"
    )]
    Unauthorized(ErrorBody),
    #[response(
        status = 408,
        description = "The body did not arrive within the body timeout"
    )]
    BodyTimeout(ErrorBody),
    #[response(status = 415, description = "Content-Type is not application/json")]
    WrongType(ErrorBody),
    #[response(
        status = 503,
        description = "Model not ready, shutting down, or no answer within the request timeout"
    )]
    Unavailable(ErrorBody),
}

/// What else a prediction request can come to (with `InferenceFailures`), for the OpenAPI
/// entries of both predict routes.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum PredictOutcomes {
    #[response(status = 200, description = "Label and probabilities",
        headers(("x-queue-time-ms" = String, description = "Time queued before inference"),
                ("x-inference-time-ms" = String, description = "Time of the forward pass")))]
    Answered(PredictResponse),
    #[response(status = 404, description = "No model by that name")]
    UnknownModel(ErrorBody),
    #[response(status = 413, description = "Text or body over the limit")]
    TooLarge(ErrorBody),
    #[response(status = 422, description = "Missing or mistyped field, or empty text")]
    Invalid(ErrorBody),
    #[response(
        status = 429,
        description = "Queue full; retry after the Retry-After seconds"
    )]
    Overloaded(ErrorBody),
}

/// What else a batch request can come to (with `InferenceFailures`), for the OpenAPI entries
/// of both batch routes.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum BatchOutcomes {
    #[response(status = 200, description = "One prediction per text, in input order",
        headers(("x-queue-time-ms" = String, description = "Time queued before inference"),
                ("x-inference-time-ms" = String, description = "Time of the slowest forward pass")))]
    Answered(BatchPredictResponse),
    #[response(status = 404, description = "No model by that name")]
    UnknownModel(ErrorBody),
    #[response(
        status = 413,
        description = "Too many texts, a text over the limit, or body over the limit"
    )]
    TooLarge(ErrorBody),
    #[response(
        status = 422,
        description = "Empty list, missing or mistyped field, or an empty text"
    )]
    Invalid(ErrorBody),
    #[response(
        status = 429,
        description = "Queue full; retry after the Retry-After seconds"
    )]
    Overloaded(ErrorBody),
}

/// Classify several texts in one request with the default model.
#[utoipa::path(
    post,
    path = "/v1/predict/batch",
    tag = "predict",
    request_body = BatchPredictRequest,
    responses(BatchOutcomes, InferenceFailures)
)]
pub async fn predict_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<BatchPredictRequest>,
) -> Result<Response, ApiError> {
    predict_batch_with(&state, None, &headers, request).await
}

/// Classify several texts in one request with the named model.
#[utoipa::path(
    post,
    path = "/v1/models/{name}/predict/batch",
    tag = "predict",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    request_body = BatchPredictRequest,
    responses(BatchOutcomes, InferenceFailures)
)]
pub async fn predict_batch_model(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<BatchPredictRequest>,
) -> Result<Response, ApiError> {
    predict_batch_with(&state, Some(&name), &headers, request).await
}

async fn predict_batch_with(
    state: &AppState,
    name: Option<&str>,
    headers: &HeaderMap,
    request: BatchPredictRequest,
) -> Result<Response, ApiError> {
    let model = state.answering_model(name, headers)?;
    let limits = state.limits();
    if request.texts.is_empty() {
        return Err(ApiError::unprocessable(
            "empty_batch",
            "texts must hold at least one text",
        ));
    }
    if request.texts.len() > limits.max_batch_size {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!(
                "texts holds {} items; the limit is {} (--max-batch-size)",
                request.texts.len(),
                limits.max_batch_size
            ),
        ));
    }
    for (i, text) in request.texts.iter().enumerate() {
        check_text(text, limits.max_text_chars, &format!("texts[{i}]"))?;
    }
    let key = state.routing_key(headers);
    let (predictions, timings) = classify(state, &model, &request.texts, key).await?;
    let body = BatchPredictResponse {
        model: model.served.details.name.clone(),
        model_version: model.served.details.version.clone(),
        predictions,
    };
    Ok((
        super::telemetry::served_by(&model.served),
        timings.headers(),
        axum::Json(body),
    )
        .into_response())
}

/// List the models: each one's version, labels and state (loading, ready, failed with the
/// reason), and which one is the default.
#[utoipa::path(get, path = "/v1/models", tag = "models",
    responses((status = 200, body = ModelList), (status = 401, description = "Missing or invalid API key", body = ErrorBody)))]
pub async fn list_models(State(state): State<AppState>) -> axum::Json<ModelList> {
    axum::Json(ModelList {
        models: state.registry().statuses(),
    })
}

/// Describe one model: labels, architecture, vocabulary, parameters, checksum, metrics.
#[utoipa::path(get, path = "/v1/models/{name}", tag = "models",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    responses((status = 200, body = ModelDetails), (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No model by that name", body = ErrorBody),
        (status = 503, description = "Model not loaded yet", body = ErrorBody)))]
pub async fn get_model(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<axum::Json<ModelDetails>, ApiError> {
    let model = state.registry().get(Some(&name))?;
    Ok(axum::Json(model.served.details.clone()))
}

/// What a management request can come to.
/// What every management route answers when the admin key is missing or wrong, or management
/// is off.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum AdminRefusals {
    #[response(status = 401, description = "Missing or invalid admin key")]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "Management is disabled: no admin key configured"
    )]
    Disabled(ErrorBody),
}

#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum ManagementOutcomes {
    #[response(status = 200, description = "Done; the model's state after it")]
    Done(ModelStatus),
    #[response(status = 404, description = "No model by that name")]
    UnknownModel(ErrorBody),
    #[response(
        status = 409,
        description = "The directory names another model, the model is loaded already or is the default, or there is no repository"
    )]
    Conflict(ErrorBody),
    #[response(
        status = 422,
        description = "The new version failed to load (file and problem named); the served version stays"
    )]
    LoadFailed(ErrorBody),
}

/// Load the model's directory again (validate, load, warm up) and swap the new version in;
/// requests already accepted finish on the old one. Needs the admin key.
#[utoipa::path(post, path = "/v1/models/{name}/reload", tag = "models",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    responses(ManagementOutcomes, AdminRefusals))]
pub async fn reload_model(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<axum::Json<ModelStatus>, ApiError> {
    state.registry().reload(&name).await?;
    Ok(axum::Json(state.registry().status(&name)?))
}

/// The certificates reloaded.
#[derive(Debug, Serialize, ToSchema)]
pub struct TlsReloaded {
    #[schema(example = "reloaded")]
    pub status: &'static str,
}

#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum TlsReloadOutcomes {
    #[response(
        status = 200,
        description = "New connections get the certificates now in the files; open ones keep theirs"
    )]
    Done(TlsReloaded),
    #[response(status = 409, description = "The server does not serve TLS")]
    NotTls(ErrorBody),
    #[response(
        status = 422,
        description = "The new certificate or key does not load (file and problem named); the old ones stay"
    )]
    LoadFailed(ErrorBody),
}

/// Read the TLS certificate, key and client CA files again, as SIGHUP does. Needs the admin
/// key.
#[utoipa::path(
    post,
    path = "/v1/tls/reload",
    tag = "models",
    responses(TlsReloadOutcomes, AdminRefusals)
)]
pub async fn reload_tls(
    State(state): State<AppState>,
) -> Result<axum::Json<TlsReloaded>, ApiError> {
    let Some(tls) = state.tls() else {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "tls_not_configured",
            "the server does not serve TLS (start it with --tls-cert and --tls-key)",
        ));
    };
    tls.reload()
        .map_err(|error| ApiError::unprocessable("tls_reload_failed", format!("{error:#}")))?;
    tracing::info!("TLS certificates reloaded");
    Ok(axum::Json(TlsReloaded { status: "reloaded" }))
}

/// Add a model of the repository by the name its model.json gives, and load it. Needs the
/// admin key.
#[utoipa::path(post, path = "/v1/models/{name}/load", tag = "models",
    params(("name" = String, Path, description = "Model name, as its model.json gives it")),
    responses(ManagementOutcomes, AdminRefusals))]
pub async fn load_model(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<axum::Json<ModelStatus>, ApiError> {
    state.registry().load(&name).await?;
    Ok(axum::Json(state.registry().status(&name)?))
}

/// Stop serving a model (not the default one); requests it accepted finish first. Needs the
/// admin key.
#[utoipa::path(post, path = "/v1/models/{name}/unload", tag = "models",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    responses((status = 204, description = "Unloaded"),
        AdminRefusals,
        (status = 404, description = "No model by that name", body = ErrorBody),
        (status = 409, description = "The default model cannot be unloaded", body = ErrorBody)))]
pub async fn unload_model(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.registry().unload(&name)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Liveness: 200 while the process serves HTTP.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, body = HealthStatus)))]
pub async fn live() -> axum::Json<HealthStatus> {
    axum::Json(HealthStatus {
        status: "ok".into(),
    })
}

/// Readiness: 200 only when the default model (every model, with `--ready-requires all`) is
/// loaded and warm and the server is not shutting down.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, body = HealthStatus), (status = 503, description = "Not ready", body = ErrorBody)))]
pub async fn ready(State(state): State<AppState>) -> Result<axum::Json<HealthStatus>, ApiError> {
    state.ready().map(|()| {
        axum::Json(HealthStatus {
            status: "ready".into(),
        })
    })
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics_text() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        super::telemetry::render_metrics(),
    )
}

/// A page for people: type a comment, see the label.
pub async fn try_it() -> Html<&'static str> {
    Html(include_str!("try_it.html"))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route; see /docs for the API")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that HTTP method; see /docs",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_pattern_and_the_server_agree_on_every_blank_character() {
        // Shorthand classes mean different sets in different regex dialects (Rust, ECMA-262,
        // Python), so the pattern lists its characters instead.
        for shorthand in ["\\s", "\\S", "\\w", "\\W", "\\d", "\\D", "\\p", "\\P"] {
            assert!(!NOT_BLANK_PATTERN.contains(shorthand), "{shorthand}");
        }
        let pattern = regex::Regex::new(NOT_BLANK_PATTERN).unwrap();
        let disagreements: Vec<u32> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|c| {
                let text = c.to_string();
                pattern.is_match(&text) != check_text(&text, 10, "text").is_ok()
            })
            .map(u32::from)
            .collect();
        assert!(disagreements.is_empty(), "{disagreements:x?}");
    }
}
