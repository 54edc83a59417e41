//! The protocol's tensors as this model takes and gives them: the request's `text` input (JSON
//! or binary BYTES), the outputs asked for, and the binary layout of the answer.

use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::serve::error::ApiError;

pub(super) const INPUT: &str = "text";
pub(super) const PROBABILITIES: &str = "probabilities";
pub(super) const LABEL: &str = "label";
pub(super) const HEADER_LENGTH: &str = "inference-header-content-length";

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

/// The JSON part of the body and the binary data after it.
/// The request in the JSON part of a body. Clients of the protocol often send no Content-Type
/// (tritonclient does not), so it is read as JSON whatever its type says.
pub(super) fn parse_request(json: &[u8]) -> Result<InferRequest, ApiError> {
    serde_json::from_slice(json)
        .map_err(|e| bad_request(format!("the request is not a valid inference request: {e}")))
}

pub(super) fn split_body<'a>(
    headers: &HeaderMap,
    body: &'a [u8],
) -> Result<(&'a [u8], &'a [u8]), ApiError> {
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
    pub(super) fn write_binary(&self, out: &mut Vec<u8>) {
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
pub(super) fn texts_of(
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
/// there are more than `expected`, so no more texts are copied than the shape allows (the
/// parsed JSON itself is bounded by --body-limit).
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
pub(super) fn wanted_outputs(
    request: &InferRequest,
) -> Result<Vec<(&'static str, bool)>, ApiError> {
    let default_binary = flag(&request.parameters, "binary_data_output").unwrap_or(false);
    let Some(requested) = &request.outputs else {
        return Ok(vec![
            (PROBABILITIES, default_binary),
            (LABEL, default_binary),
        ]);
    };
    let mut seen = Vec::with_capacity(2);
    requested
        .iter()
        .map(|output| {
            // Each output once: a list repeating one would have its data built again and again.
            if seen.contains(&output.name.as_str()) {
                return Err(bad_request(format!(
                    "output {:?} is asked for more than once",
                    output.name
                )));
            }
            seen.push(output.name.as_str());
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
