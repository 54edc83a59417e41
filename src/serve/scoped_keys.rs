//! Named API keys with scopes and rates (`--api-keys-file`), for plants where a dashboard may
//! predict but not reload models, and a batch job may stream but not flood the queue. The file
//! holds each key's SHA-256, never the key; it is reloaded on SIGHUP, and a file that does not
//! load leaves the keys in use as they were.
//!
//! ```json
//! {"keys": [
//!   {"name": "mes-dashboard", "sha256": "<64 hex digits>", "scopes": ["predict", "explain"],
//!    "rate": {"per_second": 20, "burst": 40}},
//!   {"name": "ops", "sha256": "<64 hex digits>", "scopes": ["admin"]},
//!   {"name": "line-4-panel", "client_certificate_subject": "CN=line-4-panel,O=Plant 3",
//!    "scopes": ["predict"]}
//! ]}
//! ```
//!
//! A key bound to a client certificate's subject (under mutual TLS) needs no bearer token: the
//! certificate presented in the handshake is the credential.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Predictions: `/v1/predict`, batches, per-model routes, the v2 protocol's inference.
    Predict,
    /// Explanations: `/v1/explain` and per-model explain routes.
    Explain,
    /// Bulk streams: `/v1/predict/stream`.
    Stream,
    /// Model and certificate management: reload, load, unload, TLS reload.
    Admin,
    /// Operators' corrections: `/v1/feedback` and per-model feedback routes.
    Feedback,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Predict => "predict",
            Scope::Explain => "explain",
            Scope::Stream => "stream",
            Scope::Admin => "admin",
            Scope::Feedback => "feedback",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    keys: Vec<FileEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    name: String,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    client_certificate_subject: Option<String>,
    scopes: Vec<Scope>,
    #[serde(default)]
    rate: Option<Rate>,
}

/// A token bucket: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rate {
    per_second: f64,
    burst: u32,
}

struct Entry {
    name: String,
    digest: Option<[u8; 32]>,
    /// `peer::subject_parts` of the certificate subject this entry stands for.
    subject: Option<Vec<(String, String)>>,
    scopes: Vec<Scope>,
    rate: Option<Rate>,
    bucket: Mutex<(f64, Instant)>,
}

/// The outcome for one request's bearer token.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// No key of the file has this token.
    Unknown,
    Allowed {
        key: String,
    },
    MissingScope {
        key: String,
    },
    RateLimited {
        key: String,
        retry_after_seconds: u64,
    },
}

/// The keys of `--api-keys-file`, replaced whole on a successful reload.
pub struct ScopedKeys {
    path: PathBuf,
    entries: RwLock<Arc<Vec<Entry>>>,
}

impl ScopedKeys {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            path: path.to_path_buf(),
            entries: RwLock::new(Arc::new(read(path)?)),
        })
    }

    /// Re-reads the file; on error the keys in use stay and the error names the problem.
    pub fn reload(&self) -> anyhow::Result<()> {
        let entries = Arc::new(read(&self.path)?);
        match self.entries.write() {
            Ok(mut current) => *current = entries,
            Err(poisoned) => *poisoned.into_inner() = entries,
        }
        Ok(())
    }

    fn current(&self) -> Arc<Vec<Entry>> {
        match self.entries.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.current().is_empty()
    }

    pub fn any_with(&self, scope: Scope) -> bool {
        self.current().iter().any(|e| e.scopes.contains(&scope))
    }

    /// `needs`: the scope the route needs, or `None` where any key's bearer may read (the
    /// model list). Every key's digest is compared in full, so the time taken says nothing of
    /// which key, or how much of one, a caller guessed.
    ///
    /// `subject`: the connection's client certificate subject, if any. A key whose entry also
    /// names a certificate subject counts only on a connection with that certificate: both
    /// factors, not either.
    pub fn check(&self, token: &[u8], subject: Option<&str>, needs: Option<Scope>) -> Verdict {
        let presented: [u8; 32] = Sha256::digest(token).into();
        let entries = self.current();
        let mut found = None;
        for entry in entries.iter() {
            if let Some(digest) = &entry.digest
                && same_digest(digest, &presented)
            {
                found = Some(entry);
            }
        }
        let Some(entry) = found else {
            return Verdict::Unknown;
        };
        if let Some(bound) = &entry.subject
            && subject.map(super::peer::subject_parts).as_ref() != Some(bound)
        {
            return Verdict::Unknown;
        }
        entry.decide(needs)
    }

    /// For a connection whose client certificate (verified by mutual TLS) has this subject and
    /// which sent no bearer token: the entry bound to that subject alone (one that also has a
    /// key needs the key as well).
    pub fn check_certificate(&self, subject: &str, needs: Option<Scope>) -> Verdict {
        let parts = super::peer::subject_parts(subject);
        self.current()
            .iter()
            .find(|entry| entry.digest.is_none() && entry.subject.as_ref() == Some(&parts))
            .map_or(Verdict::Unknown, |entry| entry.decide(needs))
    }
}

impl Entry {
    fn decide(&self, needs: Option<Scope>) -> Verdict {
        let key = self.name.clone();
        if needs.is_some_and(|scope| !self.scopes.contains(&scope)) {
            return Verdict::MissingScope { key };
        }
        if let Some(rate) = self.rate {
            let mut bucket = match self.bucket.lock() {
                Ok(bucket) => bucket,
                Err(poisoned) => poisoned.into_inner(),
            };
            let now = Instant::now();
            let (tokens, at) = *bucket;
            let tokens = (tokens + now.duration_since(at).as_secs_f64() * rate.per_second)
                .min(f64::from(rate.burst));
            if tokens < 1.0 {
                *bucket = (tokens, now);
                let wait = (1.0 - tokens) / rate.per_second;
                return Verdict::RateLimited {
                    key,
                    retry_after_seconds: wait.ceil().max(1.0) as u64,
                };
            }
            *bucket = (tokens - 1.0, now);
        }
        Verdict::Allowed { key }
    }
}

/// Equality of two digests that looks at every byte, whatever the first difference.
pub(super) fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn read(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let file: KeysFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a keys file", path.display()))?;
    let mut entries: Vec<Entry> = Vec::with_capacity(file.keys.len());
    for (i, key) in file.keys.into_iter().enumerate() {
        let at = || format!("{}: key {} ({:?})", path.display(), i + 1, key.name);
        if key.name.trim().is_empty() || key.name.len() > 64 {
            bail!("{}: a name of 1 to 64 characters is needed", at());
        }
        let digest: Option<[u8; 32]> = key
            .sha256
            .as_deref()
            .map(|hex_digits| {
                hex::decode(hex_digits.trim())
                    .ok()
                    .and_then(|bytes| bytes.try_into().ok())
                    .with_context(|| format!("{}: sha256 must be 64 hex digits", at()))
            })
            .transpose()?;
        let subject = key
            .client_certificate_subject
            .as_deref()
            .map(super::peer::subject_parts);
        if subject.as_ref().is_some_and(|parts| parts.is_empty()) {
            bail!("{}: client_certificate_subject is empty", at());
        }
        if digest.is_none() && subject.is_none() {
            bail!(
                "{}: give the key's sha256, a client_certificate_subject, or both",
                at()
            );
        }
        if key.scopes.is_empty() {
            bail!("{}: no scopes", at());
        }
        if key
            .rate
            .is_some_and(|r| !(r.per_second > 0.0 && r.per_second.is_finite() && r.burst >= 1))
        {
            bail!("{}: rate needs per_second > 0 and burst ≥ 1", at());
        }
        if entries.iter().any(|e| {
            e.name == key.name
                || (digest.is_some() && e.digest == digest)
                || (subject.is_some() && e.subject == subject)
        }) {
            bail!(
                "{}: the name, the key or the certificate subject appears twice",
                at()
            );
        }
        entries.push(Entry {
            bucket: Mutex::new((key.rate.map_or(0.0, |r| f64::from(r.burst)), Instant::now())),
            name: key.name,
            digest,
            subject,
            scopes: key.scopes,
            rate: key.rate,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, json: &str) -> PathBuf {
        let path = dir.join("keys.json");
        std::fs::write(&path, json).unwrap();
        path
    }

    fn digest(key: &str) -> String {
        hex::encode(Sha256::digest(key.as_bytes()))
    }

    #[test]
    fn scopes_and_rates_decide_and_a_bad_reload_keeps_the_old_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            &format!(
                r#"{{"keys": [{{"name": "dash", "sha256": "{}", "scopes": ["predict"],
                    "rate": {{"per_second": 0.5, "burst": 2}}}}]}}"#,
                digest("dashboard-key-0001")
            ),
        );
        let keys = ScopedKeys::load(&path).unwrap();
        let token = b"dashboard-key-0001";
        let allowed = Verdict::Allowed { key: "dash".into() };
        assert_eq!(keys.check(token, None, Some(Scope::Predict)), allowed);
        assert_eq!(
            keys.check(token, None, Some(Scope::Admin)),
            Verdict::MissingScope { key: "dash".into() }
        );
        assert_eq!(keys.check(token, None, None), allowed);
        assert_eq!(
            keys.check(token, None, Some(Scope::Predict)),
            Verdict::RateLimited {
                key: "dash".into(),
                retry_after_seconds: 2
            }
        );
        assert_eq!(
            keys.check(b"dashboard-key-0002", None, None),
            Verdict::Unknown
        );

        std::fs::write(
            &path,
            r#"{"keys": [{"name": "x", "sha256": "00", "scopes": ["predict"]}]}"#,
        )
        .unwrap();
        let error = keys.reload().unwrap_err().to_string();
        assert!(error.contains("64 hex digits"), "{error}");
        assert_eq!(
            keys.check(token, None, None),
            Verdict::RateLimited {
                key: "dash".into(),
                retry_after_seconds: 2
            },
            "the keys in use changed on a failed reload"
        );
    }

    #[test]
    fn an_entry_with_a_key_and_a_certificate_needs_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            &format!(
                r#"{{"keys": [
                    {{"name": "ops", "sha256": "{}", "client_certificate_subject": "CN=ops,O=Plant",
                      "scopes": ["admin"]}},
                    {{"name": "panel", "client_certificate_subject": "CN=panel,O=Plant",
                      "scopes": ["predict"]}}]}}"#,
                digest("operations-key-0001")
            ),
        );
        let keys = ScopedKeys::load(&path).unwrap();
        let token = b"operations-key-0001";
        let allowed = Verdict::Allowed { key: "ops".into() };
        assert_eq!(keys.check(token, Some("O=Plant, CN=ops"), None), allowed);
        assert_eq!(
            keys.check(token, Some("CN=panel,O=Plant"), None),
            Verdict::Unknown
        );
        assert_eq!(keys.check(token, None, None), Verdict::Unknown);
        assert_eq!(
            keys.check_certificate("CN=ops,O=Plant", None),
            Verdict::Unknown
        );
        assert_eq!(
            keys.check_certificate("CN=panel,O=Plant", None),
            Verdict::Allowed {
                key: "panel".into()
            }
        );
    }

    #[test]
    fn a_malformed_file_is_refused_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        for (json, reason) in [
            (
                r#"{"keys": [{"name": "a", "sha256": "zz", "scopes": ["predict"]}]}"#,
                "64 hex",
            ),
            (
                &format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{}", "scopes": []}}]}}"#,
                    digest("k")
                ),
                "no scopes",
            ),
            (
                &format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{}", "scopes": ["root"]}}]}}"#,
                    digest("k")
                ),
                "not a keys file",
            ),
            (
                &format!(
                    r#"{{"keys": [{{"name": "a", "sha256": "{0}", "scopes": ["predict"]}},
                                  {{"name": "b", "sha256": "{0}", "scopes": ["admin"]}}]}}"#,
                    digest("k")
                ),
                "twice",
            ),
        ] {
            let path = file(dir.path(), json);
            let error = format!("{:#}", ScopedKeys::load(&path).err().unwrap());
            assert!(error.contains(reason), "{json}: {error}");
        }
    }
}
