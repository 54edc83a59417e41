//! Shared test fixtures: a tiny real libtorch model written to a temp dir, and a real server on
//! port 0.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use tch::Device;
use tch::nn::VarStore;
use textserve::config::ServeConfig;
use textserve::model::artifact::{FORMAT_VERSION, Manifest, TokenizerSpec, WeightsInfo};
use textserve::model::{
    Artifact, Classifier, Model, ModelConfig, NetworkSettings, NgramVocabulary,
};
use textserve::serve::Application;
use textserve::serve::state::AppState;
use textserve::text::{Tokenizer, TokenizerConfig};

pub const MODEL_NAME: &str = "tiny-test";

/// libtorch's random generator is process-wide; tests that train take turns so each run sees
/// the sequence its seed promises.
static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Waits for this test's turn at libtorch, on one thread so runs are repeatable.
pub fn torch_turn() -> std::sync::MutexGuard<'static, ()> {
    let turn = TORCH_RNG.lock().unwrap_or_else(|e| e.into_inner());
    tch::set_num_threads(1);
    turn
}

/// Training settings small enough for tests on data where a few words decide the label.
pub fn small_train_config() -> textserve::train::TrainConfig {
    textserve::train::TrainConfig {
        epochs: 40,
        patience: 40,
        batch_size: 16,
        learning_rate: 5e-3,
        validation_fraction: 0.15,
        test_fraction: 0.15,
        ngram_min_df: 1,
        tokenizer: TokenizerConfig {
            min_frequency: 1,
            max_length: 32,
            ..textserve::train::TrainConfig::default().tokenizer
        },
        network: NetworkSettings {
            embedding_dim: 16,
            bigram_buckets: 256,
            bigram_dim: 8,
            hidden_size: 16,
            ..textserve::train::TrainConfig::default().network
        },
        ..Default::default()
    }
}

pub const SAMPLE_TEXTS: &[&str] = &[
    "质量很好，物流也快",
    "用了两天就坏了，太差",
    "spindle noise on line 3",
    "coolant leak near CNC-7",
    "包装破损 but product OK",
    "很满意 👍",
];

pub fn tiny_config(vocab_size: i64, num_labels: i64) -> ModelConfig {
    ModelConfig {
        vocab_size,
        num_labels,
        ngram_vocab_size: 0,
        members: 1,
        wide_weight: 0.5,
        scope_embedding: false,
        lstm_precision: Default::default(),
        network: NetworkSettings {
            embedding_dim: 16,
            bigram_buckets: 128,
            bigram_dim: 8,
            hidden_size: 12,
            num_layers: 1,
            bidirectional: true,
            dropout: 0.1,
            token_dropout: 0.0,
            ..NetworkSettings::default()
        },
    }
}

/// Writes a randomly initialised but otherwise complete model directory. libtorch's generator is
/// process-wide, so concurrent tests get different weights: compare against the directory a
/// server actually loaded (`TestApp::model_dir`), never a second copy.
pub fn write_tiny_model(dir: &Path) -> PathBuf {
    write_named_model(&dir.join(MODEL_NAME), MODEL_NAME, "0.0.1")
}

/// A tiny model as `write_tiny_model` makes it, named `name` at `version`, written to `out`
/// (replacing what is there, as a new version is deployed).
pub fn write_named_model(out: &Path, name: &str, version: &str) -> PathBuf {
    let tokenizer = Tokenizer::fit(
        SAMPLE_TEXTS.iter().copied(),
        TokenizerConfig {
            max_length: 64,
            min_frequency: 1,
            max_vocab_size: 1000,
            ..TokenizerConfig::default()
        },
    );
    let labels = vec![
        "negative".to_string(),
        "neutral".to_string(),
        "positive".to_string(),
    ];
    let encoded: Vec<Vec<i64>> = SAMPLE_TEXTS
        .iter()
        .map(|t| tokenizer.encode(t).ids)
        .collect();
    let ngrams = NgramVocabulary::fit(
        encoded.iter().map(Vec::as_slice),
        tokenizer.vocabulary().len() as i64,
        1,
        512,
    );
    let config = ModelConfig {
        ngram_vocab_size: ngrams.len() as i64,
        ..tiny_config(tokenizer.vocabulary().len() as i64, labels.len() as i64)
    };
    tch::manual_seed(11);
    let var_store = VarStore::new(Device::Cpu);
    let classifier = Classifier::new(&var_store.root(), &config);
    classifier
        .wide()
        .expect("wide part")
        .set_vocabulary(&ngrams);
    // A fresh wide part is all zeros; random weights make it count in every prediction.
    for (name, mut variable) in var_store.variables() {
        if name.starts_with("wide.weights") {
            tch::no_grad(|| variable.copy_(&variable.randn_like()));
        }
    }
    let mut manifest = Manifest {
        format_version: FORMAT_VERSION,
        name: name.into(),
        version: version.into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        labels,
        architecture: config,
        tokenizer: TokenizerSpec::from(&tokenizer),
        weights: WeightsInfo::default(),
        training: None,
        metrics: None,
        check: None,
        precision_check: None,
    };
    Artifact::save(out, &mut manifest, &var_store, "# tiny test model\n").expect("save tiny model");
    out.to_path_buf()
}

pub struct TestApp {
    pub address: String,
    /// The model directory this server loaded (when started by `spawn_app*`).
    pub model_dir: Option<PathBuf>,
    pub client: reqwest::Client,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

pub fn test_config(model: &Path) -> ServeConfig {
    ServeConfig {
        port: 0,
        model: Some(model.to_path_buf()),
        // The default follows the machine's cores; tests pin it, and the metrics of the one
        // test that runs several workers (labelled by worker) stay its own.
        workers: std::num::NonZeroUsize::MIN,
        ..ServeConfig::default()
    }
}

/// A server on 127.0.0.1:0 serving a fresh tiny model, ready before this returns.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut ServeConfig)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let model = write_tiny_model(dir.path());
    let mut config = test_config(&model);
    adjust(&mut config);
    let app = Application::build(&config).await.expect("build app");
    let mut test_app = start(app, Some(dir));
    test_app.model_dir = Some(model);
    test_app.wait_ready().await;
    test_app
}

/// Starts a built application without waiting for readiness.
pub fn start(app: Application, dir: Option<tempfile::TempDir>) -> TestApp {
    let address = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        model_dir: None,
        client: reqwest::Client::new(),
        state,
        stop: Some(stop),
        server: Some(server),
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn wait_ready(&mut self) {
        for _ in 0..500 {
            if self.state.ready().is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("server did not become ready");
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn predict(&self, text: &str) -> serde_json::Value {
        let response = self
            .post_json("/v1/predict", &serde_json::json!({ "text": text }))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Sends a prediction on its own task, so many run concurrently; the task asserts 200.
    pub fn spawn_predict(&self, text: &str) -> tokio::task::JoinHandle<serde_json::Value> {
        let request = self
            .client
            .post(self.url("/v1/predict"))
            .json(&serde_json::json!({ "text": text }));
        tokio::spawn(async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json().await.unwrap()
        })
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_with_header(&self, path: &str, name: &str, value: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(name, value)
            .send()
            .await
            .unwrap()
    }

    /// GET `path`, which must answer 200, as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn metrics_text(&self) -> String {
        let response = self.get("/metrics").await;
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    /// The model the server loaded, loaded again in-process.
    pub fn load_model(&self) -> Model {
        load(self.model_dir.as_deref().expect("spawned with a model"))
    }

    /// Triggers graceful shutdown and returns the server's result.
    pub async fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.server
            .take()
            .expect("running")
            .await
            .expect("server task")
    }
}

/// Loads the model the way the server does, for comparing server answers with direct ones.
pub fn load(dir: &Path) -> Model {
    Model::load(dir).expect("load model")
}

/// Asserts the `{"error": {"code", "message"}}` shape and returns the code.
pub async fn error_code(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status(), status, "unexpected status");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "content-type {content_type}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().expect("message");
    assert!(!message.is_empty());
    body["error"]["code"].as_str().expect("code").to_string()
}

/// Asserts two predictions (`{"label", "probabilities": {label: p}}`) agree within 1e-5.
pub fn assert_same_prediction(a: &serde_json::Value, b: &serde_json::Value, context: &str) {
    assert_eq!(a["label"], b["label"], "{context}");
    let a = a["probabilities"].as_object().unwrap();
    assert_eq!(
        a.len(),
        b["probabilities"].as_object().unwrap().len(),
        "{context}"
    );
    for (label, p) in a {
        let diff = (p.as_f64().unwrap() - b["probabilities"][label].as_f64().unwrap()).abs();
        assert!(diff < 1e-5, "{context}: {label} differs by {diff}");
    }
}

/// A size for a config field that cannot be zero.
pub fn nz(n: usize) -> std::num::NonZeroUsize {
    std::num::NonZeroUsize::new(n).expect("a non-zero size")
}

/// A timeout in milliseconds for a config field that cannot be zero.
pub fn nz_ms(ms: u64) -> std::num::NonZeroU64 {
    std::num::NonZeroU64::new(ms).expect("a non-zero timeout")
}

/// A port nothing listens on now, for a server started as a separate process.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `base`/health/ready until it answers 200 (a server process starting), for up to 10 s.
pub async fn wait_until_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..500 {
        if client
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
