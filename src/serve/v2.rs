//! The Open Inference Protocol (KServe v2) over REST, so clients written for Triton, KServe or
//! MLServer (`tritonclient[http]`, KServe's SDK) talk to textserve unchanged. One model input,
//! `text` (BYTES, shape `[n]` or `[n, 1]`); two outputs, `probabilities` (FP32, `[n, labels]`,
//! columns in the order of the model's labels) and `label` (BYTES, `[n]`). The handlers reuse the
//! `/v1` machinery (limits, queue, timeouts) and return [`ApiError`]s; [`protocol_errors`] turns
//! every error on a `/v2` path into the protocol's `{"error": "<message>"}`. Tensors travel as
//! JSON or, with the binary tensor data extension (tritonclient's default), as raw bytes after
//! a JSON header whose length `Inference-Header-Content-Length` gives.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;
use super::routes::{check_text, classify};
use super::state::{AppState, ServedModel};

const INPUT: &str = "text";
const PROBABILITIES: &str = "probabilities";
const LABEL: &str = "label";
const HEADER_LENGTH: &str = "inference-header-content-length";
const BINARY_EXTENSION: &str = "binary_tensor_data";

/// The protocol's error body.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProtocolError {
    #[schema(example = "unknown model \"x\"")]
    pub error: String,
}

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
    pub inputs: Vec<TensorMetadata>,
    pub outputs: Vec<TensorMetadata>,
}

/// Parameters are free-form; this server reads none of them.
pub type Parameters = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InferRequest {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
    /// Exactly one: `text`.
    #[schema(min_items = 1, max_items = 1)]
    pub inputs: Vec<InferInput>,
    /// Outputs to return (default: both).
    #[serde(default)]
    pub outputs: Option<Vec<RequestedOutput>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InferInput {
    #[schema(example = "text", pattern = "^text$")]
    pub name: String,
    /// `[n]` or `[n, 1]`, with as many texts in `data`.
    #[schema(example = json!([2]), min_items = 1, max_items = 2)]
    #[serde(deserialize_with = "integers")]
    pub shape: Vec<i64>,
    #[schema(example = "BYTES", pattern = "^BYTES$")]
    pub datatype: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
    /// The texts, flat or nested by the shape, in row-major order (absent when they come as
    /// binary data).
    #[serde(default)]
    #[schema(value_type = Vec<String>, example = json!(["来料检验未见异常", "电机异响"]))]
    pub data: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestedOutput {
    #[schema(example = "probabilities", pattern = "^(probabilities|label)$")]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InferResponse {
    pub model_name: String,
    pub model_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub outputs: Vec<InferOutput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InferOutput {
    pub name: String,
    pub datatype: String,
    pub shape: Vec<i64>,
    /// `binary_data_size` when the data follows the JSON as bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Parameters>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<TensorData>,
}

/// FP32 probabilities (row-major) or BYTES labels.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TensorData {
    Fp32(Vec<f32>),
    Bytes(Vec<String>),
}

/// JSON Schema counts `3.0` as an integer and serde does not; the shape takes both.
fn integers<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<i64>, D::Error> {
    use serde::de::Error;
    let numbers = <Vec<serde_json::Number> as Deserialize>::deserialize(deserializer)?;
    numbers
        .iter()
        .map(|number| {
            number
                .as_i64()
                .or_else(|| {
                    number
                        .as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| D::Error::custom(format!("shape holds {number}, not an integer")))
        })
        .collect()
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
}

/// The served model when `name` (and `version`, if given) are its own.
fn model<'a>(
    state: &'a AppState,
    name: &str,
    version: Option<&str>,
) -> Result<&'a ServedModel, ApiError> {
    let served = state.served().ok_or_else(ApiError::not_ready)?;
    if served.details.name != name {
        return Err(ApiError::not_found(format!("unknown model {name:?}")));
    }
    match version {
        Some(version) if version != served.details.version => Err(ApiError::not_found(format!(
            "model {name:?} has no version {version:?}; it serves {:?}",
            served.details.version
        ))),
        _ => Ok(served),
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
    Ok(axum::Json(metadata(model(&state, &name, None)?)))
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
    Ok(axum::Json(metadata(model(&state, &name, Some(&version))?)))
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
        Ok(_) => readiness(state.ready().is_ok()),
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
    model(state, name, version)?;
    let served = state.available()?;
    let (json, binary) = split_body(headers, body)?;
    // Clients of the protocol often send no Content-Type (tritonclient does not), so the body
    // is read as JSON whatever its type says.
    let request: InferRequest = serde_json::from_slice(json)
        .map_err(|e| bad_request(format!("the request is not a valid inference request: {e}")))?;
    let texts = texts_of(&request, binary, state.limits().max_batch_size)?;
    for (i, text) in texts.iter().enumerate() {
        check_text(text, state.limits().max_text_chars, &format!("text[{i}]"))?;
    }
    let wanted = wanted_outputs(&request)?;
    let (predictions, timings) = classify(state, served, &texts).await?;
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
        return Ok((timings.headers(), axum::Json(response)).into_response());
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
    Ok((headers, body).into_response())
}

/// The JSON part of the body and the binary data after it.
fn split_body<'a>(headers: &HeaderMap, body: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), ApiError> {
    let Some(value) = headers.get(HEADER_LENGTH) else {
        return Ok((body, &[]));
    };
    let length = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&length| length <= body.len())
        .ok_or_else(|| {
            bad_request(format!(
                "Inference-Header-Content-Length must be a byte count within the body ({} bytes)",
                body.len()
            ))
        })?;
    Ok(body.split_at(length))
}

impl TensorData {
    /// The binary tensor data extension's layout: little-endian FP32 values, or each BYTES
    /// element as a little-endian u32 length and its bytes.
    fn write_binary(&self, out: &mut Vec<u8>) {
        match self {
            TensorData::Fp32(values) => values
                .iter()
                .for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
            TensorData::Bytes(items) => items.iter().for_each(|item| {
                out.extend_from_slice(&(item.len() as u32).to_le_bytes());
                out.extend_from_slice(item.as_bytes());
            }),
        }
    }
}

/// The texts of the one `text` input, checked against its datatype and shape; `binary` is the
/// data after the JSON header.
fn texts_of(
    request: &InferRequest,
    binary: &[u8],
    max_batch_size: usize,
) -> Result<Vec<String>, ApiError> {
    let [input] = request.inputs.as_slice() else {
        return Err(bad_request(format!(
            "expected exactly one input, {INPUT:?}; got {}",
            request.inputs.len()
        )));
    };
    if input.name != INPUT {
        return Err(bad_request(format!(
            "unknown input {:?}; the model's input is {INPUT:?}",
            input.name
        )));
    }
    if input.datatype != "BYTES" {
        return Err(bad_request(format!(
            "input {INPUT:?} has datatype {:?}; expected BYTES",
            input.datatype
        )));
    }
    let n = match input.shape.as_slice() {
        [n] | [n, 1] if *n >= 1 => *n as usize,
        shape => {
            return Err(bad_request(format!(
                "input {INPUT:?} has shape {shape:?}; expected [n] or [n, 1] with n ≥ 1"
            )));
        }
    };
    if n > max_batch_size {
        return Err(ApiError::too_large(
            "batch_too_large",
            format!("{n} texts; the limit is {max_batch_size} (--max-batch-size)"),
        ));
    }
    let binary_size = input
        .parameters
        .as_ref()
        .and_then(|p| p.get("binary_data_size"));
    let texts = match binary_size {
        Some(size) => {
            let size = size
                .as_u64()
                .filter(|&size| size as usize == binary.len())
                .ok_or_else(|| {
                    bad_request(format!(
                        "binary_data_size {size} does not match the {} bytes after the JSON header",
                        binary.len()
                    ))
                })?;
            if !input.data.is_null() {
                return Err(bad_request(
                    "an input has binary_data_size and data; send one",
                ));
            }
            decode_bytes(&binary[..size as usize], n)?
        }
        None => {
            if !binary.is_empty() {
                return Err(bad_request(
                    "binary data follows the JSON header but no input has binary_data_size",
                ));
            }
            let mut texts = Vec::with_capacity(n);
            flatten(&input.data, &mut texts, n)?;
            texts
        }
    };
    if texts.len() != n {
        return Err(bad_request(format!(
            "input {INPUT:?} has shape {:?} but {} elements",
            input.shape,
            texts.len()
        )));
    }
    Ok(texts)
}

/// BYTES elements in the binary layout (u32 length, little-endian, then the bytes), as UTF-8.
fn decode_bytes(mut data: &[u8], expected: usize) -> Result<Vec<String>, ApiError> {
    let mut texts = Vec::with_capacity(expected);
    while !data.is_empty() && texts.len() <= expected {
        let (length, rest) = data
            .split_first_chunk::<4>()
            .ok_or_else(|| bad_request("binary BYTES data ends inside an element's length"))?;
        let length = u32::from_le_bytes(*length) as usize;
        if length > rest.len() {
            return Err(bad_request("binary BYTES data ends inside an element"));
        }
        let (element, rest) = rest.split_at(length);
        let text = std::str::from_utf8(element).map_err(|_| {
            bad_request(format!("binary element {} is not valid UTF-8", texts.len()))
        })?;
        texts.push(text.to_owned());
        data = rest;
    }
    Ok(texts)
}

/// Row-major elements of (possibly nested) JSON tensor data; each must be a string. Stops once
/// there are more than `expected`, so a huge array costs no more than the shape allows.
fn flatten(
    data: &serde_json::Value,
    out: &mut Vec<String>,
    expected: usize,
) -> Result<(), ApiError> {
    match data {
        serde_json::Value::String(text) => {
            out.push(text.clone());
            Ok(())
        }
        serde_json::Value::Array(items) => {
            for item in items {
                if out.len() > expected {
                    break;
                }
                flatten(item, out, expected)?;
            }
            Ok(())
        }
        other => Err(bad_request(format!(
            "BYTES data must be strings; found {}",
            match other {
                serde_json::Value::Null => "null",
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Number(_) => "a number",
                _ => "an object",
            }
        ))),
    }
}

fn flag(parameters: &Option<Parameters>, name: &str) -> Option<bool> {
    parameters.as_ref()?.get(name)?.as_bool()
}

/// The outputs to send, in order, and whether each goes as binary data: the requested ones
/// (each by its `binary_data` parameter), or both (by the request's `binary_data_output`).
fn wanted_outputs(request: &InferRequest) -> Result<Vec<(&'static str, bool)>, ApiError> {
    let default_binary = flag(&request.parameters, "binary_data_output").unwrap_or(false);
    let Some(requested) = &request.outputs else {
        return Ok(vec![
            (PROBABILITIES, default_binary),
            (LABEL, default_binary),
        ]);
    };
    requested
        .iter()
        .map(|output| {
            let name = match output.name.as_str() {
                PROBABILITIES => PROBABILITIES,
                LABEL => LABEL,
                other => {
                    return Err(bad_request(format!(
                        "unknown output {other:?}; the model's outputs are {PROBABILITIES:?} and {LABEL:?}"
                    )));
                }
            };
            Ok((name, flag(&output.parameters, "binary_data").unwrap_or(default_binary)))
        })
        .collect()
}

/// Every error answered on a `/v2` path — from the handlers, authentication, body limits or the
/// router — in the protocol's shape `{"error": "<message>"}`, status and headers kept.
pub async fn protocol_errors(request: Request, next: Next) -> Response {
    let on_v2 = request.uri().path() == "/v2" || request.uri().path().starts_with("/v2/");
    let response = next.run(request).await;
    let status = response.status();
    if !on_v2 || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Error bodies are small JSON this server wrote; anything else passes unchanged.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let message = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned));
    match message {
        Some(message) => {
            let body = serde_json::to_vec(&ProtocolError { error: message }).expect("serializes");
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(body))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> InferRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn texts_come_flat_or_nested_and_must_match_the_shape() {
        let flat = request(serde_json::json!({"inputs": [
            {"name": "text", "shape": [2.0], "datatype": "BYTES", "data": ["a", "b"]}]}));
        assert_eq!(texts_of(&flat, &[], 8).unwrap(), ["a", "b"]);
        let nested = request(serde_json::json!({"inputs": [
            {"name": "text", "shape": [2, 1], "datatype": "BYTES", "data": [["a"], ["b"]]}]}));
        assert_eq!(texts_of(&nested, &[], 8).unwrap(), ["a", "b"]);
        let refused = |json: serde_json::Value| texts_of(&request(json), &[], 8).unwrap_err();
        let short = refused(serde_json::json!({"inputs": [
            {"name": "text", "shape": [3], "datatype": "BYTES", "data": ["a", "b"]}]}));
        assert!(
            short.message.contains("but 2 elements"),
            "{}",
            short.message
        );
        let numbers = refused(serde_json::json!({"inputs": [
            {"name": "text", "shape": [1], "datatype": "BYTES", "data": [1]}]}));
        assert!(numbers.message.contains("must be strings"));
        let wide = refused(serde_json::json!({"inputs": [
            {"name": "text", "shape": [1, 2], "datatype": "BYTES", "data": ["a", "b"]}]}));
        assert!(wide.message.contains("expected [n] or [n, 1]"));
        let fp32 = refused(serde_json::json!({"inputs": [
            {"name": "text", "shape": [1], "datatype": "FP32", "data": [1.0]}]}));
        assert!(fp32.message.contains("expected BYTES"));
        let many = refused(serde_json::json!({"inputs": [
            {"name": "text", "shape": [9], "datatype": "BYTES", "data": ["a"]}]}));
        assert_eq!(many.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn binary_bytes_elements_are_length_prefixed_utf8() {
        let mut data = Vec::new();
        TensorData::Bytes(vec!["未见异常".into(), "".into(), "ok".into()]).write_binary(&mut data);
        assert_eq!(data.len(), 3 * 4 + "未见异常".len() + 2);
        assert_eq!(decode_bytes(&data, 3).unwrap(), ["未见异常", "", "ok"]);
        let input = |size: usize| {
            request(serde_json::json!({"inputs": [{"name": "text", "shape": [3],
                "datatype": "BYTES", "parameters": {"binary_data_size": size}}]}))
        };
        assert_eq!(texts_of(&input(data.len()), &data, 8).unwrap().len(), 3);
        let wrong_size = texts_of(&input(data.len() - 1), &data, 8).unwrap_err();
        assert!(wrong_size.message.contains("does not match"));
        assert!(
            decode_bytes(&data[..data.len() - 1], 3)
                .unwrap_err()
                .message
                .contains("ends inside")
        );
        assert!(decode_bytes(&[1, 0, 0], 1).is_err());
        assert!(
            decode_bytes(&[1, 0, 0, 0, 0xff], 1)
                .unwrap_err()
                .message
                .contains("UTF-8")
        );
        let mut fp32 = Vec::new();
        TensorData::Fp32(vec![0.25, 1.0]).write_binary(&mut fp32);
        assert_eq!(fp32, [0.25f32.to_le_bytes(), 1.0f32.to_le_bytes()].concat());
    }

    #[test]
    fn outputs_default_to_both_and_unknown_ones_are_named() {
        let input =
            serde_json::json!([{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}]);
        let both = request(serde_json::json!({"inputs": input}));
        assert_eq!(
            wanted_outputs(&both).unwrap(),
            [(PROBABILITIES, false), (LABEL, false)]
        );
        let binary = request(serde_json::json!({"inputs": input,
            "parameters": {"binary_data_output": true},
            "outputs": [{"name": "label"}, {"name": "probabilities", "parameters": {"binary_data": false}}]}));
        assert_eq!(
            wanted_outputs(&binary).unwrap(),
            [(LABEL, true), (PROBABILITIES, false)]
        );
        let unknown =
            request(serde_json::json!({"inputs": input, "outputs": [{"name": "logits"}]}));
        assert!(
            wanted_outputs(&unknown)
                .unwrap_err()
                .message
                .contains("\"logits\"")
        );
    }
}
