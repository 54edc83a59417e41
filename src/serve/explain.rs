//! `POST /v1/explain`: a prediction and why, through the same queue and limits as predictions.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, optional_integer};
use super::routes::{InferenceFailures, blocking, check_text, infer};
use super::state::AppState;
use crate::explain::ExplainMethod;
use crate::explain::{self, Attributed, Explanation, Method, Plan};
use crate::runtime::ServedModel;
use crate::views::LabelScores;

/// Unknown fields are rejected (422) so a typo such as `"sample"` is reported, not ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainRequest {
    /// The text to classify and explain.
    #[schema(example = "来料检验未见异常")]
    pub text: String,
    /// The label whose probability is explained; by default the predicted one.
    pub label: Option<String>,
    /// Attribution method; `occlusion` by default.
    pub method: Option<ExplainMethod>,
    /// Kernel SHAP coalitions to evaluate (default 256; ignored by occlusion).
    #[schema(minimum = 1)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub samples: Option<u32>,
    /// Seed of Kernel SHAP's coalition sampling (default 0; ignored by occlusion): the same
    /// request with the same seed gives the same attributions.
    #[serde(default, deserialize_with = "optional_integer")]
    pub seed: Option<u64>,
}

/// A piece of the original text and its attribution.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributedSpan {
    /// The characters of the request text this piece covers, as sent.
    #[schema(example = "异常")]
    pub text: String,
    /// First Unicode code point of the piece in the request text (not a byte or UTF-16 offset;
    /// offsets refer to the text as sent, before any normalisation).
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Change in the explained label's probability this piece accounts for: positive pieces
    /// support the label, negative ones speak against it.
    pub attribution: f32,
}

impl From<Attributed> for AttributedSpan {
    fn from(a: Attributed) -> Self {
        Self {
            text: a.text,
            start: a.start,
            end: a.end,
            attribution: a.attribution,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExplainResponse {
    pub model: String,
    pub model_version: String,
    /// The prediction for the whole text, as /v1/predict answers it.
    #[serde(flatten)]
    pub prediction: LabelScores,
    /// The label whose probability the attributions explain.
    pub explained_label: String,
    pub method: ExplainMethod,
    /// The explained label's probability on the method's reference input: the whole text for
    /// occlusion, the empty text for shap.
    pub base_score: f32,
    /// The tokens the model saw, in text order (a text longer than the model's length limit
    /// is explained up to it).
    pub tokens: Vec<AttributedSpan>,
    /// Words (jieba segmentation of the text as sent) with the summed attributions of their
    /// tokens; whitespace is left out.
    pub words: Vec<AttributedSpan>,
}

/// What else an explanation request can come to (with `InferenceFailures` and each route's
/// 404), for the OpenAPI entries of both explain routes.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum ExplainOutcomes {
    #[response(status = 200, description = "Prediction and attributions",
        headers(("x-queue-time-ms" = String, description = "Time queued before inference"),
                ("x-inference-time-ms" = String, description = "Time of the slowest forward pass")))]
    Answered(ExplainResponse),
    #[response(
        status = 413,
        description = "Text, its tokens (--max-explain-tokens) or body over the limit"
    )]
    TooLarge(ErrorBody),
    #[response(
        status = 422,
        description = "Missing or mistyped field, empty text, unknown method, or samples out of range (--max-explain-samples)"
    )]
    Invalid(ErrorBody),
    #[response(
        status = 429,
        description = "Queue full (an explanation's rows count toward it); retry after the Retry-After seconds"
    )]
    Overloaded(ErrorBody),
}

/// Explain a prediction: which tokens and words carried it.
#[utoipa::path(
    post,
    path = "/v1/explain",
    tag = "predict",
    request_body = ExplainRequest,
    responses(ExplainOutcomes, InferenceFailures,
        (status = 404, description = "The model has no label by that name", body = ErrorBody))
)]
pub async fn explain(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ExplainRequest>,
) -> Result<Response, ApiError> {
    explain_with(&state, None, request).await
}

/// Explain a prediction of the named model: which tokens and words carried it.
#[utoipa::path(
    post,
    path = "/v1/models/{name}/explain",
    params(("name" = String, Path, description = "Model name as listed by /v1/models")),
    tag = "predict",
    request_body = ExplainRequest,
    responses(ExplainOutcomes, InferenceFailures,
        (status = 404, description = "No model by that name, or the model has no label by that name", body = ErrorBody))
)]
pub async fn explain_model(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    ApiJson(request): ApiJson<ExplainRequest>,
) -> Result<Response, ApiError> {
    explain_with(&state, Some(&name), request).await
}

async fn explain_with(
    state: &AppState,
    name: Option<&str>,
    request: ExplainRequest,
) -> Result<Response, ApiError> {
    let model = state.model(name)?;
    let served = &model.served;
    let limits = state.limits();
    check_text(&request.text, limits.max_text_chars, "text")?;
    let kind = request.method.unwrap_or(ExplainMethod::Occlusion);
    let method = method(
        kind,
        request.samples,
        request.seed,
        limits.max_explain_samples,
    )
    .map_err(|(code, message)| ApiError::unprocessable(code, message))?;
    let label = match &request.label {
        None => None,
        Some(name) => Some(
            label_index(&served.details.labels, name)
                // Like a model name that does not exist, a label is looked up, not validated:
                // any string is well-formed, and the model decides which exist.
                .map_err(|message| {
                    ApiError::new(axum::http::StatusCode::NOT_FOUND, "unknown_label", message)
                })?,
        ),
    };
    let tokenizer = Arc::clone(&served.tokenizer);
    let text = Arc::new(request.text);
    let planned = {
        let text = Arc::clone(&text);
        let max_tokens = limits.max_explain_tokens;
        blocking(move || {
            let spans = tokenizer.spans(&text);
            if spans.len() > max_tokens {
                return Err(spans.len());
            }
            Ok(Plan::from_spans(&tokenizer, spans, method))
        })
        .await?
    };
    let mut plan = planned.map_err(|tokens| {
        ApiError::too_large(
            "too_many_tokens",
            format!(
                "text has {tokens} tokens; explanations take at most {} (--max-explain-tokens)",
                limits.max_explain_tokens
            ),
        )
    })?;
    let (probabilities, timings) = infer(state, &model, plan.take_rows()).await?;
    let explanation = blocking(move || plan.explain(&text, &probabilities, label)).await?;
    metrics::counter!("textserve_explanations_total", "method" => method.name()).increment(1);
    let body = ExplainResponse::new(served, kind, explanation);
    Ok((
        super::telemetry::served_by(served),
        timings.headers(),
        axum::Json(body),
    )
        .into_response())
}

impl ExplainResponse {
    pub fn new(served: &ServedModel, method: ExplainMethod, explanation: Explanation) -> Self {
        Self {
            model: served.details.name.clone(),
            model_version: served.details.version.clone(),
            prediction: served.label_scores(&explanation.probabilities),
            explained_label: served.details.labels[explanation.explained_label].clone(),
            method,
            base_score: explanation.base_score,
            tokens: explanation.tokens.into_iter().map(Into::into).collect(),
            words: explanation.words.into_iter().map(Into::into).collect(),
        }
    }
}

/// The method a request (or the command line) asks for, or an error code and message.
pub fn method(
    kind: ExplainMethod,
    samples: Option<u32>,
    seed: Option<u64>,
    max_samples: usize,
) -> Result<Method, (&'static str, String)> {
    // Checked whatever the method, so a request is valid or not by its own fields. A server
    // whose limit is below the default uses its limit.
    let samples = match samples {
        None => explain::DEFAULT_SHAP_SAMPLES.min(max_samples),
        Some(s) if (1..=max_samples).contains(&(s as usize)) => s as usize,
        Some(_) => {
            return Err((
                "samples_out_of_range",
                format!("samples must be between 1 and {max_samples} (--max-explain-samples)"),
            ));
        }
    };
    Ok(match kind {
        // samples and seed configure shap's sampling; occlusion has none to configure.
        ExplainMethod::Occlusion => Method::Occlusion,
        ExplainMethod::Shap => Method::Shap {
            samples,
            seed: seed.unwrap_or(explain::DEFAULT_SEED),
        },
    })
}

pub fn label_index(labels: &[String], name: &str) -> Result<usize, String> {
    labels.iter().position(|l| l == name).ok_or_else(|| {
        format!(
            "label {name:?} is not one of the model's labels: {}",
            labels.join(", ")
        )
    })
}
