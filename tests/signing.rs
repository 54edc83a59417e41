//! Signed models over a real server: with `--trusted-model-keys`, an unsigned model does not
//! start, a model swapped in under an old signature or signed by another key is refused on
//! reload while the served version stays, and each refusal is an audit line. The `sign` and
//! `verify` commands as users run them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{error_code, spawn_app_with, test_config, write_named_model};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use serde_json::json;
use textserve::model::signature;
use textserve::serve::Application;

const ADMIN_KEY: &str = "signing-test-admin-key-01";

/// A signing key's private PEM in `dir`, and its public PEM in `dir/trusted/` when `trusted`.
fn key_files(dir: &Path, name: &str, seed: u8, trusted: bool) -> (SigningKey, PathBuf) {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let private = dir.join(format!("{name}.pem"));
    std::fs::write(
        &private,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    if trusted {
        let public = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        std::fs::create_dir_all(dir.join("trusted")).unwrap();
        std::fs::write(dir.join("trusted").join(format!("{name}.pub")), public).unwrap();
    }
    (key, private)
}

fn audit_events(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test]
async fn an_unsigned_model_does_not_start_under_trusted_keys() {
    let dir = tempfile::tempdir().unwrap();
    key_files(dir.path(), "release", 1, true);
    let model = write_named_model(&dir.path().join("m"), "signed-model", "1.0.0");
    let mut config = test_config(&model);
    config.trusted_model_keys = Some(dir.path().join("trusted"));
    config.audit_log = Some(dir.path().join("audit.jsonl"));
    let app = Application::build(&config).await.unwrap();
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        app.run_until_stopped(std::future::pending()),
    )
    .await
    .expect("server stops by itself");
    let message = format!("{:#}", result.unwrap_err());
    assert!(message.contains("not signed"), "{message}");
    let events = audit_events(&dir.path().join("audit.jsonl"));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["event"], "model_signature_refused");
    assert_eq!(events[0]["model"], model.display().to_string());

    // A directory with no key in it is a configuration error before anything binds.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    config.trusted_model_keys = Some(dir.path().join("empty"));
    let error = format!("{:#}", Application::build(&config).await.err().unwrap());
    assert!(error.contains("no *.pem or *.pub"), "{error}");
}

#[tokio::test]
async fn a_swapped_or_foreign_signed_model_is_refused_on_reload_and_the_served_one_stays() {
    let dir = tempfile::tempdir().unwrap();
    let (release, _) = key_files(dir.path(), "release", 1, true);
    let (stranger, _) = key_files(dir.path(), "stranger", 2, false);
    let model = write_named_model(&dir.path().join("m"), common::MODEL_NAME, "1.0.0");
    signature::sign(&model, &release).unwrap();
    let (trusted, audit) = (dir.path().join("trusted"), dir.path().join("audit.jsonl"));
    let audit_path = audit.clone();
    let model_dir = model.clone();
    let app = spawn_app_with(move |c| {
        c.model = Some(model_dir);
        c.trusted_model_keys = Some(trusted);
        c.audit_log = Some(audit_path);
        c.admin_api_keys = vec![ADMIN_KEY.parse().unwrap()];
    })
    .await;
    let reload = || {
        app.client
            .post(app.url(&format!("/v1/models/{}/reload", common::MODEL_NAME)))
            .bearer_auth(ADMIN_KEY)
            .send()
    };
    assert_eq!(app.predict("好").await["model_version"], "1.0.0");

    // A well-formed new version dropped in beside the old signature.
    write_named_model(&model, common::MODEL_NAME, "2.0.0");
    let response = reload().await.unwrap();
    let body: serde_json::Value = {
        assert_eq!(response.status(), 422);
        response.json().await.unwrap()
    };
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("changed after signing") && message.contains("model.json"),
        "{message}"
    );
    assert_eq!(app.predict("好").await["model_version"], "1.0.0");

    // Signed, but not by a trusted key.
    signature::sign(&model, &stranger).unwrap();
    let response = reload().await.unwrap();
    assert_eq!(error_code(response, 422).await, "load_failed");
    assert_eq!(app.predict("好").await["model_version"], "1.0.0");

    // Released properly: served.
    signature::sign(&model, &release).unwrap();
    assert_eq!(reload().await.unwrap().status(), 200);
    assert_eq!(app.predict("好").await["model_version"], "2.0.0");

    let events = audit_events(&audit);
    let summary: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("model_signature_refused", "refused"),
            ("model_reload", "failed"),
            ("model_signature_refused", "refused"),
            ("model_reload", "failed"),
            ("model_reload", "ok"),
        ]
    );
    assert!(
        events[2]["detail"]
            .as_str()
            .unwrap()
            .contains("not among the trusted keys")
    );
    assert_eq!(events[4]["key"], "admin-api-key #1");
    assert_eq!(events[4]["model"], common::MODEL_NAME);
}

fn textserve() -> Command {
    Command::new(env!("CARGO_BIN_EXE_textserve"))
}

#[test]
fn sign_and_verify_as_users_run_them() {
    let dir = tempfile::tempdir().unwrap();
    let (_, private) = key_files(dir.path(), "release", 3, true);
    let model = write_named_model(&dir.path().join("m"), "cli-model", "1.0.0");
    let verify = || {
        textserve()
            .arg("verify")
            .arg("--trusted-model-keys")
            .arg(dir.path().join("trusted"))
            .arg(&model)
            .output()
            .unwrap()
    };
    let unsigned = verify();
    assert!(!unsigned.status.success());
    assert!(String::from_utf8_lossy(&unsigned.stderr).contains("not signed"));

    let signed = textserve()
        .args(["sign", "--key"])
        .arg(&private)
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert!(String::from_utf8_lossy(&signed.stdout).contains("signed cli-model 1.0.0"));
    let verified = verify();
    assert!(verified.status.success());
    assert!(String::from_utf8_lossy(&verified.stdout).contains("release.pub"));

    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("model.json")).unwrap()).unwrap();
    manifest["labels"] = json!(["negative", "neutral", "positive-ish"]);
    std::fs::write(model.join("model.json"), manifest.to_string()).unwrap();
    let tampered = verify();
    assert!(!tampered.status.success());
    let stderr = String::from_utf8_lossy(&tampered.stderr);
    assert!(
        stderr.contains("model.json changed after signing"),
        "{stderr}"
    );

    // A model that does not load is not signed at all.
    std::fs::write(model.join("model.safetensors"), b"not weights").unwrap();
    let refused = textserve()
        .args(["sign", "--key"])
        .arg(&private)
        .arg(&model)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("model.safetensors"));
}
