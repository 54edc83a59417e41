//! Models trained elsewhere: the BERT-style fixture (tests/fixtures/tiny-bert, made by
//! scripts/make-bert-fixture.py with transformers and PyTorch) imported with `textserve import`,
//! then compared with what PyTorch computed for the same texts, served over real TCP on every
//! route, explained, checked, reloaded — and every import mistake refused with its file named.

mod common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use textserve::commands::import::{ImportArgs, import};
use textserve::model::torchscript::{ScriptInput, ScriptOutput};
use textserve::model::{ArtifactError, Model};

const FIXTURE: &str = "tests/fixtures/tiny-bert";
const TOLERANCE: f32 = 1e-4;

fn fixture(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURE)
        .join(file)
}

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("reference.json")).unwrap()).unwrap()
}

fn import_args(out: &Path) -> ImportArgs {
    ImportArgs {
        torchscript: fixture("model.pt"),
        tokenizer: fixture("tokenizer.json"),
        labels: vec!["negative".into(), "positive".into()],
        out: out.to_path_buf(),
        name: Some("tiny-bert".into()),
        version: "1.0.0".into(),
        max_length: reference()["max_length"].as_u64().unwrap() as usize,
        inputs: None,
        output: ScriptOutput::Logits,
    }
}

/// The fixture imported into a fresh directory (kept alive by the returned guard).
fn imported() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny-bert");
    import(import_args(&out)).expect("the fixture imports");
    (dir, out)
}

fn import_error(adjust: impl FnOnce(&mut ImportArgs)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut args = import_args(&dir.path().join("out"));
    adjust(&mut args);
    let out = args.out.clone();
    let error = format!("{:#}", import(args).expect_err("import must refuse"));
    assert!(
        !out.join("model.json").exists(),
        "a refused import wrote {}",
        out.display()
    );
    error
}

fn assert_close(actual: &[f32], expected: &Value, context: &str) {
    let expected: Vec<f32> = expected
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap() as f32)
        .collect();
    assert_eq!(actual.len(), expected.len(), "{context}");
    for (a, e) in actual.iter().zip(&expected) {
        assert!(
            (a - e).abs() <= TOLERANCE,
            "{context}: {actual:?} against PyTorch's {expected:?}"
        );
    }
}

#[test]
fn an_imported_model_tokenizes_and_classifies_as_pytorch_did_alone_and_in_batches() {
    let _turn = common::torch_turn();
    let (_dir, out) = imported();
    let model = Model::load(&out).unwrap();
    let reference = reference();
    let cases = reference["texts"].as_array().unwrap();
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let ids: Vec<i64> = serde_json::from_value(case["ids"].clone()).unwrap();
        assert_eq!(model.tokenizer().encode(text).ids, ids, "{text:?}");
        let alone = model.predict_texts(&[text], 1).remove(0);
        assert_close(&alone, &case["probabilities"], text);
    }
    // One padded batch of every length at once, and batches of three.
    for batch_size in [texts.len(), 3] {
        for (case, probabilities) in cases.iter().zip(model.predict_texts(&texts, batch_size)) {
            assert_close(
                &probabilities,
                &case["probabilities"],
                &format!("batch of {batch_size}"),
            );
        }
    }
}

#[test]
fn an_import_records_what_it_found_and_checksums_guard_every_load() {
    let _turn = common::torch_turn();
    let (_dir, out) = imported();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "torchscript");
    // The fixture's module needs all three arguments: the first candidate the import tries.
    assert_eq!(
        manifest["inputs"],
        json!(["input_ids", "attention_mask", "token_type_ids"])
    );
    assert_eq!(
        manifest["parameters"],
        reference()["parameters"],
        "the module's parameters as PyTorch counts them"
    );
    let padding = manifest["import"]["max_padding_difference"]
        .as_f64()
        .unwrap();
    assert!((0.0..=1e-4).contains(&padding), "{padding}");
    let card = std::fs::read_to_string(out.join("MODEL_CARD.md")).unwrap();
    assert!(
        card.contains("trained elsewhere") && card.contains("sha256"),
        "{card}"
    );

    // A changed module or tokenizer no longer loads, and the error names the file.
    for file in ["model.pt", "tokenizer.json"] {
        let copy = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(&out).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
        let mut bytes = std::fs::read(copy.path().join(file)).unwrap();
        bytes.push(b' ');
        std::fs::write(copy.path().join(file), bytes).unwrap();
        match Model::load(copy.path()) {
            Err(ArtifactError::WeightsChecksum { path, .. }) => {
                assert!(path.ends_with(file), "{}", path.display())
            }
            other => panic!("{file} changed: {other:?}"),
        }
    }
    // Commands that need textserve's own network say so instead of failing obscurely.
    let model = Model::load(&out).unwrap();
    let refused = model.native("quantize").unwrap_err().to_string();
    assert!(
        refused.contains("TorchScript") && refused.contains("quantize"),
        "{refused}"
    );
}

#[test]
fn import_refuses_each_mistake_and_names_what_is_wrong() {
    let _turn = common::torch_turn();
    let error = import_error(|a| a.labels = vec!["a".into(), "b".into(), "c".into()]);
    assert!(
        error.contains("model.pt") && error.contains("[9, 3]"),
        "{error}"
    );

    let error = import_error(|a| a.labels = vec!["same".into(), "same".into()]);
    assert!(
        error.contains("--labels") && error.contains("unique"),
        "{error}"
    );

    let error = import_error(|a| a.tokenizer = fixture("model.pt"));
    assert!(
        error.contains("model.pt") && error.contains("tokenizer.json"),
        "{error}"
    );

    let error = import_error(|a| a.torchscript = fixture("tokenizer.json"));
    assert!(
        error.contains("tokenizer.json") && error.contains("not a TorchScript module"),
        "{error}"
    );

    let error = import_error(|a| a.torchscript = fixture("missing.pt"));
    assert!(error.contains("missing.pt"), "{error}");

    // A module that averages over padding too: a text alone and padded in a batch differ,
    // which serving would turn into answers that depend on a text's neighbours.
    let error = import_error(|a| a.torchscript = fixture("reads-padding.pt"));
    assert!(
        error.contains("padded inside a batch") && error.contains("attention_mask"),
        "{error}"
    );

    // Logits taken for probabilities.
    let error = import_error(|a| a.output = ScriptOutput::Probabilities);
    assert!(error.contains("not a probability distribution"), "{error}");

    // Longer than the module's 64 position embeddings.
    let error = import_error(|a| a.max_length = 200);
    assert!(error.contains("model.pt"), "{error}");

    let error = import_error(|a| a.inputs = Some(vec![ScriptInput::AttentionMask]));
    assert!(error.contains("input_ids"), "{error}");

    // An existing model directory is never overwritten.
    let (_dir, out) = imported();
    let mut args = import_args(&out);
    args.name = Some("other".into());
    let error = import(args).unwrap_err().to_string();
    assert!(error.contains("already exists"), "{error}");
}

#[test]
fn tokenizer_spans_point_into_the_text_and_reencode_to_its_ids() {
    let _turn = common::torch_turn();
    let (_dir, out) = imported();
    let model = Model::load(&out).unwrap();
    let tokenizer = model.tokenizer();
    let mut texts: Vec<String> = reference()["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect();
    // Arbitrary text: control characters, combining marks, surrogates' neighbours, symbols.
    let mut state = 7u64;
    for _ in 0..200 {
        let text: String = (0..(state % 40))
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let pick = (state >> 33) as u32;
                match pick % 5 {
                    0 => char::from_u32(0x4e00 + pick % 0x5000),
                    1 => char::from_u32(pick % 0x80),
                    2 => char::from_u32(0x300 + pick % 0x70),
                    3 => char::from_u32(0x1f300 + pick % 0x300),
                    _ => char::from_u32(pick % 0x11_0000),
                }
                .unwrap_or('?')
            })
            .collect();
        texts.push(text);
    }
    for text in &texts {
        let chars = text.chars().count();
        let spans = tokenizer.spans(text);
        for span in &spans {
            assert!(
                span.start <= span.end && span.end <= chars,
                "{text:?}: {span:?}"
            );
        }
        let tokens: Vec<&str> = spans.iter().map(|s| s.token.as_str()).collect();
        let ids = tokenizer.encode(text).ids;
        assert_eq!(tokenizer.encode_tokens(&tokens), ids, "{text:?}");
        assert!(!ids.is_empty() && ids.len() <= 64, "{text:?}");
    }
}

#[tokio::test]
async fn a_served_torchscript_model_answers_every_route_as_pytorch_did() {
    let (_dir, out) = imported();
    let model_dir = out.clone();
    let app = common::spawn_app_with(move |c| c.model = Some(model_dir)).await;
    let reference = reference();
    let cases = reference["texts"].as_array().unwrap();
    let first = &cases[0];
    let text = first["text"].as_str().unwrap();

    let details = app.get_json("/v1/models/tiny-bert").await;
    assert_eq!(details["format"], "torchscript", "{details}");
    assert!(details["architecture"].is_null(), "{details}");
    assert_eq!(details["torchscript"]["output"], "logits");
    assert!(
        details["computes"]
            .as_str()
            .unwrap()
            .contains("TorchScript"),
        "{details}"
    );

    let answer = app.predict(text).await;
    let probabilities = |answer: &Value| -> Vec<f32> {
        ["negative", "positive"]
            .iter()
            .map(|l| answer["probabilities"][l].as_f64().unwrap() as f32)
            .collect()
    };
    assert_close(
        &probabilities(&answer),
        &first["probabilities"],
        "/v1/predict",
    );

    // The API refuses blank texts (422); the rest go in one batch and one stream.
    let cases: Vec<&Value> = cases
        .iter()
        .filter(|c| !c["text"].as_str().unwrap().trim().is_empty())
        .collect();
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    let response = app
        .post_json("/v1/predict/batch", &json!({ "texts": texts }))
        .await;
    assert_eq!(response.status(), 200);
    let batch: Value = response.json().await.unwrap();
    for (case, answer) in cases.iter().zip(batch["predictions"].as_array().unwrap()) {
        assert_close(&probabilities(answer), &case["probabilities"], "batch");
    }

    let response = app
        .post_json(
            "/v2/models/tiny-bert/infer",
            &json!({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": [text]}]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let v2: Value = response.json().await.unwrap();
    let tensor: Vec<f32> = v2["outputs"][0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap() as f32)
        .collect();
    assert_close(&tensor, &first["probabilities"], "v2 infer");
    let metadata = app.get_json("/v2/models/tiny-bert").await;
    assert!(
        metadata["computes"]
            .as_str()
            .unwrap()
            .contains("TorchScript")
    );

    let body = texts
        .iter()
        .map(|t| json!({ "text": t }).to_string() + "\n")
        .collect::<String>();
    let response = app
        .client
        .post(app.url("/v1/predict/stream"))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let lines: Vec<Value> = response
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), cases.len());
    for (case, line) in cases.iter().zip(&lines) {
        assert_close(&probabilities(line), &case["probabilities"], "stream");
    }
}

#[tokio::test]
async fn explanations_of_a_torchscript_model_are_over_its_own_tokens() {
    let (_dir, out) = imported();
    let model_dir = out.clone();
    let app = common::spawn_app_with(move |c| c.model = Some(model_dir)).await;
    let text = "外观检查未发现划痕，尺寸全部合格";
    for method in ["occlusion", "shap"] {
        let response = app
            .post_json("/v1/explain", &json!({"text": text, "method": method}))
            .await;
        assert_eq!(response.status(), 200, "{method}");
        let body: Value = response.json().await.unwrap();
        let tokens = body["tokens"].as_array().unwrap();
        // BERT's Chinese handling makes each character a word: one token per character here.
        assert_eq!(tokens.len(), text.chars().count(), "{body}");
        for token in tokens {
            let (start, end) = (
                token["start"].as_u64().unwrap() as usize,
                token["end"].as_u64().unwrap() as usize,
            );
            let piece: String = text.chars().skip(start).take(end - start).collect();
            assert_eq!(token["text"], piece.as_str());
        }
        if method == "shap" {
            // Kernel SHAP's efficiency: attributions add up from the empty text's probability
            // to the text's.
            let sum: f64 = tokens
                .iter()
                .map(|t| t["attribution"].as_f64().unwrap())
                .sum();
            let label = body["explained_label"].as_str().unwrap();
            let whole = body["probabilities"][label].as_f64().unwrap();
            let base = body["base_score"].as_f64().unwrap();
            assert!((base + sum - whole).abs() < 1e-3, "{body}");
        }
    }
}

#[tokio::test]
async fn a_repository_serves_a_torchscript_model_beside_a_native_one_and_reloads_it() {
    let repo = tempfile::tempdir().unwrap();
    common::write_named_model(&repo.path().join("native"), "native", "1.0.0");
    let out = repo.path().join("bert");
    import(import_args(&out)).unwrap();
    let repo_path = repo.path().to_path_buf();
    let app = common::spawn_app_with(move |c| {
        c.model = None;
        c.model_repository = Some(repo_path);
        c.allow_unauthenticated_admin = true;
        c.default_model = Some("native".into());
    })
    .await;
    // Readiness follows the default model; the other loads beside it.
    for _ in 0..500 {
        let listed = app.get_json("/v1/models").await;
        if listed["models"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "ready")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for (name, format) in [("native", "native"), ("tiny-bert", "torchscript")] {
        let details = app.get_json(&format!("/v1/models/{name}")).await;
        assert_eq!(details["format"], format, "{details}");
        let response = app
            .post_json(
                &format!("/v1/models/{name}/predict"),
                &json!({"text": "质量很好"}),
            )
            .await;
        assert_eq!(response.status(), 200, "{name}");
    }

    // A tampered module is refused at reload, the file named; the loaded version serves on.
    let mut bytes = std::fs::read(out.join("model.pt")).unwrap();
    bytes.push(0);
    std::fs::write(out.join("model.pt"), &bytes).unwrap();
    let response = app
        .post_json("/v1/models/tiny-bert/reload", &json!({}))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("model.pt") && message.contains("checksum"),
        "{message}"
    );
    let response = app
        .post_json("/v1/models/tiny-bert/predict", &json!({"text": "质量很好"}))
        .await;
    assert_eq!(response.status(), 200);

    // Put back, it reloads.
    bytes.pop();
    std::fs::write(out.join("model.pt"), &bytes).unwrap();
    let response = app
        .post_json("/v1/models/tiny-bert/reload", &json!({}))
        .await;
    assert_eq!(response.status(), 200);
}

#[test]
fn check_and_eval_run_on_a_torchscript_model() {
    let _turn = common::torch_turn();
    let (dir, out) = imported();
    let data = dir.path().join("labelled.jsonl");
    std::fs::write(
        &data,
        [
            ("质量很好，物流也快", "positive"),
            ("用了两天就坏了，太差", "negative"),
        ]
        .iter()
        .map(|(t, l)| json!({"text": t, "label": l}).to_string() + "\n")
        .collect::<String>(),
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_textserve"))
        .args(["eval", "--json", "--model"])
        .arg(&out)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let evaluation: Value = serde_json::from_slice(&output.stdout).unwrap();
    let model = Model::load(&out).unwrap();
    let predicted = model.predict_texts(&["质量很好，物流也快", "用了两天就坏了，太差"], 2);
    let expected = predicted
        .iter()
        .zip([1, 0])
        .filter(|(p, label)| textserve::model::argmax(p).0 == *label)
        .count() as f64
        / 2.0;
    assert_eq!(evaluation["accuracy"].as_f64().unwrap(), expected);

    // PyTorch's labels of two reference texts pass; the third case asks for the wrong one.
    let reference = reference();
    let case = |i: usize| {
        let c = &reference["texts"][i];
        let p = c["probabilities"].as_array().unwrap();
        let label = if p[1].as_f64() > p[0].as_f64() {
            "positive"
        } else {
            "negative"
        };
        (c["text"].as_str().unwrap().to_string(), label)
    };
    let ((t0, l0), (t1, l1)) = (case(0), case(1));
    let wrong = if l0 == "positive" {
        "negative"
    } else {
        "positive"
    };
    let suite = dir.path().join("suite.jsonl");
    std::fs::write(
        &suite,
        [
            json!({"id": "a", "capability": "reviews", "type": "mft", "text": t0, "expect": l0}),
            json!({"id": "b", "capability": "reviews", "type": "mft", "text": t1, "expect": l1}),
            json!({"id": "wrong", "capability": "reviews", "type": "mft", "text": t0, "expect": wrong}),
        ]
        .iter()
        .map(|c| c.to_string() + "\n")
        .collect::<String>(),
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_textserve"))
        .args(["check", "--threads", "1", "--model"])
        .arg(&out)
        .arg("--suite")
        .arg(&suite)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("2/3 cases passed") && report.contains("wrong"),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The recorded split belongs to textserve's own models: asked of this one, a clear error.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_textserve"))
        .args(["eval", "--model"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TorchScript") && stderr.contains("--data"),
        "{stderr}"
    );
}
