//! TLS in the server (rustls, no OpenSSL): TLS 1.2 and 1.3 only, HTTP/2 and HTTP/1.1 by ALPN,
//! and optionally mutual TLS, a client certificate from a given CA required before a byte of
//! HTTP is read. Certificates reload on SIGHUP and `POST /v1/tls/reload` without dropping open
//! connections: each new connection takes the configuration current when it arrives, and a new
//! certificate that does not load is refused while the old one stays.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

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
}

impl Tls {
    /// Reads the files; a server with a certificate it cannot load does not start.
    pub fn load(files: TlsFiles) -> anyhow::Result<Self> {
        let config = server_config(&files)?;
        Ok(Self {
            files,
            current: RwLock::new(config),
        })
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
        let config = server_config(&self.files)?;
        match self.current.write() {
            Ok(mut current) => *current = config,
            Err(poisoned) => *poisoned.into_inner() = config,
        }
        Ok(())
    }
}

fn server_config(files: &TlsFiles) -> anyhow::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = certificates(&files.cert)?;
    report_expiry(&files.cert, &chain[0]);
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
