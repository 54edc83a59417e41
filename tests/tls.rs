//! TLS in the server over real sockets, with certificates made here (rcgen) and a rustls client:
//! versions and ALPN, plain HTTP refused, mutual TLS, certificate reload under an open
//! connection, and a stalled handshake cut off.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::{TestApp, nz_ms, spawn_app_with};
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, SanType,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

const ADMIN_KEY: &str = "tls-test-admin-key-0001";

struct Authority {
    cert: Certificate,
    key: KeyPair,
}

impl Authority {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self { cert, key }
    }

    /// A leaf certificate for the server (localhost, 127.0.0.1) or a client, named `name`.
    fn issue(&self, name: &str, client: bool) -> (Certificate, KeyPair) {
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![if client {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert, key)
    }
}

fn write(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

/// Server certificate files in `dir`: (cert, key).
fn server_files(dir: &Path, ca: &Authority, name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = ca.issue(name, false);
    (
        write(dir, "server.pem", &cert.pem()),
        write(dir, "server.key", &key.serialize_pem()),
    )
}

struct Client {
    config: Arc<ClientConfig>,
}

impl Client {
    fn new(
        ca: &Authority,
        versions: &[&'static rustls::SupportedProtocolVersion],
        alpn: &[&[u8]],
        identity: Option<(&Certificate, &KeyPair)>,
    ) -> Self {
        let mut roots = RootCertStore::empty();
        roots.add(ca.cert.der().clone()).unwrap();
        let builder =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_protocol_versions(versions)
                .unwrap()
                .with_root_certificates(roots);
        let mut config = match identity {
            None => builder.with_no_client_auth(),
            Some((cert, key)) => builder
                .with_client_auth_cert(
                    vec![cert.der().clone()],
                    PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
                )
                .unwrap(),
        };
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Self {
            config: Arc::new(config),
        }
    }

    fn plain(ca: &Authority) -> Self {
        Self::new(ca, rustls::ALL_VERSIONS, &[b"http/1.1"], None)
    }

    async fn connect(
        &self,
        app: &TestApp,
    ) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
        let tcp = TcpStream::connect(app.address.trim_start_matches("http://")).await?;
        TlsConnector::from(Arc::clone(&self.config))
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
    }

    /// One HTTP/1.1 request on a new connection: the status, or the error that stopped it.
    async fn status(&self, app: &TestApp, request: &str) -> std::io::Result<u16> {
        let mut stream = self.connect(app).await?;
        status_on(&mut stream, request).await
    }
}

/// Sends `request` (with `Connection: close` unless it says otherwise) and reads the status.
async fn status_on(
    stream: &mut (impl AsyncReadExt + AsyncWriteExt + Unpin),
    request: &str,
) -> std::io::Result<u16> {
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok());
    status.ok_or_else(|| std::io::Error::other(format!("no status line: {head}")))
}

const READY: &str = "GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
const READY_KEEP_ALIVE: &str = "GET /health/ready HTTP/1.1\r\nHost: localhost\r\n\r\n";

fn reload_request() -> String {
    format!(
        "POST /v1/tls/reload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {ADMIN_KEY}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

async fn spawn_tls_app(
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
    adjust: impl FnOnce(&mut textserve::config::ServeConfig),
) -> TestApp {
    let (cert, key, client_ca) = (
        cert.to_path_buf(),
        key.to_path_buf(),
        client_ca.map(Path::to_path_buf),
    );
    spawn_app_with(move |c| {
        c.tls_cert = Some(cert);
        c.tls_key = Some(key);
        c.tls_client_ca = client_ca;
        c.admin_api_keys = vec![ADMIN_KEY.parse().unwrap()];
        adjust(c);
    })
    .await
}

#[tokio::test]
async fn https_answers_on_tls_1_3_and_1_2_and_offers_http2_by_alpn() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("test CA");
    let (cert, key) = server_files(dir.path(), &ca, "server");
    let app = spawn_tls_app(&cert, &key, None, |_| {}).await;
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let client = Client::new(&ca, &[version], &[b"http/1.1"], None);
        assert_eq!(
            client.status(&app, READY).await.unwrap(),
            200,
            "{version:?}"
        );
    }
    let h2 = Client::new(&ca, rustls::ALL_VERSIONS, &[b"h2", b"http/1.1"], None);
    let stream = h2.connect(&app).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    // A prediction goes through as over plain HTTP.
    let body = r#"{"text": "来料检验未见异常"}"#;
    let request = format!(
        "POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(
        Client::plain(&ca).status(&app, &request).await.unwrap(),
        200
    );
}

#[tokio::test]
async fn plain_http_to_the_tls_port_gets_no_http_answer() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("test CA");
    let (cert, key) = server_files(dir.path(), &ca, "server");
    let app = spawn_tls_app(&cert, &key, None, |_| {}).await;
    let mut tcp = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    tcp.write_all(READY.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    assert!(
        !answer.starts_with(b"HTTP/"),
        "plain HTTP got an HTTP answer: {:?}",
        String::from_utf8_lossy(&answer)
    );
    // The server still serves TLS clients.
    assert_eq!(Client::plain(&ca).status(&app, READY).await.unwrap(), 200);
}

#[tokio::test]
async fn mutual_tls_needs_a_certificate_from_the_client_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("plant CA");
    let (cert, key) = server_files(dir.path(), &ca, "server");
    let clients_ca = Authority::new("dashboards CA");
    let client_ca_file = write(dir.path(), "clients.pem", &clients_ca.cert.pem());
    let app = spawn_tls_app(&cert, &key, Some(&client_ca_file), |_| {}).await;

    let none = Client::plain(&ca);
    assert!(
        none.status(&app, READY).await.is_err(),
        "no certificate was let in"
    );
    let stranger = Authority::new("another CA");
    let (wrong_cert, wrong_key) = stranger.issue("dashboard", true);
    let wrong = Client::new(
        &ca,
        rustls::ALL_VERSIONS,
        &[b"http/1.1"],
        Some((&wrong_cert, &wrong_key)),
    );
    assert!(
        wrong.status(&app, READY).await.is_err(),
        "a certificate from another CA was let in"
    );
    let (right_cert, right_key) = clients_ca.issue("dashboard", true);
    let right = Client::new(
        &ca,
        rustls::ALL_VERSIONS,
        &[b"http/1.1"],
        Some((&right_cert, &right_key)),
    );
    assert_eq!(right.status(&app, READY).await.unwrap(), 200);
}

#[tokio::test]
async fn certificates_reload_for_new_connections_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("test CA");
    let (cert, key) = server_files(dir.path(), &ca, "first");
    let app = spawn_tls_app(&cert, &key, None, |_| {}).await;
    let client = Client::plain(&ca);
    let served_name = |stream: &tokio_rustls::client::TlsStream<TcpStream>| -> Vec<u8> {
        stream.get_ref().1.peer_certificates().unwrap()[0].to_vec()
    };
    let mut before = client.connect(&app).await.unwrap();
    let first = served_name(&before);
    assert_eq!(status_on(&mut before, READY_KEEP_ALIVE).await.unwrap(), 200);

    let (second_cert, _) = server_files(dir.path(), &ca, "second");
    assert_eq!(client.status(&app, &reload_request()).await.unwrap(), 200);
    let after = client.connect(&app).await.unwrap();
    let second = served_name(&after);
    assert_ne!(
        second, first,
        "a new connection still got the old certificate"
    );
    assert_eq!(
        second,
        CertificateDer::from_pem_file(&second_cert)
            .unwrap()
            .to_vec()
    );
    // The connection opened before the reload is still served.
    assert_eq!(status_on(&mut before, READY_KEEP_ALIVE).await.unwrap(), 200);

    std::fs::write(&cert, "not a certificate").unwrap();
    assert_eq!(client.status(&app, &reload_request()).await.unwrap(), 422);
    let still = client.connect(&app).await.unwrap();
    assert_eq!(
        served_name(&still),
        second,
        "a bad certificate replaced the good one"
    );
}

#[tokio::test]
async fn a_stalled_handshake_is_cut_off_and_gives_its_slot_back() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("test CA");
    let (cert, key) = server_files(dir.path(), &ca, "server");
    let app = spawn_tls_app(&cert, &key, None, |c| {
        c.max_connections = std::num::NonZeroUsize::new(1).unwrap();
        c.tls_handshake_timeout_ms = nz_ms(300);
    })
    .await;
    // Holds the only connection slot without sending a byte of the handshake.
    let mut stalled = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let mut buf = [0u8; 1];
    let closed = tokio::time::timeout(Duration::from_secs(5), stalled.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "the stalled handshake was not cut off"
    );
    assert_eq!(Client::plain(&ca).status(&app, READY).await.unwrap(), 200);
}

#[tokio::test]
async fn reloading_tls_on_a_plain_server_is_a_conflict() {
    let app = spawn_app_with(|c| c.admin_api_keys = vec![ADMIN_KEY.parse().unwrap()]).await;
    let response = app
        .client
        .post(app.url("/v1/tls/reload"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(
        common::error_code(response, 409).await,
        "tls_not_configured"
    );
}

/// `textserve healthcheck` as a container runs it, against the TLS server.
async fn healthcheck(
    app: &TestApp,
    ca: Option<PathBuf>,
    identity: Option<(PathBuf, PathBuf)>,
) -> anyhow::Result<()> {
    let port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let args = textserve::commands::healthcheck::HealthcheckArgs {
        host: "127.0.0.1".parse().unwrap(),
        port,
        timeout_ms: 5000,
        tls_ca: ca,
        tls_server_name: "localhost".into(),
        tls_client_cert: identity.as_ref().map(|(cert, _)| cert.clone()),
        tls_client_key: identity.map(|(_, key)| key),
    };
    tokio::task::spawn_blocking(move || textserve::commands::healthcheck::healthcheck(args))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_healthcheck_speaks_tls_and_mutual_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("plant CA");
    let ca_file = write(dir.path(), "ca.pem", &ca.cert.pem());
    let (cert, key) = server_files(dir.path(), &ca, "server");
    let app = spawn_tls_app(&cert, &key, Some(&ca_file), |_| {}).await;
    assert!(
        healthcheck(&app, None, None).await.is_err(),
        "plain HTTP to TLS"
    );
    assert!(
        healthcheck(&app, Some(ca_file.clone()), None)
            .await
            .is_err(),
        "no client certificate"
    );
    let (probe_cert, probe_key) = ca.issue("healthcheck", true);
    let identity = (
        write(dir.path(), "probe.pem", &probe_cert.pem()),
        write(dir.path(), "probe.key", &probe_key.serialize_pem()),
    );
    healthcheck(&app, Some(ca_file), Some(identity))
        .await
        .unwrap();
}
