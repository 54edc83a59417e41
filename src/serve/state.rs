//! What every handler shares: the registry of served models, the request limits and the
//! shutdown state.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::error::ApiError;
use crate::runtime::registry::{ModelVersion, Registry};

/// Request limits, checked before any tokenizing or queueing.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_batch_size: usize,
    pub max_text_chars: usize,
    /// Queue wait plus inference, per request.
    pub request_timeout: std::time::Duration,
    pub max_explain_tokens: usize,
    pub max_explain_samples: usize,
    /// Longest a stream's body may go without sending a byte.
    pub stream_idle_timeout: std::time::Duration,
}

impl From<&crate::config::ServeConfig> for Limits {
    fn from(config: &crate::config::ServeConfig) -> Self {
        Self {
            max_batch_size: config.max_batch_size.get(),
            max_text_chars: config.max_text_chars.get(),
            request_timeout: std::time::Duration::from_millis(config.request_timeout_ms.get()),
            max_explain_tokens: explain_limit(
                config.max_explain_tokens,
                256,
                config.max_queue.get(),
                1,
            ),
            max_explain_samples: explain_limit(
                config.max_explain_samples,
                2048,
                config.max_queue.get(),
                2,
            ),
            stream_idle_timeout: std::time::Duration::from_millis(config.body_timeout_ms.get()),
        }
    }
}

/// An explain limit as set, or its default lowered so that one explanation's rows (the limit
/// plus `extra_rows`) fit the queue; a limit set too high is refused at start instead.
fn explain_limit(set: Option<u32>, default: usize, max_queue: usize, extra_rows: usize) -> usize {
    set.map_or_else(
        || default.min(max_queue.saturating_sub(extra_rows)).max(1),
        |limit| limit as usize,
    )
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Arc<Registry>,
    limits: Limits,
    stopping: AtomicBool,
    tls: Option<Arc<super::tls::Tls>>,
    feedback: Option<Arc<crate::feedback::FeedbackStore>>,
    /// `--canary-key-header`.
    canary_key_header: axum::http::HeaderName,
}

impl AppState {
    pub fn new(registry: Arc<Registry>, limits: Limits) -> Self {
        Self {
            inner: Arc::new(Inner {
                registry,
                limits,
                stopping: AtomicBool::new(false),
                tls: None,
                feedback: None,
                canary_key_header: axum::http::HeaderName::from_static(
                    super::telemetry::REQUEST_ID,
                ),
            }),
        }
    }

    /// The state with the server's TLS configuration, for `POST /v1/tls/reload`. Set before the
    /// state is shared.
    pub fn with_tls(mut self, tls: Option<Arc<super::tls::Tls>>) -> Self {
        self.inner_mut().tls = tls;
        self
    }

    /// The state with the feedback database (`--feedback-db`). Set before the state is shared.
    pub fn with_feedback(mut self, feedback: Option<Arc<crate::feedback::FeedbackStore>>) -> Self {
        self.inner_mut().feedback = feedback;
        self
    }

    /// The state with `--canary-key-header`. Set before the state is shared.
    pub fn with_canary_key_header(mut self, header: axum::http::HeaderName) -> Self {
        self.inner_mut().canary_key_header = header;
        self
    }

    /// What decides a request's side of a canary and whether its shadow samples it: the
    /// `--canary-key-header` value if the client sent one, else the request id.
    pub fn routing_key<'a>(&self, headers: &'a axum::http::HeaderMap) -> &'a [u8] {
        headers
            .get(&self.inner.canary_key_header)
            .or_else(|| headers.get(super::telemetry::REQUEST_ID))
            .map_or(&[], |value| value.as_bytes())
    }

    /// The version that answers a prediction request for `name` with these headers: the
    /// model, or its canary's candidate for the canary's share of routing keys.
    pub fn answering_model(
        &self,
        name: Option<&str>,
        headers: &axum::http::HeaderMap,
    ) -> Result<Arc<ModelVersion>, ApiError> {
        let version = self.registry().answering(name, self.routing_key(headers))?;
        if !version.inference.is_alive() {
            return Err(ApiError::worker_stopped());
        }
        Ok(version)
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::get_mut(&mut self.inner).expect("the state is set up before it is shared")
    }

    pub fn feedback(&self) -> Option<&Arc<crate::feedback::FeedbackStore>> {
        self.inner.feedback.as_ref()
    }

    pub fn tls(&self) -> Option<&Arc<super::tls::Tls>> {
        self.inner.tls.as_ref()
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.inner.registry
    }

    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// The default model's version serving now, if one is.
    pub fn default_model(&self) -> Option<Arc<ModelVersion>> {
        self.registry().get(None).ok()
    }

    pub fn begin_shutdown(&self) {
        self.inner.stopping.store(true, Ordering::Release);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.inner.stopping.load(Ordering::Acquire)
    }

    /// The version of `name` (the default model if `None`) that answers a request now, or the
    /// error explaining why none can. While shutting down it still answers the requests that
    /// reach it on connections opened before (each answer closes its connection), so no
    /// request already sent is lost.
    pub fn model(&self, name: Option<&str>) -> Result<Arc<ModelVersion>, ApiError> {
        let version = self.registry().get(name)?;
        if !version.inference.is_alive() {
            return Err(ApiError::worker_stopped());
        }
        Ok(version)
    }

    /// Ready means: a load balancer may send new traffic here now.
    pub fn ready(&self) -> Result<(), ApiError> {
        self.registry().is_ready()?;
        if self.is_shutting_down() {
            return Err(ApiError::unavailable(
                "shutting down; retry on another instance",
            ));
        }
        Ok(())
    }
}
