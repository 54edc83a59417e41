//! API keys, the refusal to serve an open API on a public address, and CORS.

use crate::config::RawApiKey;
use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::audit::{Audit, AuditEvent};
use super::error::ApiError;
use super::peer::Peer;
use super::scoped_keys::{Scope, ScopedKeys, Verdict};

/// A secret that never prints: `Debug` shows only that it is there.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl std::str::FromStr for ApiKey {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim();
        if key.len() < 16 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("API keys must be at least 16 printable ASCII characters".into());
        }
        Ok(Self(key.to_string()))
    }
}

/// The keys given on the command line, each checked; an invalid one is named by position only.
/// `source` names where they came from (e.g. "--api-key / TEXTSERVE_API_KEYS").
pub fn check_keys(raw: &[RawApiKey], source: &str) -> anyhow::Result<Vec<ApiKey>> {
    raw.iter()
        .enumerate()
        .map(|(i, key)| {
            key.expose().parse().map_err(|e| {
                anyhow::anyhow!("key {} of {source}: {e} (the key is not shown)", i + 1)
            })
        })
        .collect()
}

/// The accepted keys, kept only as SHA-256 digests so comparisons take the same time whatever
/// the key's length or how much of it a caller guessed: the plain keys of `--api-key` (every
/// scope but admin) and the named, scoped keys of `--api-keys-file`.
#[derive(Clone, Default)]
pub struct ApiKeys {
    plain: Arc<Vec<[u8; 32]>>,
    /// How the plain keys are named in audit lines: `{label} #N`, by position.
    label: &'static str,
    scoped: Option<Arc<ScopedKeys>>,
}

impl ApiKeys {
    /// `label`: what the keys are called in the audit trail (`api-key`, `admin-api-key`).
    pub fn new(keys: &[ApiKey], label: &'static str) -> Self {
        Self {
            plain: Arc::new(
                keys.iter()
                    .map(|k| Sha256::digest(k.0.as_bytes()).into())
                    .collect(),
            ),
            label,
            scoped: None,
        }
    }

    pub fn with_scoped(mut self, scoped: Option<Arc<ScopedKeys>>) -> Self {
        self.scoped = scoped;
        self
    }

    pub fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.scoped.as_ref().is_none_or(|s| s.is_empty())
    }

    /// The name of the plain key this token is. Constant time in the presented token: every
    /// stored digest is compared in full.
    fn accepts(&self, token: &[u8]) -> Option<String> {
        let presented: [u8; 32] = Sha256::digest(token).into();
        let mut found = None;
        for (i, stored) in self.plain.iter().enumerate() {
            if super::scoped_keys::same_digest(stored, &presented) {
                found = Some(i);
            }
        }
        found.map(|i| format!("{} #{}", self.label, i + 1))
    }
}

/// Reads keys from a file: one per line; blank lines and `#` comments are skipped.
pub fn read_key_file(path: &std::path::Path) -> anyhow::Result<Vec<ApiKey>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .enumerate()
        .map(|(i, line)| {
            line.parse()
                .map_err(|e| anyhow::anyhow!("{}: key {}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// An open prediction API on a non-loopback address is how model servers get taken over;
/// it takes an explicit `--allow-unauthenticated` to do it.
pub fn check_exposure(
    host: IpAddr,
    keys: &ApiKeys,
    client_certificates: bool,
    allow_unauthenticated: bool,
) -> anyhow::Result<()> {
    // Mutual TLS authenticates every connection before a request is read.
    if host.is_loopback() || !keys.is_empty() || client_certificates {
        return Ok(());
    }
    if allow_unauthenticated {
        tracing::warn!(%host, "serving WITHOUT authentication on a non-loopback address (--allow-unauthenticated)");
        return Ok(());
    }
    anyhow::bail!(
        "refusing to serve without API keys on {host}, which is reachable from other machines: \
         pass --api-key / --api-key-file (or TEXTSERVE_API_KEYS), require client certificates \
         (--tls-client-ca), or pass --allow-unauthenticated"
    )
}

/// Guards `/v1/*`. Health probes, metrics, the spec, the docs and the try-it page stay open so
/// load balancers and monitoring need no secret.
/// The API and the Open Inference Protocol's model routes need a key; health, metrics, the
/// spec, the try-it page and the protocol's server metadata and health do not.
fn needs_key(path: &str) -> bool {
    (path.starts_with("/v1/") || path.starts_with("/v2/models")) && !is_management(path)
}

/// The routes that change what is served: `/v1/models/{name}/{reload,load,unload,shadow,
/// canary}` and `/v1/tls/reload`. They take the admin key instead of an inference key.
pub fn is_management(path: &str) -> bool {
    if path == "/v1/tls/reload" {
        return true;
    }
    let mut segments = path.trim_start_matches('/').split('/');
    matches!(
        (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next()
        ),
        (
            Some("v1"),
            Some("models"),
            Some(_),
            Some("reload" | "load" | "unload" | "shadow" | "canary"),
            None
        )
    )
}

/// Who may use the management routes.
#[derive(Clone)]
pub struct AdminAccess {
    pub keys: ApiKeys,
    /// `--api-keys-file`: its keys with the admin scope open the management routes too.
    pub scoped: Option<Arc<ScopedKeys>>,
    /// `--allow-unauthenticated-admin`: no key needed.
    pub open: bool,
}

/// What a request's credential turned out to be.
enum Identity {
    /// A key (or a certificate bound to one) that may do what the route needs: its name.
    Key(String),
    /// A scoped key (or certificate) without the scope, or over its rate.
    Refused(Verdict),
    /// No credential, or one nobody issued.
    Unknown,
}

/// A bearer token decides when one is sent; without one, a client certificate bound to a key
/// in `--api-keys-file` stands for that key. A wrong token is not excused by a certificate.
fn identify(
    request: &Request,
    plain: &ApiKeys,
    scoped: Option<&ScopedKeys>,
    needs: Option<Scope>,
) -> Identity {
    let subject = request
        .extensions()
        .get::<Peer>()
        .and_then(|peer| peer.certificate_subject.as_deref());
    let verdict = match bearer_token(request) {
        Some(token) => {
            if let Some(name) = plain.accepts(token) {
                return Identity::Key(name);
            }
            scoped.map_or(Verdict::Unknown, |scoped| {
                scoped.check(token, subject, needs)
            })
        }
        None => match (subject, scoped) {
            (Some(subject), Some(scoped)) => scoped.check_certificate(subject, needs),
            _ => Verdict::Unknown,
        },
    };
    match verdict {
        Verdict::Unknown => Identity::Unknown,
        Verdict::Allowed { key } => {
            metrics::counter!("textserve_key_requests_total", "key" => key.clone(), "outcome" => "allowed")
                .increment(1);
            Identity::Key(key)
        }
        refused => Identity::Refused(refused),
    }
}

/// The audit event a management route's request is.
fn management_event(path: &str) -> (&'static str, Option<String>) {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v1", "models", name, "reload"] => ("model_reload", Some(name.to_string())),
        ["v1", "models", name, "load"] => ("model_load", Some(name.to_string())),
        ["v1", "models", name, "unload"] => ("model_unload", Some(name.to_string())),
        ["v1", "models", name, "shadow"] => ("model_shadow", Some(name.to_string())),
        ["v1", "models", name, "canary"] => ("model_canary", Some(name.to_string())),
        _ => ("tls_reload", None),
    }
}

/// Guards the management routes: with admin keys, only their bearers pass (401 otherwise);
/// without any, they are closed (403) unless the operator opened them explicitly. Loopback is
/// no exception: anything on the host, a container's sidecar included, can reach loopback.
/// Every attempt, allowed or not, is an audit line.
pub async fn require_admin_key(
    State((access, audit)): State<(AdminAccess, Audit)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !is_management(path) {
        return next.run(request).await;
    }
    let (event, model) = management_event(path);
    if access.open && access.keys.is_empty() {
        return run_audited(&audit, event, model, None, request, next).await;
    }
    let scoped = access.scoped.as_deref();
    if access.keys.is_empty() && !scoped.is_some_and(|s| s.any_with(Scope::Admin)) {
        let response = ApiError::new(
            StatusCode::FORBIDDEN,
            "admin_disabled",
            "model management is disabled: start the server with --admin-api-key \
             (or TEXTSERVE_ADMIN_API_KEYS), a key with the admin scope in --api-keys-file, \
             or --allow-unauthenticated-admin",
        )
        .into_response();
        let mut line = AuditEvent::for_request("admin_disabled", "refused", &request);
        line.model = model;
        line.status = Some(response.status().as_u16());
        audit.record(&line);
        return response;
    }
    match identify(&request, &access.keys, scoped, Some(Scope::Admin)) {
        Identity::Key(name) => run_audited(&audit, event, model, Some(name), request, next).await,
        Identity::Refused(verdict) => refuse(&audit, &request, verdict),
        Identity::Unknown => unauthorized(&audit, &request, "missing or invalid admin key"),
    }
}

/// Runs an administrative action and records who did it and how it ended.
async fn run_audited(
    audit: &Audit,
    event: &'static str,
    model: Option<String>,
    key: Option<String>,
    request: Request,
    next: Next,
) -> Response {
    let mut line = AuditEvent::for_request(event, "ok", &request);
    line.key = key;
    line.model = model;
    let response = next.run(request).await;
    line.status = Some(response.status().as_u16());
    if !response.status().is_success() {
        line.outcome = "failed";
    }
    audit.record(&line);
    response
}

/// The scope a key needs for a request, or `None` where any key may read (model lists and
/// metadata).
fn scope_for(method: &Method, path: &str) -> Option<Scope> {
    if method == Method::GET {
        return None;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v1", "predict", "stream"] => Some(Scope::Stream),
        ["v1", "explain"] | ["v1", "models", _, "explain"] => Some(Scope::Explain),
        ["v1", "feedback"] | ["v1", "models", _, "feedback"] => Some(Scope::Feedback),
        _ => Some(Scope::Predict),
    }
}

/// A scoped key's refusal (403 without the scope, 429 over its rate), counted by key name and
/// recorded in the audit trail.
fn refuse(audit: &Audit, request: &Request, verdict: Verdict) -> Response {
    let (key, outcome, response) = match verdict {
        Verdict::Unknown | Verdict::Allowed { .. } => {
            unreachable!("only refusals are refused")
        }
        Verdict::MissingScope { key } => {
            let message = format!("the key {key:?} does not have the scope this route needs");
            let response =
                ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", message).into_response();
            (key, "insufficient_scope", response)
        }
        Verdict::RateLimited {
            key,
            retry_after_seconds,
        } => {
            let message = format!("the key {key:?} is over its request rate; retry later");
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
                    .into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            (key, "rate_limited", response)
        }
    };
    metrics::counter!("textserve_key_requests_total", "key" => key.clone(), "outcome" => outcome)
        .increment(1);
    let event = if outcome == "rate_limited" {
        "rate_limited"
    } else {
        "scope_refused"
    };
    let mut line = AuditEvent::for_request(event, "refused", request);
    line.key = Some(key);
    line.status = Some(response.status().as_u16());
    audit.record(&line);
    response
}

fn bearer_token(request: &Request) -> Option<&[u8]> {
    request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
}

fn unauthorized(audit: &Audit, request: &Request, message: &'static str) -> Response {
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    let mut line = AuditEvent::for_request("authentication_failed", "refused", request);
    line.status = Some(response.status().as_u16());
    line.detail = Some(
        if bearer_token(request).is_some() {
            "unknown key"
        } else {
            "no key"
        }
        .into(),
    );
    audit.record(&line);
    response
}

/// The name of the key a request came with (`api-key #N` for plain keys), in its extensions for
/// handlers that record who sent something.
#[derive(Debug, Clone)]
pub struct KeyName(pub String);

pub async fn require_api_key(
    State((keys, audit)): State<(ApiKeys, Audit)>,
    mut request: Request,
    next: Next,
) -> Response {
    if keys.is_empty() || !needs_key(request.uri().path()) {
        return next.run(request).await;
    }
    let needs = scope_for(request.method(), request.uri().path());
    match identify(&request, &keys, keys.scoped.as_deref(), needs) {
        Identity::Key(name) => {
            request.extensions_mut().insert(KeyName(name));
            next.run(request).await
        }
        Identity::Refused(verdict) => refuse(&audit, &request, verdict),
        Identity::Unknown => unauthorized(&audit, &request, "missing or invalid API key"),
    }
}

/// Off unless origins are listed: browsers then may call the API only from those pages.
pub fn cors(origins: &[HeaderValue]) -> Option<CorsLayer> {
    (!origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("x-request-id"),
            ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_exactly_and_never_printed() {
        let key: ApiKey = "factory-floor-key-0001".parse().unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
        let keys = ApiKeys::new(
            &[key, "second-key-for-rotation".parse().unwrap()],
            "api-key",
        );
        assert_eq!(
            keys.accepts(b"factory-floor-key-0001").as_deref(),
            Some("api-key #1")
        );
        assert_eq!(
            keys.accepts(b"second-key-for-rotation").as_deref(),
            Some("api-key #2")
        );
        assert!(keys.accepts(b"factory-floor-key-000").is_none());
        assert!(keys.accepts(b"factory-floor-key-00012").is_none());
        assert!(keys.accepts(b"").is_none());
        assert!("short".parse::<ApiKey>().is_err());
        assert!("has a space inside it ok".parse::<ApiKey>().is_err());
        let raw: Vec<RawApiKey> = vec![
            "factory-floor-key-0001".parse().unwrap(),
            "secret but short".parse().unwrap(),
        ];
        let error = check_keys(&raw, "--api-key").unwrap_err().to_string();
        assert!(
            error.contains("key 2 of --api-key") && !error.contains("secret"),
            "{error}"
        );
    }

    #[test]
    fn management_routes_are_exactly_reload_load_unload_shadow_and_canary_of_one_model() {
        for path in [
            "/v1/models/a/reload",
            "/v1/models/a/load",
            "/v1/models/zh-reviews-sentiment/unload",
            "/v1/models/a/shadow",
            "/v1/models/a/canary",
        ] {
            assert!(is_management(path), "{path}");
            assert!(!needs_key(path), "{path}");
        }
        for path in [
            "/v1/models/a/predict",
            "/v1/models/reload",
            "/v1/models/a/reload/x",
            "/v1/models",
            "/v2/models/a/reload",
            "/v1/models/a/canary/x",
        ] {
            assert!(!is_management(path), "{path}");
        }
        assert!(needs_key("/v1/models/a/predict"));
    }

    #[test]
    fn public_addresses_need_keys_client_certificates_or_an_explicit_opt_out() {
        let none = ApiKeys::default();
        let some = ApiKeys::new(&["factory-floor-key-0001".parse().unwrap()], "api-key");
        let public: IpAddr = "0.0.0.0".parse().unwrap();
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(check_exposure(loopback, &none, false, false).is_ok());
        assert!(check_exposure(public, &some, false, false).is_ok());
        assert!(check_exposure(public, &none, false, true).is_ok());
        // Mutual TLS authenticates every connection.
        assert!(check_exposure(public, &none, true, false).is_ok());
        let error = check_exposure(public, &none, false, false)
            .unwrap_err()
            .to_string();
        assert!(error.contains("--allow-unauthenticated"), "{error}");
    }
}
