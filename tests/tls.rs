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
    exchange(stream, request).await.map(|(status, _)| status)
}

/// One request on an open connection: the status and the body, read whole (by its
/// Content-Length) so the connection can carry the next request.
async fn exchange(
    stream: &mut (impl AsyncReadExt + AsyncWriteExt + Unpin),
    request: &str,
) -> std::io::Result<(u16, Vec<u8>)> {
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
    let status = status.ok_or_else(|| std::io::Error::other(format!("no status line: {head}")))?;
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok((status, body))
}

/// A JSON POST, optionally with a bearer key.
fn post_request(path: &str, body: &str, key: Option<&str>, close: bool) -> String {
    let auth = key.map_or_else(String::new, |key| {
        format!("Authorization: Bearer {key}\r\n")
    });
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{auth}\
         {connection}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
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
    let audit = dir.path().join("audit.jsonl");
    let audit_path = audit.clone();
    let app = spawn_tls_app(&cert, &key, Some(&client_ca_file), move |c| {
        c.audit_log = Some(audit_path)
    })
    .await;

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

    // Both refusals are authentication failures in the audit trail, with the client's address;
    // plain HTTP on the port is not (it is no attempt to authenticate).
    let mut plain = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let _ = status_on(&mut plain, READY).await;
    // The connection closes as the handshake fails, a moment before a line would be written.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut lines = Vec::new();
    for _ in 0..100 {
        lines = audit_lines(&audit);
        if lines.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let details: Vec<&str> = lines
        .iter()
        .map(|l| {
            assert_eq!(
                (&l["event"], &l["via"]),
                (
                    &serde_json::json!("authentication_failed"),
                    &serde_json::json!("tls")
                )
            );
            assert!(l["client"].as_str().unwrap().starts_with("127.0.0.1:"));
            l["detail"].as_str().unwrap()
        })
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(details[0].contains("no client certificate"), "{details:?}");
    assert!(details[1].contains("refused"), "{details:?}");
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
        live: false,
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

fn audit_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A dashboard authenticated by its certificate alone: the keys file binds the certificate's
/// subject to a key name and scopes; another certificate from the same CA is no key.
#[tokio::test]
async fn a_certificate_bound_to_a_key_needs_no_token_and_refusals_name_its_subject() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("plant CA");
    let ca_file = write(dir.path(), "ca.pem", &ca.cert.pem());
    let (cert, key) = server_files(dir.path(), &ca, "server");
    let keys = write(
        dir.path(),
        "keys.json",
        &serde_json::json!({"keys": [
            {"name": "line-4-panel", "client_certificate_subject": "CN=line-4-panel",
             "scopes": ["predict"]}
        ]})
        .to_string(),
    );
    let audit = dir.path().join("audit.jsonl");
    let audit_path = audit.clone();
    let app = spawn_tls_app(&cert, &key, Some(&ca_file), move |c| {
        c.api_keys_file = Some(keys);
        c.audit_log = Some(audit_path);
    })
    .await;
    let text = r#"{"text": "焊缝外观合格"}"#;
    let (panel_cert, panel_key) = ca.issue("line-4-panel", true);
    let panel = Client::new(
        &ca,
        rustls::ALL_VERSIONS,
        &[b"http/1.1"],
        Some((&panel_cert, &panel_key)),
    );
    let predict = post_request("/v1/predict", text, None, true);
    assert_eq!(panel.status(&app, &predict).await.unwrap(), 200);
    let explain = post_request("/v1/explain", text, None, true);
    assert_eq!(panel.status(&app, &explain).await.unwrap(), 403);
    let (other_cert, other_key) = ca.issue("line-5-panel", true);
    let other = Client::new(
        &ca,
        rustls::ALL_VERSIONS,
        &[b"http/1.1"],
        Some((&other_cert, &other_key)),
    );
    assert_eq!(other.status(&app, &predict).await.unwrap(), 401);
    // A wrong token is not excused by a bound certificate.
    let wrong = post_request("/v1/predict", text, Some("not-an-issued-key-0001"), true);
    assert_eq!(panel.status(&app, &wrong).await.unwrap(), 401);
    assert_eq!(panel.status(&app, &reload_request()).await.unwrap(), 200);

    let lines = audit_lines(&audit);
    let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        [
            "scope_refused",
            "authentication_failed",
            "authentication_failed",
            "tls_reload"
        ],
        "{lines:#?}"
    );
    assert_eq!(lines[0]["key"], "line-4-panel");
    assert_eq!(lines[0]["certificate_subject"], "CN=line-4-panel");
    assert_eq!(lines[0]["path"], "/v1/explain");
    assert_eq!(lines[0]["status"], 403);
    assert!(
        lines[0]["client"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    assert_eq!(lines[1]["certificate_subject"], "CN=line-5-panel");
    assert_eq!(lines[1]["detail"], "no key");
    assert_eq!(lines[2]["detail"], "unknown key");
    assert_eq!(lines[3]["key"], "admin-api-key #1");
    assert_eq!(lines[3]["outcome"], "ok");
    let written = std::fs::read_to_string(&audit).unwrap();
    for secret in ["焊缝", "not-an-issued-key-0001", ADMIN_KEY] {
        assert!(!written.contains(secret), "{secret} is in the audit trail");
    }
}

/// Reloading certificates while 64 clients send predictions over TLS, on open connections and
/// new ones: not one request fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_reload_under_64_clients_without_a_failed_request() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("plant CA");
    let (cert, key) = server_files(dir.path(), &ca, "first");
    let app = Arc::new(spawn_tls_app(&cert, &key, None, |c| c.max_queue = common::nz(4096)).await);
    let client = Arc::new(Client::plain(&ca));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for i in 0..64 {
        let (app, client, stop) = (Arc::clone(&app), Arc::clone(&client), Arc::clone(&stop));
        tasks.push(tokio::spawn(async move {
            let (mut answered, mut failed) = (0u32, Vec::new());
            let request = post_request(
                "/v1/predict",
                &format!(r#"{{"text": "第{i}批来料检验合格"}}"#),
                None,
                false,
            );
            // New connections until told to stop, ten requests on each.
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || answered == 0 {
                let mut stream = match client.connect(&app).await {
                    Ok(stream) => stream,
                    Err(error) => {
                        failed.push(format!("connect: {error}"));
                        if failed.len() > 20 {
                            break;
                        }
                        continue;
                    }
                };
                for _ in 0..10 {
                    match exchange(&mut stream, &request).await {
                        Ok((200, _)) => answered += 1,
                        Ok((status, body)) => {
                            failed.push(format!("{status}: {}", String::from_utf8_lossy(&body)))
                        }
                        Err(error) => failed.push(format!("request: {error}")),
                    }
                }
            }
            (answered, failed)
        }));
    }
    let admin = Client::plain(&ca);
    for round in 0..6 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        server_files(dir.path(), &ca, &format!("round-{round}"));
        assert_eq!(admin.status(&app, &reload_request()).await.unwrap(), 200);
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut answered, mut failed) = (0, Vec::new());
    for task in tasks {
        let (a, f) = task.await.unwrap();
        answered += a;
        failed.extend(f);
    }
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(answered >= 640, "only {answered} answered");
}

/// The healthcheck (the client textserve ships) refuses a server certificate that has
/// expired, even from the right CA.
#[tokio::test]
async fn the_healthcheck_refuses_an_expired_server_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("plant CA");
    let ca_file = write(dir.path(), "ca.pem", &ca.cert.pem());
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let expired_key = KeyPair::generate().unwrap();
    let expired = params.signed_by(&expired_key, &ca.cert, &ca.key).unwrap();
    let cert = write(dir.path(), "expired.pem", &expired.pem());
    let key = write(dir.path(), "expired.key", &expired_key.serialize_pem());
    let app = spawn_tls_app(&cert, &key, None, |_| {}).await;
    let error = format!(
        "{:#}",
        healthcheck(&app, Some(ca_file.clone()), None)
            .await
            .unwrap_err()
    );
    assert!(error.to_lowercase().contains("expired"), "{error}");
    assert!(Client::plain(&ca).status(&app, READY).await.is_err());
    // The server says when its certificate runs out, for alerting before it does.
    let gauge = format!(
        "textserve_tls_certificate_not_after_seconds{{file=\"{}\"}} 1609459200",
        cert.display()
    );
    let metrics = textserve::serve::telemetry::render_metrics();
    assert!(metrics.contains(&gauge), "{gauge} not in the metrics");
}

/// `--tls-watch-interval-s`: a certificate renewed in place (as in a mounted Secret) is picked
/// up without a signal; a broken one is reported once and the served one stays.
#[tokio::test]
async fn renewed_certificate_files_are_picked_up_by_the_watch() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new("plant CA");
    let (cert, key) = server_files(dir.path(), &ca, "first");
    let audit = dir.path().join("audit.jsonl");
    let audit_path = audit.clone();
    let app = spawn_tls_app(&cert, &key, None, move |c| {
        c.tls_watch_interval_s = 1;
        c.audit_log = Some(audit_path);
    })
    .await;
    let client = Client::plain(&ca);
    let served = || async {
        let stream = client.connect(&app).await.unwrap();
        stream.get_ref().1.peer_certificates().unwrap()[0].to_vec()
    };
    let first = served().await;
    let (renewed, _) = server_files(dir.path(), &ca, "renewed");
    let renewed = CertificateDer::from_pem_file(&renewed).unwrap().to_vec();
    let mut picked_up = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if served().await == renewed {
            picked_up = true;
            break;
        }
    }
    assert!(picked_up, "the renewed certificate was not picked up");
    assert_ne!(first, renewed);

    std::fs::write(&cert, "half-written certificate").unwrap();
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(
        served().await,
        renewed,
        "a broken file replaced the certificate"
    );
    let outcomes: Vec<(String, String)> = audit_lines(&audit)
        .iter()
        .map(|l| {
            assert_eq!(l["via"], "watch");
            (
                l["event"].as_str().unwrap().to_string(),
                l["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("tls_reload".to_string(), "ok".to_string()),
            ("tls_reload".to_string(), "failed".to_string())
        ],
        "one line per change"
    );
}
