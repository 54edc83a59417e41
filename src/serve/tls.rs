//! TLS in the server (rustls, no OpenSSL): TLS 1.2 and 1.3 only, HTTP/2 and HTTP/1.1 by ALPN,
//! and optionally mutual TLS, a client certificate from a given CA required before a byte of
//! HTTP is read. Certificates reload on SIGHUP and `POST /v1/tls/reload` without dropping open
//! connections: each new connection takes the configuration current when it arrives, and a new
//! certificate that does not load is refused while the old one stays. With
//! `--tls-watch-interval-s` the files are also looked at periodically and reloaded when their
//! contents change, for certificates renewed in place (cert-manager, a Secret's update).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};

/// Where the certificates come from: read at start and at every reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain, the server's own certificate first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// PEM CA certificates a client certificate must chain to; none, no client certificate asked.
    pub client_ca: Option<PathBuf>,
}

/// The TLS configuration new connections get; replaced whole on a successful reload.
#[derive(Debug)]
pub struct Tls {
    files: TlsFiles,
    current: RwLock<Arc<ServerConfig>>,
    /// Digest of the files' contents at the last load attempt, so a watcher reloads (or
    /// reports a failure) once per change, not once per look; and the digest of a change seen
    /// once, not yet acted on.
    last_seen: Mutex<Seen>,
}

impl Tls {
    /// Reads the files; a server with a certificate it cannot load does not start.
    pub fn load(files: TlsFiles) -> anyhow::Result<Self> {
        let seen = files.digest();
        let config = server_config(&files)?;
        Ok(Self {
            files,
            current: RwLock::new(config),
            last_seen: Mutex::new(Seen {
                loaded: seen,
                pending: None,
            }),
        })
    }

    /// Reloads when the files' contents changed since the last load attempt and then stayed
    /// the same for one more look: a certificate and key copied one after the other are read
    /// as a pair, not as a new certificate with the old key. `None` when there is nothing to
    /// do yet (or a file cannot be read right now, as in the middle of an update).
    pub fn reload_if_changed(&self) -> Option<anyhow::Result<()>> {
        let now = self.files.digest()?;
        {
            let mut seen = match self.last_seen.lock() {
                Ok(seen) => seen,
                Err(poisoned) => poisoned.into_inner(),
            };
            if seen.loaded == Some(now) {
                seen.pending = None;
                return None;
            }
            if seen.pending != Some(now) {
                seen.pending = Some(now);
                return None;
            }
        }
        Some(self.reload())
    }

    /// Mutual TLS is on: every connection presented a certificate from the client CA.
    pub fn requires_client_certificates(&self) -> bool {
        self.files.client_ca.is_some()
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        let config = match self.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        };
        TlsAcceptor::from(config)
    }

    /// Re-reads the files. On error the configuration in use stays and the error says why.
    pub fn reload(&self) -> anyhow::Result<()> {
        if let Ok(mut seen) = self.last_seen.lock() {
            *seen = Seen {
                loaded: self.files.digest(),
                pending: None,
            };
        }
        let config = server_config(&self.files)?;
        match self.current.write() {
            Ok(mut current) => *current = config,
            Err(poisoned) => *poisoned.into_inner() = config,
        }
        Ok(())
    }
}

/// File digests a watcher compares against.
#[derive(Debug)]
struct Seen {
    /// The contents at the last load attempt.
    loaded: Option<[u8; 32]>,
    /// A change seen once and not yet acted on.
    pending: Option<[u8; 32]>,
}

impl TlsFiles {
    /// SHA-256 over the files' contents, in order; `None` if one cannot be read.
    fn digest(&self) -> Option<[u8; 32]> {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for path in [Some(&self.cert), Some(&self.key), self.client_ca.as_ref()]
            .into_iter()
            .flatten()
        {
            let bytes = std::fs::read(path).ok()?;
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        Some(hasher.finalize().into())
    }
}

fn server_config(files: &TlsFiles) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = certificates(&files.cert)?;
    let leaf = chain[0].clone();
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("{}: no PEM private key", files.key.display()))?;
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS 1.2 and 1.3")?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates(ca)? {
                roots
                    .add(cert)
                    .with_context(|| format!("{}: not a CA certificate", ca.display()))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .with_context(|| format!("{}: cannot verify clients with it", ca.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(chain, key).with_context(|| {
        format!(
            "{} and {}: the key does not match the certificate, or neither is usable",
            files.cert.display(),
            files.key.display()
        )
    })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // Only a certificate that will be served is reported: a renewal refused for a wrong key
    // must not make the expiry alert look at a certificate nobody sees.
    report_expiry(&files.cert, &leaf);
    Ok(Arc::new(config))
}

/// Every certificate of a PEM file; an empty or unreadable one is an error naming the file.
fn certificates(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("{}: cannot read", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}: not a PEM certificate file", path.display()))?;
    if chain.is_empty() {
        anyhow::bail!("{}: no certificate in it", path.display());
    }
    Ok(chain)
}

/// Clients refuse an expired certificate, and nothing on the server side would notice: the
/// expiry is a gauge (by file) to alert on ahead of time, and a warning when it is near or past.
fn report_expiry(path: &Path, certificate: &CertificateDer<'_>) {
    use x509_cert::der::Decode;
    let Ok(parsed) = x509_cert::Certificate::from_der(certificate) else {
        return;
    };
    let not_after = parsed
        .tbs_certificate
        .validity
        .not_after
        .to_unix_duration()
        .as_secs();
    metrics::gauge!("textserve_tls_certificate_not_after_seconds", "file" => path.display().to_string())
        .set(not_after as f64);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days_left = (not_after as i64 - now as i64) / 86_400;
    if not_after <= now {
        tracing::error!(file = %path.display(), "the TLS certificate has EXPIRED: clients will refuse it");
    } else if days_left < EXPIRY_WARNING_DAYS {
        tracing::warn!(file = %path.display(), days_left, "the TLS certificate expires soon");
    }
}

const EXPIRY_WARNING_DAYS: i64 = 14;

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec![name.to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn a_change_is_acted_on_once_it_holds_still_for_one_look() {
        let dir = tempfile::tempdir().unwrap();
        let files = TlsFiles {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
            client_ca: None,
        };
        let (cert, key) = pair("first");
        std::fs::write(&files.cert, cert).unwrap();
        std::fs::write(&files.key, key).unwrap();
        let tls = Tls::load(files.clone()).unwrap();
        assert!(tls.reload_if_changed().is_none(), "nothing changed");

        // The certificate is copied first, the key a moment later.
        let (cert, key) = pair("second");
        std::fs::write(&files.cert, cert).unwrap();
        assert!(tls.reload_if_changed().is_none(), "first look at a change");
        std::fs::write(&files.key, key).unwrap();
        assert!(tls.reload_if_changed().is_none(), "it changed again");
        assert!(matches!(tls.reload_if_changed(), Some(Ok(()))));
        assert!(tls.reload_if_changed().is_none(), "acted on once");

        std::fs::write(&files.key, "garbage").unwrap();
        assert!(tls.reload_if_changed().is_none());
        assert!(matches!(tls.reload_if_changed(), Some(Err(_))));
        assert!(
            tls.reload_if_changed().is_none(),
            "a failure is reported once"
        );
    }
}
