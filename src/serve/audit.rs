//! The audit trail: one JSON line for every authentication failure, scope or rate refusal,
//! administrative action (model load, unload and reload; certificate and key-file reload) and
//! refused model signature — with time, key name or certificate subject, client address and
//! request id. Never a comment's text, never a key: the lines may be kept longer and read by
//! more people than the service's own logs.
//!
//! Lines go to `--audit-log FILE` (appended, created readable by its owner only) and always to
//! the `audit` log target, so a deployment that ships logs gets them without a file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use serde::Serialize;

use super::peer::Peer;

#[derive(Clone, Default)]
pub struct Audit {
    file: Option<Arc<Mutex<std::fs::File>>>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Audit")
            .field("file", &self.file.is_some())
            .finish()
    }
}

/// One audited event. `event` names what happened, `outcome` how it ended.
#[derive(Debug, Default, Serialize)]
pub struct AuditEvent {
    pub event: &'static str,
    pub outcome: &'static str,
    /// The key's name (`--api-keys-file`), or `api-key #N` / `admin-api-key #N` for the plain
    /// keys by position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Why, for refusals and failures: an error message, never request content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What caused it: `http`, `tls` (a handshake refused for its client certificate), `sighup`,
    /// `watch` (a certificate file changed) or `load` (a model load, at start or on reload).
    pub via: &'static str,
}

impl AuditEvent {
    /// An event caused by a request: who sent it and which one it was.
    pub fn for_request(
        event: &'static str,
        outcome: &'static str,
        request: &axum::extract::Request,
    ) -> Self {
        let peer = request.extensions().get::<Peer>();
        Self {
            event,
            outcome,
            certificate_subject: peer
                .and_then(|p| p.certificate_subject.as_deref())
                .map(str::to_string),
            client: peer.map(|p| p.address.to_string()),
            request_id: request
                .headers()
                .get(super::telemetry::REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            method: Some(request.method().to_string()),
            path: Some(request.uri().path().to_string()),
            via: "http",
            ..Self::default()
        }
    }
}

#[derive(Serialize)]
struct Line<'a> {
    time: String,
    #[serde(flatten)]
    event: &'a AuditEvent,
}

impl Audit {
    /// Opens (creating it, owner-only) the file lines are appended to; `None` logs them only.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let file = open_append(path).with_context(|| {
            format!("--audit-log {}: cannot open for appending", path.display())
        })?;
        Ok(Self {
            file: Some(Arc::new(Mutex::new(file))),
        })
    }

    /// Writes the line whole in one `write` on an append-only file, so lines from concurrent
    /// requests never interleave. A line that cannot be written is counted and logged; the
    /// request it belongs to is not failed for it.
    pub fn record(&self, event: &AuditEvent) {
        let line = Line {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            event,
        };
        let mut text = serde_json::to_string(&line).expect("an audit line serializes");
        tracing::info!(target: "audit", audit = %text);
        let Some(file) = &self.file else {
            return;
        };
        text.push('\n');
        let mut file = match file.lock() {
            Ok(file) => file,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Err(error) = file.write_all(text.as_bytes()) {
            metrics::counter!("textserve_audit_write_failures_total").increment(1);
            tracing::error!(%error, "cannot write to the audit log");
        }
    }
}

fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json_with_a_time_and_only_the_fields_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let audit = Audit::open(Some(&path)).unwrap();
        audit.record(&AuditEvent {
            event: "tls_reload",
            outcome: "ok",
            via: "sighup",
            ..AuditEvent::default()
        });
        audit.record(&AuditEvent {
            event: "authentication_failed",
            outcome: "refused",
            client: Some("10.0.0.7:51234".into()),
            via: "http",
            ..AuditEvent::default()
        });
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "tls_reload");
        assert!(lines[0].get("client").is_none());
        assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(lines[1]["client"], "10.0.0.7:51234");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
