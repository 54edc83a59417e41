//! `POST /v1/predict/stream`: a body of NDJSON lines of any length in, one NDJSON result per
//! line out, in input order, as they are computed. A plant's nightly backlog goes through one
//! request instead of being cut into batch requests by the client.
//!
//! Memory stays bounded whatever the body's size: a reader task takes lines as they arrive
//! and queues them as bulk texts (which run only while no interactive text waits), at most
//! `WINDOW` ahead of what has been written back. When the client stops reading the answer, the
//! window fills, the reader stops reading the body, and TCP pushes back on the sender. When the
//! client goes away, the answer stream is dropped and with it every queued text of the stream.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody, ErrorDetail};
use super::routes::{PredictRequest, check_text};
use super::state::{AppState, Limits};
use crate::runtime::ServedModel;
use crate::runtime::inference::PendingPrediction;
use crate::runtime::registry::ModelVersion;
use crate::views::LabelScores;
use std::sync::Arc;

/// Texts of one stream queued or computed but not yet written back: two full forward passes'
/// worth keeps the workers fed between the reader's turns.
const WINDOW: usize = 512;

/// One input line, as a /v1/predict body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StreamLine {
    text: String,
}

/// One output line: the input line's number (from 1) and its prediction.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamPrediction {
    pub line: u64,
    #[serde(flatten)]
    pub prediction: LabelScores,
}

/// One output line for an input line that could not be classified; the stream goes on.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamLineError {
    pub line: u64,
    pub error: ErrorDetail,
}

enum Entry {
    Queued { line: u64, reply: PendingPrediction },
    Failed { line: u64, error: ApiError },
}

/// Classify a stream of texts (NDJSON), answered line by line.
#[utoipa::path(
    post,
    path = "/v1/predict/stream",
    tag = "predict",
    request_body(
        content = PredictRequest,
        content_type = "application/x-ndjson",
        description = "Any number of lines, each a JSON object {\"text\": ...} as /v1/predict takes; \
            application/jsonl and application/json are accepted too. Each line is checked on its own \
            (--max-text-chars); the body as a whole has no size limit, and may pause at most \
            --body-timeout-ms between bytes."
    ),
    responses(
        (status = 200, description = "One NDJSON line per input line, in input order: a StreamPrediction, \
            or a StreamLineError (codes: empty_line, invalid_utf8, malformed_json, invalid_request, \
            empty_text, text_too_long, line_too_long, body_incomplete, body_timeout, unavailable) \
            after which the stream goes on (the last three end it)",
            content_type = "application/x-ndjson", body = StreamPrediction),
        (status = 401, description = "Missing or invalid API key (when keys are configured)", body = ErrorBody),
        (status = 415, description = "Content-Type is not NDJSON, JSON Lines or JSON", body = ErrorBody),
        (status = 503, description = "Model not ready, or shutting down", body = ErrorBody),
    )
)]
pub async fn predict_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // The stream holds this version to its end, however many reloads happen meanwhile.
    let model = state.model(None)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(
        content_type.as_deref(),
        Some("application/x-ndjson" | "application/jsonl" | "application/json")
    ) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "expected a body of JSON lines with Content-Type: application/x-ndjson",
        ));
    }
    let (entries, queued) = mpsc::channel::<Entry>(WINDOW);
    tokio::spawn(read_lines(state.clone(), Arc::clone(&model), body, entries));
    let details = model.served.details.clone();
    let served_by = super::telemetry::served_by(&model.served);
    let answers = futures_util::stream::unfold((queued, model), |(mut queued, model)| async move {
        let entry = queued.recv().await?;
        let line = Bytes::from(answer(&model.served, entry).await);
        Some((line, (queued, model)))
    });
    let header_value = |value: &str| {
        HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
    };
    Ok((
        served_by,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-ndjson"),
            ),
            (
                HeaderName::from_static("x-model"),
                header_value(&details.name),
            ),
            (
                HeaderName::from_static("x-model-version"),
                header_value(&details.version),
            ),
        ],
        Body::from_stream(answers.map(Ok::<_, Infallible>)),
    )
        .into_response())
}

/// The output line for one entry, newline included.
async fn answer(served: &ServedModel, entry: Entry) -> String {
    let mut text = match entry {
        Entry::Queued { line, reply } => match reply.await {
            Ok(Ok(prediction)) => {
                metrics::counter!("textserve_stream_lines_total", "outcome" => "ok").increment(1);
                served.drift.observe_prediction(&prediction.probabilities);
                serde_json::to_string(&StreamPrediction {
                    line,
                    prediction: served.label_scores(&prediction.probabilities),
                })
            }
            _ => error_line(line, &ApiError::worker_stopped()),
        },
        Entry::Failed { line, error } => error_line(line, &error),
    }
    .expect("stream lines serialize");
    text.push('\n');
    text
}

fn error_line(line: u64, error: &ApiError) -> serde_json::Result<String> {
    metrics::counter!("textserve_stream_lines_total", "outcome" => "error").increment(1);
    serde_json::to_string(&StreamLineError {
        line,
        error: ErrorDetail {
            code: error.code.to_string(),
            message: error.message.clone(),
        },
    })
}

/// Splits the body into lines as it arrives and queues each; stops when the body ends, fails
/// or stalls, or when the client has stopped listening (the channel is closed).
async fn read_lines(
    state: AppState,
    model: Arc<ModelVersion>,
    body: Body,
    entries: mpsc::Sender<Entry>,
) {
    let limits = state.limits();
    let mut chunks = body.into_data_stream();
    let mut reader = LineReader::new(max_line_bytes(limits.max_text_chars));
    loop {
        let ending = match tokio::time::timeout(limits.stream_idle_timeout, chunks.next()).await {
            Ok(Some(Ok(chunk))) => {
                for (line, content) in reader.push(&chunk) {
                    let entry = entry_for(&model, &limits, line, content);
                    if entries.send(entry).await.is_err() {
                        return;
                    }
                }
                continue;
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "body_incomplete",
                "the request body broke off; lines after this one were not read",
            ),
            Err(_) => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!(
                    "no body bytes for {} ms (--body-timeout-ms); the stream ends here",
                    limits.stream_idle_timeout.as_millis()
                ),
            ),
        };
        let line = reader.next_line();
        let _ = entries
            .send(Entry::Failed {
                line,
                error: ending,
            })
            .await;
        return;
    }
    if let Some((line, content)) = reader.finish() {
        let _ = entries
            .send(entry_for(&model, &limits, line, content))
            .await;
    }
}

/// The longest line that can hold a valid text: each character up to 6 bytes (a \u escape)
/// and the object around it.
pub fn max_line_bytes(max_text_chars: usize) -> usize {
    max_text_chars.saturating_mul(6).saturating_add(1024)
}

/// A line's content, or the fact that it was longer than the limit (and not kept).
#[derive(Debug, PartialEq)]
pub enum LineContent {
    Bytes(Vec<u8>),
    TooLong,
}

/// Cuts a byte stream into numbered lines, keeping at most `max_line` bytes of any line.
pub struct LineReader {
    max_line: usize,
    buffer: Vec<u8>,
    too_long: bool,
    lines: u64,
}

impl LineReader {
    pub fn new(max_line: usize) -> Self {
        Self {
            max_line,
            buffer: Vec::new(),
            too_long: false,
            lines: 0,
        }
    }

    /// The number the next line will get.
    fn next_line(&self) -> u64 {
        self.lines + 1
    }

    /// The lines this chunk completes.
    pub fn push(&mut self, mut chunk: &[u8]) -> Vec<(u64, LineContent)> {
        let mut complete = Vec::new();
        while let Some(end) = chunk.iter().position(|&b| b == b'\n') {
            self.take(&chunk[..end]);
            complete.push(self.end_line());
            chunk = &chunk[end + 1..];
        }
        self.take(chunk);
        complete
    }

    /// The last line, when the body does not end with a newline.
    pub fn finish(&mut self) -> Option<(u64, LineContent)> {
        (!self.buffer.is_empty() || self.too_long).then(|| self.end_line())
    }

    fn take(&mut self, bytes: &[u8]) {
        if self.too_long {
            return;
        }
        if self.buffer.len() + bytes.len() > self.max_line {
            self.too_long = true;
            self.buffer = Vec::new();
        } else {
            self.buffer.extend_from_slice(bytes);
        }
    }

    fn end_line(&mut self) -> (u64, LineContent) {
        self.lines += 1;
        let content = if std::mem::take(&mut self.too_long) {
            LineContent::TooLong
        } else {
            LineContent::Bytes(std::mem::take(&mut self.buffer))
        };
        (self.lines, content)
    }
}

fn entry_for(model: &ModelVersion, limits: &Limits, line: u64, content: LineContent) -> Entry {
    let text = match parse_line(content, limits.max_text_chars) {
        Ok(text) => text,
        Err(error) => return Entry::Failed { line, error },
    };
    let ids = model.served.tokenizer.encode(&text).ids;
    model
        .served
        .drift
        .observe_text(crate::runtime::drift::text_signals(
            &text,
            &ids,
            model.served.tokenizer.unknown_id(),
        ));
    match model.inference.submit_bulk(ids) {
        Ok(reply) => Entry::Queued { line, reply },
        Err(_) => Entry::Failed {
            line,
            error: ApiError::worker_stopped(),
        },
    }
}

/// The text of one line, or the error its output line reports.
pub fn parse_line(content: LineContent, max_text_chars: usize) -> Result<String, ApiError> {
    let bytes = match content {
        LineContent::TooLong => {
            return Err(ApiError::too_large(
                "line_too_long",
                format!(
                    "the line is longer than a text of --max-text-chars ({max_text_chars}) can make it"
                ),
            ));
        }
        LineContent::Bytes(bytes) => bytes,
    };
    let line = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::unprocessable("invalid_utf8", "the line is not valid UTF-8"))?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "empty_line",
            "the line is empty; each line must be a JSON object {\"text\": ...}",
        ));
    }
    if line.trim_start().starts_with('[') {
        return Err(ApiError::unprocessable(
            "invalid_request",
            "each line must be a JSON object {\"text\": ...}, not an array",
        ));
    }
    let parsed: StreamLine = serde_json::from_str(line).map_err(|error| {
        if error.is_data() {
            ApiError::unprocessable("invalid_request", error.to_string())
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", error.to_string())
        }
    })?;
    check_text(&parsed.text, max_text_chars, "text")?;
    Ok(parsed.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(reader: &mut LineReader, chunk: &str) -> Vec<(u64, LineContent)> {
        reader.push(chunk.as_bytes())
    }

    #[test]
    fn lines_are_cut_across_chunks_and_numbered_in_order() {
        let mut reader = LineReader::new(100);
        assert!(lines(&mut reader, "{\"te").is_empty());
        let got = lines(&mut reader, "xt\":1}\n\n{\"a\"");
        assert_eq!(
            got,
            [
                (1, LineContent::Bytes(b"{\"text\":1}".to_vec())),
                (2, LineContent::Bytes(Vec::new()))
            ]
        );
        assert_eq!(
            reader.finish(),
            Some((3, LineContent::Bytes(b"{\"a\"".to_vec())))
        );
        let mut ended = LineReader::new(100);
        lines(&mut ended, "x\n");
        assert_eq!(ended.finish(), None, "a final newline ends the last line");
    }

    #[test]
    fn an_over_long_line_is_dropped_without_being_kept() {
        let mut reader = LineReader::new(8);
        let got = lines(&mut reader, "0123456");
        assert!(got.is_empty());
        lines(&mut reader, "789abcdef");
        assert!(reader.buffer.is_empty(), "nothing of the long line is held");
        let got = lines(&mut reader, "ghi\nok\n");
        assert_eq!(
            got,
            [
                (1, LineContent::TooLong),
                (2, LineContent::Bytes(b"ok".to_vec()))
            ]
        );
    }
}
