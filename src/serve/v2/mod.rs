//! The Open Inference Protocol (KServe v2) over REST, so clients written for Triton, KServe or
//! MLServer (`tritonclient[http]`, KServe's SDK) talk to textserve unchanged. One model input,
//! `text` (BYTES, shape `[n]` or `[n, 1]`); two outputs, `probabilities` (FP32, `[n, labels]`,
//! columns in the order of the model's labels) and `label` (BYTES, `[n]`). The handlers reuse the
//! `/v1` machinery (limits, queue, timeouts) and return [`ApiError`]s, which [`protocol_errors`]
//! has answer in the protocol's `{"error": "<message>"}` on every `/v2` path. Tensors travel as
//! JSON or, with the binary tensor data extension (tritonclient's default), as raw bytes after
//! a JSON header whose length `Inference-Header-Content-Length` gives.

mod tensors;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ERROR_SHAPE, ErrorShape, ProtocolError};
use super::routes::{check_text, classify};
use super::state::AppState;
use crate::runtime::ServedModel;
use crate::runtime::registry::ModelVersion;
use std::sync::Arc;
use tensors::{
    HEADER_LENGTH, INPUT, LABEL, PROBABILITIES, Parameters, parse_request, split_body, texts_of,
    wanted_outputs,
};
pub use tensors::{
    InferInput, InferOutput, InferRequest, InferResponse, RequestedOutput, TensorData,
};

const BINARY_EXTENSION: &str = "binary_tensor_data";

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerMetadata {
    #[schema(example = "textserve")]
    pub name: String,
    pub version: String,
    /// Protocol extensions supported.
    pub extensions: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    pub live: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TensorMetadata {
    pub name: String,
    pub datatype: String,
    /// -1 for a dimension of any size.
    pub shape: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelMetadata {
    pub name: String,
    pub versions: Vec<String>,
    #[schema(example = "textserve")]
    pub platform: String,
    /// What a prediction computes (a textserve addition to the protocol's fields), as in
    /// `GET /v1/models/{name}`: "n-gram model, no LSTM", or the LSTM and n-gram mixture.
    pub computes: String,
    pub inputs: Vec<TensorMetadata>,
    pub outputs: Vec<TensorMetadata>,
}

/// The version of `name` serving now, when `version` (if given) is the one it serves.
fn model(
    state: &AppState,
    name: &str,
    version: Option<&str>,
) -> Result<Arc<ModelVersion>, ApiError> {
    let model = state.registry().get(Some(name))?;
    match version {
        Some(version) if version != model.served.details.version => {
            Err(ApiError::not_found(format!(
                "model {name:?} has no version {version:?}; it serves {:?}",
                model.served.details.version
            )))
        }
        _ => Ok(model),
    }
}

/// Server metadata.
#[utoipa::path(get, path = "/v2", tag = "open inference protocol",
    responses((status = 200, body = ServerMetadata)))]
pub async fn server_metadata() -> axum::Json<ServerMetadata> {
    axum::Json(ServerMetadata {
        name: "textserve".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        extensions: vec![BINARY_EXTENSION.into()],
    })
}

/// Server liveness: 200 while the process serves HTTP.
#[utoipa::path(get, path = "/v2/health/live", tag = "open inference protocol",
    responses((status = 200, body = Liveness)))]
pub async fn server_live() -> axum::Json<Liveness> {
    axum::Json(Liveness { live: true })
}

/// Server readiness: 200 when the model is loaded and warm, 400 (the protocol's "false") when not.
#[utoipa::path(get, path = "/v2/health/ready", tag = "open inference protocol",
    responses((status = 200, body = Readiness), (status = 400, description = "Not ready", body = Readiness)))]
pub async fn server_ready(State(state): State<AppState>) -> Response {
    readiness(state.ready().is_ok())
}

fn readiness(ready: bool) -> Response {
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, axum::Json(Readiness { ready })).into_response()
}

fn metadata(served: &ServedModel) -> ModelMetadata {
    let labels = served.details.labels.len() as i64;
    let tensor = |name: &str, datatype: &str, shape: &[i64]| TensorMetadata {
        name: name.into(),
        datatype: datatype.into(),
        shape: shape.to_vec(),
    };
    ModelMetadata {
        name: served.details.name.clone(),
        versions: vec![served.details.version.clone()],
        platform: "textserve".into(),
        computes: served.details.computes.clone(),
        inputs: vec![tensor(INPUT, "BYTES", &[-1])],
        outputs: vec![
            tensor(PROBABILITIES, "FP32", &[-1, labels]),
            tensor(LABEL, "BYTES", &[-1]),
        ],
    }
}

/// Model metadata: its input and output tensors.
#[utoipa::path(get, path = "/v2/models/{name}", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name")),
    responses((status = 200, body = ModelMetadata),
        (status = 401, description = "Missing or invalid API key", body = ProtocolError),
        (status = 404, description = "No model by that name", body = ProtocolError),
        (status = 503, description = "Model not loaded yet", body = ProtocolError)))]
pub async fn model_metadata(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<axum::Json<ModelMetadata>, ApiError> {
    Ok(axum::Json(metadata(&model(&state, &name, None)?.served)))
}

/// Model metadata of one version.
#[utoipa::path(get, path = "/v2/models/{name}/versions/{version}", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name"), ("version" = String, Path, description = "Model version")),
    responses((status = 200, body = ModelMetadata),
        (status = 401, description = "Missing or invalid API key", body = ProtocolError),
        (status = 404, description = "No such model or version", body = ProtocolError),
        (status = 503, description = "Model not loaded yet", body = ProtocolError)))]
pub async fn model_version_metadata(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
) -> Result<axum::Json<ModelMetadata>, ApiError> {
    Ok(axum::Json(metadata(
        &model(&state, &name, Some(&version))?.served,
    )))
}

/// Model readiness: 200 when it can answer, 400 when not (yet).
#[utoipa::path(get, path = "/v2/models/{name}/ready", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name")),
    responses((status = 200, body = Readiness), (status = 400, description = "Not ready", body = Readiness),
        (status = 401, description = "Missing or invalid API key", body = ProtocolError),
        (status = 404, description = "No model by that name", body = ProtocolError)))]
pub async fn model_ready(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    model_readiness(&state, &name, None)
}

/// Readiness of one version.
#[utoipa::path(get, path = "/v2/models/{name}/versions/{version}/ready", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name"), ("version" = String, Path, description = "Model version")),
    responses((status = 200, body = Readiness), (status = 400, description = "Not ready", body = Readiness),
        (status = 401, description = "Missing or invalid API key", body = ProtocolError),
        (status = 404, description = "No such model or version", body = ProtocolError)))]
pub async fn model_version_ready(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
) -> Response {
    model_readiness(&state, &name, Some(&version))
}

fn model_readiness(state: &AppState, name: &str, version: Option<&str>) -> Response {
    match model(state, name, version) {
        Ok(model) => readiness(model.inference.is_alive() && !state.is_shutting_down()),
        // Not loaded yet is "not ready", not an error.
        Err(error) if error.status == StatusCode::SERVICE_UNAVAILABLE => readiness(false),
        Err(error) => error.into_response(),
    }
}

/// What an inference request can come to, for both infer routes' OpenAPI entries.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum InferOutcomes {
    #[response(status = 200, description = "Probabilities and labels")]
    Answered(InferResponse),
    #[response(
        status = 400,
        description = "Malformed request: JSON, tensor name, datatype, shape or data"
    )]
    Malformed(ProtocolError),
    #[response(status = 401, description = "Missing or invalid API key")]
    Unauthorized(ProtocolError),
    #[response(status = 404, description = "No such model or version")]
    NotFound(ProtocolError),
    #[response(
        status = 408,
        description = "The body did not arrive within the body timeout"
    )]
    BodyTimeout(ProtocolError),
    #[response(
        status = 413,
        description = "Too many texts, a text over the limit, or body over the limit"
    )]
    TooLarge(ProtocolError),
    #[response(status = 422, description = "An empty text")]
    EmptyText(ProtocolError),
    #[response(
        status = 429,
        description = "Queue full; retry after the Retry-After seconds"
    )]
    Overloaded(ProtocolError),
    #[response(
        status = 503,
        description = "Model not ready, shutting down, or no answer within the request timeout"
    )]
    Unavailable(ProtocolError),
}

/// Classify texts: input `text` (BYTES, `[n]` or `[n, 1]`) → `probabilities` (FP32, `[n, labels]`)
/// and `label` (BYTES, `[n]`).
#[utoipa::path(post, path = "/v2/models/{name}/infer", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name")),
    request_body = InferRequest,
    responses(InferOutcomes))]
pub async fn infer(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    infer_with(&state, &name, None, &headers, &body).await
}

/// Classify texts with one version of the model.
#[utoipa::path(post, path = "/v2/models/{name}/versions/{version}/infer", tag = "open inference protocol",
    params(("name" = String, Path, description = "Model name"), ("version" = String, Path, description = "Model version")),
    request_body = InferRequest,
    responses(InferOutcomes))]
pub async fn infer_version(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    infer_with(&state, &name, Some(&version), &headers, &body).await
}

async fn infer_with(
    state: &AppState,
    name: &str,
    version: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let model = model(state, name, version)?;
    if !model.inference.is_alive() {
        return Err(ApiError::worker_stopped());
    }
    let served = &model.served;
    let (json, binary) = split_body(headers, body)?;
    let request = parse_request(json)?;
    let texts = texts_of(&request, binary, state.limits().max_batch_size)?;
    for (i, text) in texts.iter().enumerate() {
        check_text(text, state.limits().max_text_chars, &format!("text[{i}]"))?;
    }
    let wanted = wanted_outputs(&request)?;
    let key = state.routing_key(headers);
    let (predictions, timings) = classify(state, &model, &texts, key).await?;
    let n = texts.len() as i64;
    let mut outputs = Vec::with_capacity(2);
    let mut tail = Vec::new();
    for (output, as_binary) in wanted {
        let (datatype, shape, data) = if output == PROBABILITIES {
            let labels = &served.details.labels;
            let data = predictions
                .iter()
                .flat_map(|p| labels.iter().map(|l| p.probabilities[l]))
                .collect();
            ("FP32", vec![n, labels.len() as i64], TensorData::Fp32(data))
        } else {
            let data = predictions.iter().map(|p| p.label.clone()).collect();
            ("BYTES", vec![n], TensorData::Bytes(data))
        };
        let (parameters, data) = if as_binary {
            let start = tail.len();
            data.write_binary(&mut tail);
            let size = serde_json::json!(tail.len() - start);
            (
                Some(Parameters::from_iter([("binary_data_size".into(), size)])),
                None,
            )
        } else {
            (None, Some(data))
        };
        outputs.push(InferOutput {
            name: output.into(),
            datatype: datatype.into(),
            shape,
            parameters,
            data,
        });
    }
    let response = InferResponse {
        model_name: served.details.name.clone(),
        model_version: served.details.version.clone(),
        id: request.id,
        outputs,
    };
    if tail.is_empty() {
        return Ok((
            crate::serve::telemetry::served_by(served),
            timings.headers(),
            axum::Json(response),
        )
            .into_response());
    }
    let mut body = serde_json::to_vec(&response).expect("serializes");
    let json_length = body.len();
    body.extend_from_slice(&tail);
    let mut headers = timings.headers();
    headers.insert(HEADER_LENGTH, HeaderValue::from(json_length));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    Ok((crate::serve::telemetry::served_by(served), headers, body).into_response())
}

/// Every error answered on a `/v2` path — by the handlers, authentication, body limits or the
/// router — takes the protocol's shape `{"error": "<message>"}` (see [`ErrorShape`]).
pub async fn protocol_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/v2" || path.starts_with("/v2/") {
        ERROR_SHAPE
            .scope(ErrorShape::Protocol, next.run(request))
            .await
    } else {
        next.run(request).await
    }
}
