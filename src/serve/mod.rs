//! The HTTP service: binds, loads the model on its own thread, serves, shuts down gracefully.

pub mod audit;
pub mod error;
pub mod explain;
pub mod extract;
pub mod feedback;
pub mod openapi;
pub mod peer;
pub mod rollout;
pub mod routes;
pub mod scoped_keys;
pub mod security;
pub mod state;
pub mod stream;
pub mod telemetry;
pub mod tls;
pub mod v2;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

pub use openapi::{HttpOptions, app, openapi};

use crate::config::ServeConfig;
use crate::model::Model;
use crate::runtime::inference::BatcherConfig;
use crate::runtime::registry::{Registry, WorkerConfig};
use extract::BodyLimits;
use state::{AppState, Limits};

/// Every row of an explanation queues at once, so the largest one an operator allows must fit
/// the queue, or it would be refused with 429 however idle the server is. (Limits left unset
/// are lowered to fit by themselves.)
fn check_explain_limits_fit_the_queue(config: &ServeConfig) -> anyhow::Result<()> {
    let occlusion = config.max_explain_tokens.map(|t| t as usize + 1);
    let shap = config.max_explain_samples.map(|s| s as usize + 2);
    if let Some(rows) = occlusion.into_iter().chain(shap).max() {
        anyhow::ensure!(
            rows <= config.max_queue.get(),
            "--max-queue {} cannot hold the largest explanation allowed ({rows} rows: \
             --max-explain-tokens + 1 for occlusion, --max-explain-samples + 2 for shap); \
             raise --max-queue or lower those limits",
            config.max_queue
        );
    }
    Ok(())
}

/// A bound, not yet serving, server. `build` returns as soon as the port is bound; the model
/// loads on the inference thread meanwhile, and `/health/ready` answers 503 until it is warm.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    router: axum::Router,
    loaded: oneshot::Receiver<Result<(), crate::runtime::registry::RegistryError>>,
    shutdown_grace: Duration,
    connection_limits: ConnectionLimits,
    tls: Option<Arc<tls::Tls>>,
    scoped_keys: Option<Arc<scoped_keys::ScopedKeys>>,
    audit: audit::Audit,
    tls_watch_interval: Option<Duration>,
}

/// Protection against clients that hold connections without using them.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time a client gets to send a request's headers (slowloris).
    pub header_timeout: Duration,
    /// Open connections beyond this are closed on accept.
    pub max_connections: usize,
    /// Time a client gets to finish the TLS handshake.
    pub tls_handshake_timeout: Duration,
}

impl Application {
    pub async fn build(config: &ServeConfig) -> anyhow::Result<Self> {
        Self::build_with_loader(config, |dir: &std::path::Path| Ok(Model::load(dir)?)).await
    }

    /// `load` runs on each inference worker's thread, for the first load and every reload;
    /// tests use it to hold loading back.
    pub async fn build_with_loader<L>(config: &ServeConfig, load: L) -> anyhow::Result<Self>
    where
        L: Fn(&std::path::Path) -> anyhow::Result<Model> + Send + Sync + 'static,
    {
        // Installed before any request or batch can record into it.
        telemetry::prometheus();
        let audit = audit::Audit::open(config.audit_log.as_deref())?;
        let admission = only_signed_models(config, &audit)?;
        let mut keys = security::check_keys(&config.api_keys, "--api-key / TEXTSERVE_API_KEYS")?;
        if let Some(file) = &config.api_key_file {
            keys.extend(security::read_key_file(file)?);
        }
        let scoped = config
            .api_keys_file
            .as_deref()
            .map(scoped_keys::ScopedKeys::load)
            .transpose()?
            .map(Arc::new);
        let keys = security::ApiKeys::new(&keys, "api-key").with_scoped(scoped.clone());
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(Arc::new(tls::Tls::load(tls::TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: config.tls_client_ca.clone(),
            })?)),
            _ => None,
        };
        security::check_exposure(
            config.host,
            &keys,
            tls.as_ref()
                .is_some_and(|t| t.requires_client_certificates()),
            config.allow_unauthenticated,
        )?;
        let admin = security::AdminAccess {
            keys: security::ApiKeys::new(
                &security::check_keys(
                    &config.admin_api_keys,
                    "--admin-api-key / TEXTSERVE_ADMIN_API_KEYS",
                )?,
                "admin-api-key",
            ),
            open: config.allow_unauthenticated_admin,
            scoped: scoped.clone(),
        };
        check_explain_limits_fit_the_queue(config)?;
        let (models, default_model) = crate::runtime::registry::discover(config)?;
        // The word segmenter's dictionary loads beside the model, not on the first explanation.
        std::thread::spawn(crate::explain::warm_up_segmenter);
        let address = SocketAddr::new(config.host, config.port);
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot bind {address}"))?;
        let registry = Arc::new(
            Registry::new(
                models,
                default_model,
                config,
                WorkerConfig {
                    batcher: BatcherConfig {
                        max_batch_size: config.max_batch_size.get(),
                        max_batch_delay: Duration::from_millis(config.max_batch_delay_ms),
                        max_queue: config.max_queue.get(),
                    },
                    workers: config.workers,
                    threads: config.threads,
                },
                Arc::new(load),
            )
            .with_admission(admission),
        );
        // Checked before any model starts loading, so a bad flag leaves no worker behind.
        configure_rollouts(&registry, config)?;
        let (loaded_tx, loaded) = oneshot::channel();
        let first_load = Arc::clone(&registry);
        tokio::spawn(async move {
            let _ = loaded_tx.send(first_load.load_all().await);
        });
        let feedback = config
            .feedback_db
            .as_deref()
            .map(crate::feedback::FeedbackStore::open)
            .transpose()?
            .map(Arc::new);
        if let (Some(store), Some(days)) = (&feedback, config.feedback_retention_days) {
            tokio::spawn(purge_old_feedback(Arc::clone(store), days.get()));
        }
        let state = AppState::new(registry, Limits::from(config))
            .with_tls(tls.clone())
            .with_feedback(feedback)
            .with_canary_key_header(config.canary_key_header.clone());
        let router = app(
            state.clone(),
            &HttpOptions {
                body: BodyLimits::from(config),
                api_keys: keys,
                admin,
                audit: audit.clone(),
                cors_origins: config.cors_origins.clone(),
            },
        );
        Ok(Self {
            listener,
            state,
            router,
            loaded,
            shutdown_grace: Duration::from_secs(config.shutdown_grace),
            connection_limits: ConnectionLimits {
                header_timeout: Duration::from_millis(config.header_timeout_ms.get()),
                max_connections: config.max_connections.get(),
                tls_handshake_timeout: Duration::from_millis(config.tls_handshake_timeout_ms.get()),
            },
            tls,
            scoped_keys: scoped,
            audit,
            tls_watch_interval: (config.tls_watch_interval_s > 0)
                .then(|| Duration::from_secs(config.tls_watch_interval_s)),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes (or the model fails to load, which is an error). After
    /// shutdown begins, readiness turns 503 at once, no new connections are accepted, and
    /// in-flight requests get `shutdown_grace` to finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            state,
            router,
            loaded,
            shutdown_grace,
            connection_limits,
            tls,
            scoped_keys,
            audit,
            tls_watch_interval,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let stop_tx = Arc::new(stop_tx);
        let signal_stop = Arc::clone(&stop_tx);
        tokio::spawn(async move {
            shutdown.await;
            signal_stop.send_replace(true);
        });

        // A failed load is recorded before it stops the server, so the exit status cannot
        // depend on which task the runtime happens to finish first.
        let load_error: Arc<std::sync::Mutex<Option<anyhow::Error>>> = Arc::default();
        let load_stop = Arc::clone(&stop_tx);
        let failed_load = Arc::clone(&load_error);
        let loader = tokio::spawn(async move {
            let error = match loaded.await {
                Ok(Ok(())) => return,
                Ok(Err(error)) => anyhow::anyhow!(error),
                Err(_) => anyhow::anyhow!("the default model's first load was abandoned"),
            };
            if let Ok(mut slot) = failed_load.lock() {
                *slot = Some(error);
            }
            load_stop.send_replace(true);
        });
        let watcher = tls
            .clone()
            .map(|tls| tokio::spawn(watch_certificates(tls, tls_watch_interval, audit.clone())));
        let reloader = tokio::spawn(reload_on_sighup(
            Arc::clone(state.registry()),
            tls.clone(),
            scoped_keys,
            audit.clone(),
        ));

        tracing::info!(address = %listener.local_addr()?, "listening");
        let mut stop = stop_rx;
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let max_connections = connection_limits.max_connections;
        let open_slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
        serve_connections(
            listener,
            router,
            tls.map(|tls| TlsListener {
                tls,
                audit: audit.clone(),
            }),
            connection_limits,
            &open_slots,
            &graceful,
            &mut stop,
        )
        .await;
        // Readiness turns 503 the moment shutdown begins, before the drain.
        state.begin_shutdown();
        tracing::info!("shutting down: finishing in-flight requests");
        let drain = async {
            // Connections stay open for a moment so a request a client is sending right now on
            // one is answered (with `Connection: close`) instead of cut off; closing idle
            // connections at once lost such requests (RELIABILITY.md, SIGTERM drill).
            let linger = shutdown_grace.min(SHUTDOWN_LINGER);
            let _ = tokio::time::timeout(linger, async {
                while open_slots.available_permits() < max_connections {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
            .await;
            graceful.shutdown().await;
        };
        tokio::select! {
            () = drain => {},
            () = tokio::time::sleep(shutdown_grace) => {
                tracing::warn!("shutdown grace period over; dropping remaining requests");
            }
        }
        reloader.abort();
        if let Some(watcher) = watcher {
            watcher.abort();
        }
        let registry = Arc::clone(state.registry());
        tokio::task::spawn_blocking(move || registry.shut_down())
            .await
            .context("inference thread shutdown")?;
        // Still loading when a shutdown signal came: nothing to report.
        loader.abort();
        if let Some(error) = load_error.lock().ok().and_then(|mut slot| slot.take()) {
            return Err(error);
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// How long connections opened before a shutdown may bring one more request (at most
/// `--shutdown-grace`). Clients that send continuously use it within milliseconds; an idle
/// keep-alive connection is closed when it ends.
const SHUTDOWN_LINGER: Duration = Duration::from_secs(1);

/// Accepts connections until `stop` turns true. Each connection gets `header_timeout` to send
/// its headers, and at most `max_connections` are open at once; every connection is registered
/// with `graceful` so shutdown can wait for the requests in flight.
/// What a TLS listener needs: the certificates new connections get, and where refused client
/// certificates are recorded.
struct TlsListener {
    tls: Arc<tls::Tls>,
    audit: audit::Audit,
}

async fn serve_connections(
    listener: TcpListener,
    router: axum::Router,
    tls: Option<TlsListener>,
    limits: ConnectionLimits,
    slots: &Arc<tokio::sync::Semaphore>,
    graceful: &hyper_util::server::graceful::GracefulShutdown,
    stop: &mut watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    loop {
        let (stream, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(stop) => return,
        };
        let Ok(slot) = Arc::clone(slots).try_acquire_owned() else {
            metrics::counter!("textserve_rejected_total", "reason" => "connection_limit")
                .increment(1);
            drop(stream);
            continue;
        };
        let Some(TlsListener { tls, audit }) = &tls else {
            let service = with_peer(&router, address, None);
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                let _ = connection.await;
                drop(slot);
            });
            continue;
        };
        // The handshake runs in the connection's own task, against the certificate current
        // now, and holds its connection slot: a client that stalls in it is cut off at the
        // timeout like one that stalls in its headers.
        let (acceptor, builder, watcher) = (tls.acceptor(), builder.clone(), graceful.watcher());
        let handshake_timeout = limits.tls_handshake_timeout;
        let (router, audit) = (router.clone(), audit.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    let subject = stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|chain| chain.first())
                        .and_then(|certificate| peer::certificate_subject(certificate))
                        .map(Arc::from);
                    let service = with_peer(&router, address, subject);
                    let connection = builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .into_owned();
                    let _ = watcher.watch(connection).await;
                }
                Ok(Err(error)) => {
                    metrics::counter!("textserve_tls_handshake_failures_total", "reason" => "refused")
                        .increment(1);
                    tracing::debug!(%error, "TLS handshake failed");
                    if let Some(refused) = refused_client_certificate(&error) {
                        audit.record(&audit::AuditEvent {
                            event: "authentication_failed",
                            outcome: "refused",
                            client: Some(address.to_string()),
                            detail: Some(refused),
                            via: "tls",
                            ..audit::AuditEvent::default()
                        });
                    }
                }
                Err(_) => {
                    metrics::counter!("textserve_tls_handshake_failures_total", "reason" => "timeout")
                        .increment(1);
                }
            }
            drop(slot);
        });
    }
}

/// The reason a handshake failed when it was the client's certificate (none, or one that does
/// not verify): an authentication failure for the audit trail. Other failures (plain HTTP on
/// the port, old protocol versions, probes that connect and close) are counted, not audited.
fn refused_client_certificate(error: &std::io::Error) -> Option<String> {
    use tokio_rustls::rustls::Error;
    match error.get_ref()?.downcast_ref::<Error>()? {
        Error::NoCertificatesPresented => Some("mutual TLS: no client certificate".into()),
        Error::InvalidCertificate(why) => {
            Some(format!("mutual TLS: client certificate refused ({why:?})"))
        }
        _ => None,
    }
}

/// The router for one connection: every request on it carries the connection's `Peer`.
fn with_peer(
    router: &axum::Router,
    address: SocketAddr,
    certificate_subject: Option<Arc<str>>,
) -> WithPeer {
    WithPeer {
        router: router.clone(),
        peer: peer::Peer {
            address,
            certificate_subject,
        },
    }
}

#[derive(Clone)]
struct WithPeer {
    router: axum::Router,
    peer: peer::Peer,
}

impl hyper::service::Service<hyper::Request<hyper::body::Incoming>> for WithPeer {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = axum::routing::future::RouteFuture<std::convert::Infallible>;

    fn call(&self, mut request: hyper::Request<hyper::body::Incoming>) -> Self::Future {
        request.extensions_mut().insert(self.peer.clone());
        tower::Service::call(&mut self.router.clone(), request)
    }
}

/// With `--trusted-model-keys`, every load and reload first checks the model's signature; a
/// refusal is an audit line and a failed load, so the version being served stays.
fn only_signed_models(
    config: &ServeConfig,
    audit: &audit::Audit,
) -> anyhow::Result<Option<crate::runtime::registry::Admission>> {
    let Some(dir) = &config.trusted_model_keys else {
        return Ok(None);
    };
    let trusted = crate::model::signature::TrustedKeys::open(dir)?;
    let audit = audit.clone();
    Ok(Some(Arc::new(move |model_dir: &std::path::Path| {
        // The workers load the very bytes verified, copied where nobody else can write, so a
        // file swapped on the shared volume after the check is never what gets served.
        let snapshot = private_directory()?;
        match trusted.verify_into(model_dir, &snapshot) {
            Ok(key) => {
                tracing::info!(model = %model_dir.display(), %key, "model signature verified");
                Ok(crate::runtime::registry::Admitted::Snapshot(snapshot))
            }
            Err(error) => {
                let _ = std::fs::remove_dir_all(&snapshot);
                audit.record(&audit::AuditEvent {
                    event: "model_signature_refused",
                    outcome: "refused",
                    model: Some(model_dir.display().to_string()),
                    detail: Some(error.to_string()),
                    via: "load",
                    ..audit::AuditEvent::default()
                });
                Err(error.into())
            }
        }
    })))
}

/// A new directory under the temporary directory that only this process's user can enter;
/// created here, so nobody else can have put anything in it.
fn private_directory() -> anyhow::Result<std::path::PathBuf> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "textserve-verified-{}-{n}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(&path)
        .with_context(|| format!("{}: cannot create the verified copy", path.display()))?;
    Ok(path)
}

/// Resolves once `stop` is true (or its sender is gone).
/// Applies `--shadow` and `--canary` and starts the task that computes shadow work. The
/// models are still loading, so only their names are checked here.
fn configure_rollouts(registry: &Arc<Registry>, config: &ServeConfig) -> anyhow::Result<()> {
    use crate::runtime::rollout::{parse_canary, parse_shadow};
    registry.start_shadowing(
        config.shadow_queue.get(),
        Duration::from_millis(config.request_timeout_ms.get()),
    );
    for spec in &config.shadows {
        let (name, setting) = parse_shadow(spec).map_err(anyhow::Error::msg)?;
        registry
            .set_shadow(&name, Some(setting), false)
            .with_context(|| format!("--shadow {spec}"))?;
    }
    for spec in &config.canaries {
        let (name, setting) = parse_canary(spec).map_err(anyhow::Error::msg)?;
        registry
            .set_canary(&name, Some(setting), false)
            .with_context(|| format!("--canary {spec}"))?;
    }
    Ok(())
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await.map(|_| ());
}

/// SIGHUP reloads every model from its directory, as `POST /v1/models/{name}/reload` does,
/// and the TLS certificates, as `POST /v1/tls/reload` does.
async fn reload_on_sighup(
    registry: Arc<Registry>,
    tls: Option<Arc<tls::Tls>>,
    keys: Option<Arc<scoped_keys::ScopedKeys>>,
    audit: audit::Audit,
) {
    #[cfg(unix)]
    {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        let record = |event: &'static str, model: Option<String>, error: Option<String>| {
            audit.record(&audit::AuditEvent {
                event,
                outcome: if error.is_some() { "failed" } else { "ok" },
                model,
                detail: error,
                via: "sighup",
                ..audit::AuditEvent::default()
            });
        };
        while hangups.recv().await.is_some() {
            if let Some(tls) = &tls {
                let outcome = tls.reload();
                match &outcome {
                    Ok(()) => tracing::info!("SIGHUP: TLS certificates reloaded"),
                    Err(error) => tracing::error!(
                        error = format!("{error:#}"),
                        "SIGHUP: the new TLS certificates do not load; the old ones stay"
                    ),
                }
                record("tls_reload", None, outcome.err().map(|e| format!("{e:#}")));
            }
            if let Some(keys) = &keys {
                let outcome = keys.reload();
                match &outcome {
                    Ok(()) => tracing::info!("SIGHUP: API keys file reloaded"),
                    Err(error) => tracing::error!(
                        error = format!("{error:#}"),
                        "SIGHUP: the API keys file does not load; the keys in use stay"
                    ),
                }
                record("keys_reload", None, outcome.err().map(|e| format!("{e:#}")));
            }
            tracing::info!("SIGHUP: reloading every model");
            for (model, outcome) in registry.reload_all().await {
                record(
                    "model_reload",
                    Some(model),
                    outcome.err().map(|e| e.to_string()),
                );
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (registry, tls, keys, audit);
        std::future::pending::<()>().await;
    }
}

/// Reloads the certificates when their files change (`--tls-watch-interval-s`); each change is
/// an audit line, a change that does not load an error that leaves the old certificate on.
async fn watch_certificates(tls: Arc<tls::Tls>, every: Option<Duration>, audit: audit::Audit) {
    let Some(every) = every else {
        return;
    };
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let watched = Arc::clone(&tls);
        let Ok(Some(outcome)) =
            tokio::task::spawn_blocking(move || watched.reload_if_changed()).await
        else {
            continue;
        };
        match &outcome {
            Ok(()) => tracing::info!("TLS files changed: certificates reloaded"),
            Err(error) => tracing::error!(
                error = format!("{error:#}"),
                "TLS files changed but do not load; the old certificates stay"
            ),
        }
        audit.record(&audit::AuditEvent {
            event: "tls_reload",
            outcome: if outcome.is_ok() { "ok" } else { "failed" },
            detail: outcome.err().map(|e| format!("{e:#}")),
            via: "watch",
            ..audit::AuditEvent::default()
        });
    }
}

/// `--feedback-retention-days`: rows older than that go, at start and then hourly.
async fn purge_old_feedback(store: Arc<crate::feedback::FeedbackStore>, days: u32) {
    let mut ticks = tokio::time::interval(Duration::from_secs(3600));
    loop {
        ticks.tick().await;
        let store = Arc::clone(&store);
        match tokio::task::spawn_blocking(move || store.purge_older_than(days)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(purged)) => tracing::info!(purged, days, "old feedback deleted"),
            Ok(Err(error)) => tracing::error!(%error, "old feedback not deleted"),
            Err(_) => {}
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// `textserve serve`: tokio gets the cores libtorch does not, so the two never fight.
pub fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let libtorch_threads = config.threads.get() * config.workers.get();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores.saturating_sub(libtorch_threads).max(1))
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = Application::build(&config).await?;
        app.run_until_stopped(shutdown_signal()).await
    })
}
