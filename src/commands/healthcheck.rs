//! `textserve healthcheck`: asks a running server whether it is ready, for container health
//! checks with no curl in the image, over plain HTTP or TLS (mutual TLS included).

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The address the server binds; 0.0.0.0 and :: are asked on loopback.
    #[arg(long, env = "TEXTSERVE_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port the server binds.
    #[arg(long, env = "TEXTSERVE_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Ask whether the process serves at all (GET /health/live, for liveness probes) instead
    /// of whether it is ready for traffic (GET /health/ready).
    #[arg(long)]
    pub live: bool,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub timeout_ms: u64,
    /// Ask over TLS, trusting the server certificate only if it chains to this PEM CA file.
    #[arg(long, env = "TEXTSERVE_TLS_CA")]
    pub tls_ca: Option<PathBuf>,
    /// The name the server certificate must carry.
    #[arg(long, default_value = "localhost", requires = "tls_ca")]
    pub tls_server_name: String,
    /// Client certificate (PEM) for a server that requires one (--tls-client-ca).
    #[arg(long, env = "TEXTSERVE_HEALTHCHECK_CERT", requires_all = ["tls_ca", "tls_client_key"])]
    pub tls_client_cert: Option<PathBuf>,
    /// Its private key (PEM).
    #[arg(long, env = "TEXTSERVE_HEALTHCHECK_KEY", requires = "tls_client_cert")]
    pub tls_client_key: Option<PathBuf>,
}

/// GET /health/ready (or /health/live) over HTTP/1.1 on loopback: what a container's HEALTHCHECK needs, without
/// shipping curl in the image.
pub fn healthcheck(args: HealthcheckArgs) -> anyhow::Result<()> {
    let host = match args.host {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let address = SocketAddr::new(host, args.port);
    let timeout = std::time::Duration::from_millis(args.timeout_ms.max(1));
    let stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| anyhow::anyhow!("no server on {address}: {e}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let (path, state) = if args.live {
        ("/health/live", "live")
    } else {
        ("/health/ready", "ready")
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let response = match &args.tls_ca {
        None => ask(stream, &request)?,
        Some(ca) => {
            let connection = rustls::ClientConnection::new(
                client_config(ca, &args)?,
                ServerName::try_from(args.tls_server_name.clone()).context("--tls-server-name")?,
            )?;
            ask(rustls::StreamOwned::new(connection, stream), &request)
                .with_context(|| format!("TLS to {address}"))?
        }
    };
    let status = response
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("");
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").trim();
    if status == "200" {
        println!("{state}: {body}");
        Ok(())
    } else {
        anyhow::bail!("not {state} ({address} answered {status:?}): {body}")
    }
}

/// Sends `request` and reads the answer until the server closes (a server that closes without
/// TLS's close_notify still gave its whole answer: the request said `Connection: close`).
fn ask(mut stream: impl Read + Write, request: &str) -> anyhow::Result<String> {
    stream.write_all(request.as_bytes())?;
    // The status line and the small JSON body fit well within this; no more is read.
    let mut response = Vec::with_capacity(1024);
    match stream.take(64 * 1024).read_to_end(&mut response) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !response.is_empty() => {}
        other => {
            other?;
        }
    }
    Ok(String::from_utf8_lossy(&response).into_owned())
}

fn client_config(ca: &PathBuf, args: &HealthcheckArgs) -> anyhow::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).with_context(|| ca.display().to_string())? {
        roots
            .add(cert.with_context(|| ca.display().to_string())?)
            .with_context(|| format!("{}: not a CA certificate", ca.display()))?;
    }
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots);
    let config = match (&args.tls_client_cert, &args.tls_client_key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .with_context(|| cert.display().to_string())?
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| cert.display().to_string())?;
            let key = PrivateKeyDer::from_pem_file(key)
                .with_context(|| format!("{}: no PEM private key", key.display()))?;
            builder.with_client_auth_cert(chain, key)?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}
