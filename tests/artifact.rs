//! Loading a model directory validates everything, with a message naming the file and problem.

mod common;

use std::path::Path;

use textserve::model::artifact::{ArtifactError, MANIFEST_FILE, WEIGHTS_FILE};
use textserve::model::{LstmPrecision, Model};

fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join(MANIFEST_FILE);
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

fn load_error(dir: &Path) -> (ArtifactError, String) {
    let error = Model::load(dir).expect_err("load must fail");
    let message = error.to_string();
    (error, message)
}

#[test]
fn save_then_load_gives_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = common::write_tiny_model(dir.path());
    let a = common::load(&model_dir);
    let b = common::load(&model_dir);
    let texts = common::SAMPLE_TEXTS;
    assert_eq!(a.predict_texts(texts, 4), b.predict_texts(texts, 4));
    assert_eq!(a.manifest().unwrap().weights.sha256.len(), 64);
    assert!(model_dir.join("MODEL_CARD.md").is_file());
}

#[test]
fn a_model_asking_for_bfloat16_loads_and_says_what_it_computes() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = common::write_tiny_model(dir.path());
    let float32 = common::load(&model_dir);
    edit_manifest(&model_dir, |m| {
        m["architecture"]["lstm_precision"] = "bfloat16".into();
    });
    let reduced = common::load(&model_dir);
    let texts = common::SAMPLE_TEXTS;
    let before = float32.predict_texts(texts, 4);
    let after = reduced.predict_texts(texts, 4);
    let largest = before
        .iter()
        .flatten()
        .zip(after.iter().flatten())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    let architecture = &reduced.manifest().unwrap().architecture;
    if LstmPrecision::Bfloat16.is_native() {
        assert_eq!(architecture.lstm_precision, LstmPrecision::Bfloat16);
        assert!(architecture.computes().contains("bfloat16"));
        assert!(largest > 0.0 && largest < 2e-2, "{largest}");
    } else {
        // Said as computed: float32, with the answers float32 gives.
        assert_eq!(architecture.lstm_precision, LstmPrecision::Float32);
        assert_eq!(largest, 0.0);
    }
    edit_manifest(&model_dir, |m| {
        m["architecture"]["lstm_precision"] = "int4".into();
    });
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::InvalidManifest { .. }),
        "{message}"
    );
    assert!(
        message.contains("lstm_precision") || message.contains("int4"),
        "{message}"
    );
}

#[test]
fn missing_directory_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let (error, message) = load_error(&dir.path().join("absent"));
    assert!(
        matches!(error, ArtifactError::MissingDirectory(_)),
        "{message}"
    );
    assert!(message.contains("absent"), "{message}");

    let model_dir = common::write_tiny_model(dir.path());
    std::fs::remove_file(model_dir.join(WEIGHTS_FILE)).unwrap();
    let (error, message) = load_error(&model_dir);
    assert!(matches!(error, ArtifactError::MissingFile(_)), "{message}");
    assert!(
        message.contains(WEIGHTS_FILE) && message.contains("missing file"),
        "{message}"
    );

    std::fs::remove_file(model_dir.join(MANIFEST_FILE)).unwrap();
    let (_, message) = load_error(&model_dir);
    assert!(
        message.contains(MANIFEST_FILE) && message.contains("missing file"),
        "{message}"
    );
}

#[test]
fn unknown_format_version() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = common::write_tiny_model(dir.path());
    edit_manifest(&model_dir, |m| m["format_version"] = 99.into());
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::UnknownFormatVersion { found: 99, .. }),
        "{message}"
    );
    assert!(
        message.contains("model.json") && message.contains("99"),
        "{message}"
    );
}

#[test]
fn invalid_json_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = common::write_tiny_model(dir.path());
    std::fs::write(model_dir.join(MANIFEST_FILE), "{ not json").unwrap();
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::InvalidManifest { .. }),
        "{message}"
    );
}

#[test]
fn shape_mismatch_names_the_tensor() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = common::write_tiny_model(dir.path());
    edit_manifest(&model_dir, |m| m["architecture"]["hidden_size"] = 13.into());
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::ShapeMismatch { .. }),
        "{message}"
    );
    assert!(
        message.contains(WEIGHTS_FILE) && message.contains("shape"),
        "{message}"
    );
}

#[test]
fn vocabulary_and_embedding_size_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = common::write_tiny_model(dir.path());
    edit_manifest(&model_dir, |m| {
        m["tokenizer"]["vocabulary"]
            .as_array_mut()
            .unwrap()
            .push("extra-token".into());
    });
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::InvalidManifest { .. }),
        "{message}"
    );
    assert!(
        message.contains("vocabulary") && message.contains("embedding"),
        "{message}"
    );

    // Both sides agree with each other but not with the weights: caught by the shape check.
    edit_manifest(&model_dir, |m| {
        let size = m["tokenizer"]["vocabulary"].as_array().unwrap().len();
        m["architecture"]["vocab_size"] = size.into();
    });
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::ShapeMismatch { ref tensor, .. } if tensor.contains("embedding")),
        "{message}"
    );
}

#[test]
fn corrupt_weights() {
    let dir = tempfile::tempdir().unwrap();
    let model_dir = common::write_tiny_model(dir.path());
    let weights = model_dir.join(WEIGHTS_FILE);
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&weights, &bytes).unwrap();
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::WeightsChecksum { .. }),
        "{message}"
    );

    // A file that is not safetensors at all, with a manifest that vouches for it.
    std::fs::write(&weights, b"this is not a safetensors file").unwrap();
    let sha = textserve::data::sha256_file(&weights).unwrap();
    edit_manifest(&model_dir, |m| m["weights"]["sha256"] = sha.into());
    let (error, message) = load_error(&model_dir);
    assert!(
        matches!(error, ArtifactError::CorruptWeights { .. }),
        "{message}"
    );
    assert!(
        message.contains(WEIGHTS_FILE) && message.contains("corrupt"),
        "{message}"
    );
}

#[test]
fn settings_that_would_compute_nothing_are_refused() {
    type Edit = fn(&mut serde_json::Value);
    let cases: [(Edit, [&str; 2]); 2] = [
        (
            |m| {
                m["architecture"]["wide_evidence"] = true.into();
                m["architecture"]["asserted_evidence"] = true.into();
                m["tokenizer"]["scope_marks"] = false.into();
            },
            ["asserted_evidence", "scope_marks"],
        ),
        (
            |m| {
                m["tokenizer"]["downtoners"] = true.into();
                m["tokenizer"]["degree_adverbs"] = false.into();
            },
            ["downtoners", "degree_adverbs"],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (edit, named) in cases {
        let model_dir = common::write_tiny_model(dir.path());
        edit_manifest(&model_dir, edit);
        let (error, message) = load_error(&model_dir);
        assert!(
            matches!(error, ArtifactError::InvalidManifest { .. }),
            "{message}"
        );
        assert!(named.iter().all(|n| message.contains(n)), "{message}");
    }
}
