//! Training end to end on a small separable dataset written by the test.

mod common;

use std::collections::HashSet;
use std::fmt::Write;

use textserve::commands::quantize::{QuantizeArgs, quantize};
use textserve::data::{Example, ReadOptions, dedup_key};
use textserve::model::{LstmPrecision, Model, NetworkSettings};
use textserve::train::{
    RecordedSplit, TrainConfig, TrainJob, evaluate, evaluate_with_mistakes, evaluation_examples,
    train,
};

/// Three labels, each marked by its own words, padded with shared filler so the model has to
/// find the marker.
fn separable_dataset() -> String {
    let markers = [
        ("mechanical", ["主轴异响", "spindle noise", "轴承磨损"]),
        ("fluid", ["冷却液泄漏", "coolant leak", "油管渗油"]),
        ("cosmetic", ["表面划伤", "paint scratch", "外观掉漆"]),
    ];
    let fillers = [
        "三号线",
        "line 7",
        "夜班发现",
        "今天早上",
        "CNC-12",
        "检查后",
        "operator reports",
        "第二次",
    ];
    let mut out = String::new();
    for (label, words) in markers {
        for i in 0..60 {
            let text = format!(
                "{} {} {} #{i}",
                fillers[i % fillers.len()],
                words[i % words.len()],
                fillers[(i / 3) % fillers.len()]
            );
            writeln!(out, "{}", serde_json::json!({"text": text, "label": label})).unwrap();
        }
    }
    out
}

/// First and last training loss of one stage ("wide", "member 0", …).
fn stage_losses(training: &textserve::model::artifact::TrainingRecord, stage: &str) -> (f64, f64) {
    let losses: Vec<f64> = training
        .history
        .iter()
        .filter(|e| e.stage == stage)
        .map(|e| e.train_loss)
        .collect();
    assert!(!losses.is_empty(), "no epochs recorded for {stage}");
    (losses[0], losses[losses.len() - 1])
}

fn job(dir: &std::path::Path, config: TrainConfig) -> TrainJob {
    let data = dir.join("defects.jsonl");
    std::fs::write(&data, separable_dataset()).unwrap();
    TrainJob {
        data,
        read: ReadOptions::default(),
        out: dir.join("defects-model"),
        name: "defects".into(),
        version: "t".into(),
        config,
        card_notes: Some("## Notes\n\ntest note\n".into()),
        extra_data: Vec::new(),
        tune_suite: None,
        check: None,
    }
}

#[test]
fn the_lstm_alone_learns_separable_data() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        ngram_max_features: 0,
        ..common::small_train_config()
    };
    let manifest = train(&job(dir.path(), config)).unwrap();
    let training = manifest.training.as_ref().unwrap();
    assert!(
        training.history.iter().all(|e| e.stage == "member 0"),
        "no wide stage without n-grams"
    );
    let (first, last) = stage_losses(training, "member 0");
    assert!(last < first * 0.5, "loss should fall: {first} → {last}");
    let test = &manifest.metrics.as_ref().unwrap().test;
    assert_eq!(test.accuracy, 1.0, "{}", test.report());
}

#[test]
fn language_model_pretraining_learns_the_texts_then_the_labels() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        ngram_max_features: 0,
        pretrain_epochs: 30,
        ..common::small_train_config()
    };
    let job = job(dir.path(), config);
    let manifest = train(&job).unwrap();
    let training = manifest.training.as_ref().unwrap();
    let (first, last) = stage_losses(training, "pretrain 0");
    assert!(
        last < first * 0.7,
        "language-model loss should fall: {first} → {last}"
    );
    let pretrain_epochs = training
        .history
        .iter()
        .filter(|e| e.stage == "pretrain 0")
        .count();
    assert_eq!(pretrain_epochs, 30);
    let next_token_accuracy = training
        .history
        .iter()
        .filter(|e| e.stage == "pretrain 0")
        .map(|e| e.validation_accuracy)
        .fold(0.0, f64::max);
    // The fillers repeat, so much of each text is predictable from what came before.
    assert!(next_token_accuracy > 0.3, "{next_token_accuracy}");
    let test = &manifest.metrics.as_ref().unwrap().test;
    assert_eq!(test.accuracy, 1.0, "{}", test.report());

    // The card's reproduce command names every hyperparameter of the run.
    let card = std::fs::read_to_string(job.out.join("MODEL_CARD.md")).unwrap();
    let command = card
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a reproduce command in the card");
    let argv: Vec<&str> = command.split_whitespace().filter(|w| *w != "\\").collect();
    let parsed = <textserve::commands::Cli as clap::Parser>::try_parse_from(argv).unwrap();
    let textserve::commands::Command::Train(args) = parsed.command else {
        panic!("the card's command is not `textserve train`: {command}");
    };
    assert_eq!(
        args.config,
        TrainConfig::from_record(&training.hyperparameters).unwrap()
    );

    // The language-model heads are scaffolding: the saved model loads and has exactly the
    // parameters of the same network trained without pretraining.
    let model = Model::load(&job.out).unwrap();
    assert_eq!(model.labels().len(), 3);
    let without = TrainConfig {
        pretrain_epochs: 0,
        epochs: 1,
        ..job.config.clone()
    };
    let plain_dir = dir.path().join("plain");
    std::fs::create_dir(&plain_dir).unwrap();
    let plain = train(&self::job(&plain_dir, without)).unwrap();
    assert_eq!(manifest.weights.parameters, plain.weights.parameters);
}

#[test]
fn tiny_model_learns_separable_data_and_eval_rebuilds_its_test_split() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let job = job(
        dir.path(),
        TrainConfig {
            members: 2,
            ..common::small_train_config()
        },
    );
    let (data, out) = (job.data.clone(), job.out.clone());
    let manifest = train(&job).unwrap();
    let training = manifest.training.as_ref().unwrap();
    let stages: Vec<&str> = training.stages.iter().map(|o| o.stage.as_str()).collect();
    assert_eq!(stages, ["wide", "member 0", "member 1"]);
    let (first, last) = stage_losses(training, "wide");
    assert!(
        last < first * 0.5,
        "wide: loss should fall: {first} → {last}"
    );
    for member in 0..2 {
        let (first, last) = stage_losses(training, &format!("member {member}"));
        assert!(
            last < first,
            "member {member}: loss should fall: {first} → {last}"
        );
    }
    let metrics = manifest.metrics.as_ref().unwrap();
    assert_eq!(metrics.test.accuracy, 1.0, "{}", metrics.test.report());
    assert_eq!(metrics.test.macro_f1, 1.0);
    assert_eq!(manifest.labels, ["cosmetic", "fluid", "mechanical"]);
    assert_eq!(training.split_sizes.test, 27);

    let card = std::fs::read_to_string(out.join("MODEL_CARD.md")).unwrap();
    assert!(
        card.contains("textserve train --data") && card.contains("test note"),
        "{card}"
    );

    // `eval` with no data rebuilds the recorded test split and gets the same figures.
    let model = Model::load(&out).unwrap();
    let test =
        evaluation_examples(&model, None, &ReadOptions::default(), RecordedSplit::Test).unwrap();
    assert_eq!(test.len(), 27);
    let evaluation = evaluate(&model, &test).unwrap();
    assert_eq!(&evaluation, &metrics.test);
    let validation = evaluation_examples(
        &model,
        None,
        &ReadOptions::default(),
        RecordedSplit::Validation,
    )
    .unwrap();
    assert_eq!(validation.len(), training.split_sizes.validation);
    assert_eq!(&evaluate(&model, &validation).unwrap(), &metrics.validation);

    // Every label flipped: every example comes back as a mistake, as given, surest first.
    let flipped: Vec<Example> = test
        .iter()
        .map(|e| Example {
            text: e.text.clone(),
            label: if e.label == "fluid" {
                "mechanical"
            } else {
                "fluid"
            }
            .to_string(),
        })
        .collect();
    let (evaluation, mistakes) = evaluate_with_mistakes(&model, &flipped).unwrap();
    assert_eq!(evaluation.accuracy, 0.0);
    assert_eq!(mistakes.len(), flipped.len());
    for mistake in &mistakes {
        let given = flipped.iter().find(|e| e.text == mistake.text).unwrap();
        assert_eq!(mistake.label, given.label);
        assert_ne!(mistake.predicted, mistake.label);
        let label_index = manifest
            .labels
            .iter()
            .position(|l| *l == mistake.label)
            .unwrap();
        assert_eq!(
            mistake.probabilities[label_index],
            mistake.label_probability
        );
    }
    assert!(
        mistakes
            .windows(2)
            .all(|w| w[0].label_probability <= w[1].label_probability)
    );

    // No test text (after normalization) appears in the training split.
    let prepared =
        textserve::data::prepare(&data, &ReadOptions::default(), training.split).unwrap();
    let train_keys: HashSet<String> = prepared
        .split
        .train
        .iter()
        .map(|e| dedup_key(&e.text))
        .collect();
    assert!(
        test.iter()
            .all(|e| !train_keys.contains(&dedup_key(&e.text)))
    );

    // A changed data file is refused rather than silently evaluated on a different split.
    std::fs::write(
        &data,
        separable_dataset() + "{\"text\":\"new\",\"label\":\"fluid\"}\n",
    )
    .unwrap();
    let error = evaluation_examples(&model, None, &ReadOptions::default(), RecordedSplit::Test)
        .unwrap_err();
    assert!(
        error.to_string().contains("changed since training"),
        "{error}"
    );
}

#[test]
fn single_label_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("one.jsonl");
    std::fs::write(
        &data,
        "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\"x\"}\n",
    )
    .unwrap();
    let job = TrainJob {
        data,
        read: ReadOptions::default(),
        out: dir.path().join("m"),
        name: "m".into(),
        version: "1".into(),
        config: TrainConfig::default(),
        card_notes: None,
        extra_data: Vec::new(),
        tune_suite: None,
        check: None,
    };
    let error = train(&job).unwrap_err().to_string();
    assert!(error.contains("at least two labels"), "{error}");
}

#[test]
fn contradicted_training_labels_are_dropped_and_recorded() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let job = job(
        dir.path(),
        TrainConfig {
            suspect_label_threshold: 0.2,
            epochs: 2,
            // Sure of the markers after a few epochs, so a contradicted label stands out.
            wide_learning_rate: 0.1,
            wide_epochs: 30,
            ..common::small_train_config()
        },
    );
    // Every tenth "fluid" text relabelled "cosmetic": its marker says otherwise.
    let relabelled: String = separable_dataset()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i % 10 == 0 && line.contains("\"fluid\"") {
                line.replace("\"fluid\"", "\"cosmetic\"")
            } else {
                line.to_string()
            }
        })
        .map(|line| line + "\n")
        .collect();
    let flipped: HashSet<String> = separable_dataset()
        .lines()
        .zip(relabelled.lines())
        .filter(|(a, b)| a != b)
        .map(|(_, b)| b.to_string())
        .collect();
    let written: HashSet<String> = relabelled.lines().map(str::to_string).collect();
    std::fs::write(&job.data, relabelled).unwrap();
    let manifest = train(&job).unwrap();
    let dropped = manifest.training.as_ref().unwrap().suspect_labels_dropped;
    assert!(
        (1..=flipped.len()).contains(&dropped),
        "{dropped} dropped of {} relabelled (some fall in validation or test)",
        flipped.len()
    );
    // The report lists the dropped examples as given in the data, least plausible first, and
    // the least plausible is one of the relabelled texts. (Others may be genuinely ambiguous:
    // a "fluid" text sharing every filler with a relabelled one.)
    let report = std::fs::read_to_string(job.out.join(textserve::train::SUSPECTS_FILE)).unwrap();
    let given: Vec<(String, f64)> = report
        .lines()
        .map(|line| {
            let suspect: serde_json::Value = serde_json::from_str(line).unwrap();
            let example = serde_json::json!({"text": suspect["text"], "label": suspect["label"]});
            let p = suspect["own_label_probability"].as_f64().unwrap();
            assert!(p < 0.2, "{line}");
            (example.to_string(), p)
        })
        .collect();
    assert_eq!(given.len(), dropped, "{report}");
    assert!(
        given.iter().all(|(example, _)| written.contains(example)),
        "{report}"
    );
    assert!(given.windows(2).all(|w| w[0].1 <= w[1].1), "{report}");
    assert!(flipped.contains(&given[0].0), "{report}");
    let card = std::fs::read_to_string(job.out.join("MODEL_CARD.md")).unwrap();
    assert!(
        card.contains(&format!(
            "{dropped} training examples left out as suspect labels"
        )) && card.contains("--suspect-label-threshold 0.2"),
        "{card}"
    );

    let without_wide = TrainJob {
        config: TrainConfig {
            ngram_max_features: 0,
            ..job.config.clone()
        },
        ..job
    };
    let error = train(&without_wide).unwrap_err().to_string();
    assert!(error.contains("needs the wide part"), "{error}");
}

/// Defect words and praise, each seen plainly and most negated by 没有; five defects never are.
fn negation_dataset() -> (String, Vec<&'static str>) {
    let seen_negated = ["漏油", "异响", "裂纹", "锈蚀", "卡顿"];
    let never_negated = ["抖动", "松脱", "变形", "划痕", "发烫"];
    let praise = ["稳定", "顺畅", "合格", "整洁", "准时"];
    let places = ["一号机", "二号机", "三号线", "装配段", "包装段", "喷涂房"];
    let mut out = String::new();
    let mut line = |text: String, label: &str| {
        writeln!(out, "{}", serde_json::json!({"text": text, "label": label})).unwrap();
    };
    for (i, place) in places.iter().enumerate() {
        for (j, defect) in seen_negated.iter().chain(&never_negated).enumerate() {
            line(format!("{place}出现{defect}#{i}{j}"), "defect");
        }
        for (j, defect) in seen_negated.iter().enumerate() {
            line(format!("{place}没有{defect}#{i}{j}"), "ok");
        }
        for (j, word) in praise.iter().enumerate() {
            line(format!("{place}运行{word}#{i}{j}"), "ok");
            // As often as "没有" comes before a defect, so the cue alone says nothing.
            line(format!("{place}没有{word}#{i}{j}"), "defect");
        }
    }
    (out, never_negated.to_vec())
}

#[test]
fn negation_transfer_reads_words_never_seen_negated_as_negated() {
    let _turn = common::torch_turn();
    let (data, never_negated) = negation_dataset();
    let ok_for_unseen_negations = |negation_transfer: u32| {
        let dir = tempfile::tempdir().unwrap();
        let mut job = job(
            dir.path(),
            TrainConfig {
                network: NetworkSettings {
                    negation_transfer,
                    wide_intercept: negation_transfer == 0,
                    ..common::small_train_config().network
                },
                ..common::small_train_config()
            },
        );
        std::fs::write(&job.data, &data).unwrap();
        job.tune_suite = None;
        let manifest = train(&job).unwrap();
        assert_eq!(
            manifest.architecture.network.negation_transfer,
            negation_transfer
        );
        assert_eq!(
            manifest.architecture.network.wide_intercept,
            negation_transfer == 0
        );
        // The wide part alone: the LSTM member has a say of its own in the mixture.
        let manifest_path = job.out.join("model.json");
        let mut recorded: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
        recorded["architecture"]["wide_weight"] = 1.0.into();
        std::fs::write(&manifest_path, recorded.to_string()).unwrap();
        let model = Model::load(&job.out).unwrap();
        let ok = model.labels().iter().position(|l| l == "ok").unwrap();
        let texts: Vec<String> = never_negated
            .iter()
            .map(|d| format!("四号机没有{d}"))
            .collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let probabilities = model.predict_texts(&texts, 8);
        probabilities.iter().map(|p| p[ok]).collect::<Vec<f32>>()
    };
    let with = ok_for_unseen_negations(3);
    let without = ok_for_unseen_negations(0);
    assert!(with.iter().all(|&p| p > 0.5), "with transfer: {with:?}");
    let mean = |p: &[f32]| p.iter().sum::<f32>() / p.len() as f32;
    assert!(
        mean(&with) > mean(&without) + 0.1,
        "with {with:?}, without {without:?}"
    );
}

#[test]
fn a_fixed_wide_weight_is_kept_and_the_search_still_recorded() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    // 0.3 is no weight the search would pick on separable data, where the wide part alone is
    // right about every text.
    let config = TrainConfig {
        wide_weight: Some(0.3),
        ..common::small_train_config()
    };
    let job = job(dir.path(), config);
    let manifest = train(&job).unwrap();
    assert_eq!(manifest.architecture.wide_weight, 0.3);
    let training = manifest.training.as_ref().unwrap();
    assert_eq!(training.wide_weight_search.len(), 11, "every weight tried");
    let card = std::fs::read_to_string(job.out.join("MODEL_CARD.md")).unwrap();
    assert!(card.contains("--wide-weight 0.3"), "the card reproduces it");

    let out_of_range = TrainJob {
        config: TrainConfig {
            wide_weight: Some(1.5),
            ..common::small_train_config()
        },
        ..job
    };
    let error = train(&out_of_range).unwrap_err().to_string();
    assert!(error.contains("--wide-weight"), "{error}");
}

#[test]
fn a_member_seed_retrains_the_lstm_on_the_same_split_and_wide_part() {
    let _turn = common::torch_turn();
    let train_with = |dir: &std::path::Path, member_seed| {
        let small = common::small_train_config();
        // The shipped configuration: members read cross-fitted evidence, which follows --seed.
        let config = TrainConfig {
            epochs: 2,
            wide_weight: Some(0.5),
            member_seed,
            network: NetworkSettings {
                wide_evidence: true,
                ..small.network
            },
            ..small
        };
        let job = job(dir, config);
        train(&job).unwrap();
        job.out
    };
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let seeded = train_with(first.path(), None);
    let reseeded = train_with(second.path(), Some(1234));

    let texts = |dir: &std::path::Path| -> Vec<String> {
        let model = Model::load(dir).unwrap();
        let read = ReadOptions::default();
        evaluation_examples(&model, None, &read, RecordedSplit::Validation)
            .unwrap()
            .into_iter()
            .map(|e| e.text)
            .collect()
    };
    assert_eq!(texts(&seeded), texts(&reseeded), "the split follows --seed");

    let tensors = |dir: &std::path::Path| {
        tch::Tensor::read_safetensors(dir.join("model.safetensors"))
            .unwrap()
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (a, b) = (tensors(&seeded), tensors(&reseeded));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let largest_difference = |prefix: &str| {
        a.iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(name, tensor)| (tensor - &b[name]).abs().max().double_value(&[]))
            .fold(0.0f64, f64::max)
    };
    assert!(
        largest_difference("wide.") < 1e-4,
        "the wide part follows --seed"
    );
    assert!(
        largest_difference("member") > 1e-2,
        "the LSTM follows --member-seed"
    );
    let card = std::fs::read_to_string(reseeded.join("MODEL_CARD.md")).unwrap();
    assert!(
        card.contains("--member-seed 1234"),
        "the card reproduces it"
    );
    let architecture = card
        .split("## Architecture")
        .nth(1)
        .expect("an architecture section");
    assert!(
        architecture.contains("the wide part's evidence at each position")
            && !architecture.contains("would have asserted"),
        "the card says what the LSTM reads: {architecture}"
    );
}

/// Names of the tensors a model directory's weights file holds.
fn stored_tensor_names(model_dir: &std::path::Path) -> Vec<String> {
    tch::Tensor::read_safetensors(model_dir.join("model.safetensors"))
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn a_mixture_that_gives_the_wide_part_weight_one_ships_no_lstm() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        wide_weight: Some(1.0),
        epochs: 3,
        ..common::small_train_config()
    };
    let job = job(dir.path(), config);
    let manifest = train(&job).unwrap();
    let training = manifest.training.as_ref().unwrap();
    assert!(training.lstm_dropped);
    assert!(
        training.history.iter().any(|e| e.stage == "member 0"),
        "the member was trained before the weight was known"
    );
    assert_eq!(manifest.architecture.members, 0);
    assert_eq!(manifest.architecture.computes(), "n-gram model, no LSTM");
    let names = stored_tensor_names(&job.out);
    assert!(names.iter().any(|n| n.starts_with("wide.")), "{names:?}");
    assert!(
        names.iter().all(|n| !n.starts_with("member")),
        "no LSTM tensors: {names:?}"
    );
    let parts: Vec<&str> = training.ablation.iter().map(|r| r.part.as_str()).collect();
    assert_eq!(parts, ["n-gram part alone", "LSTM alone", "mixture"]);
    let card = std::fs::read_to_string(job.out.join("MODEL_CARD.md")).unwrap();
    assert!(card.contains("n-gram model, no LSTM"), "{card}");
    assert!(
        card.contains("fixed by `--wide-weight`, not chosen"),
        "{card}"
    );
    assert!(!card.contains("chosen by the rule"), "{card}");
    // The model as loaded answers as the wide part measured alone did.
    let model = Model::load(&job.out).unwrap();
    let validation = evaluation_examples(
        &model,
        None,
        &ReadOptions::default(),
        RecordedSplit::Validation,
    )
    .unwrap();
    let reloaded = evaluate(&model, &validation).unwrap();
    assert_eq!(
        reloaded.accuracy, training.ablation[0].validation_accuracy,
        "loaded n-gram model = the n-gram part alone"
    );
}

#[test]
fn members_zero_trains_and_ships_the_ngram_part_alone() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        members: 0,
        ..common::small_train_config()
    };
    let job = job(dir.path(), config);
    let manifest = train(&job).unwrap();
    let training = manifest.training.as_ref().unwrap();
    assert!(training.history.iter().all(|e| e.stage == "wide"));
    assert!(training.ablation.is_empty() && training.wide_weight_search.is_empty());
    assert_eq!(
        (
            manifest.architecture.members,
            manifest.architecture.wide_weight
        ),
        (0, 1.0)
    );
    assert!(
        stored_tensor_names(&job.out)
            .iter()
            .all(|n| !n.starts_with("member"))
    );
    let card = std::fs::read_to_string(job.out.join("MODEL_CARD.md")).unwrap();
    assert!(card.contains("An n-gram model, no LSTM"), "{card}");
    assert!(card.contains("--members 0"), "the card reproduces it");
    // Three labels: chance is a third.
    let test = &manifest.metrics.as_ref().unwrap().test;
    assert!(test.accuracy > 0.8, "{}", test.report());
}

#[test]
fn composed_and_distilled_members_learn_and_are_recorded() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let config = TrainConfig {
        compose: 300,
        compose_confidence: 0.5,
        distill_weight: 0.5,
        wide_weight: Some(0.5),
        ..common::small_train_config()
    };
    let job = job(dir.path(), config);
    let manifest = train(&job).unwrap();
    let training = manifest.training.as_ref().unwrap();
    let composed = training.composed.as_ref().expect("composition recorded");
    assert_eq!(
        composed.contrast
            + composed.concession_first
            + composed.concession_after
            + composed.addition,
        300
    );
    assert!(composed.confident_clauses > 0 && composed.confident_clauses <= composed.clauses);
    let (first, last) = stage_losses(training, "member 0");
    assert!(
        last < first * 0.5,
        "member loss should fall: {first} → {last}"
    );
    assert_eq!(manifest.metrics.as_ref().unwrap().test.accuracy, 1.0);
    assert!(
        manifest
            .architecture
            .computes()
            .starts_with("LSTM and n-gram mixture")
    );
    let card = std::fs::read_to_string(job.out.join("MODEL_CARD.md")).unwrap();
    assert!(
        card.contains("synthetic, for the LSTM members only"),
        "{card}"
    );
    assert!(card.contains("distillation: 50 %"), "{card}");
    assert!(card.contains("| LSTM alone"), "{card}");
}

#[test]
fn quantize_writes_a_bfloat16_copy_with_what_it_measured_or_refuses_clearly() {
    let _turn = common::torch_turn();
    let dir = tempfile::tempdir().unwrap();
    let job = job(
        dir.path(),
        TrainConfig {
            wide_weight: Some(0.5),
            ..common::small_train_config()
        },
    );
    train(&job).unwrap();
    let out = dir.path().join("copy");
    let args = |version: &str| QuantizeArgs {
        model: job.out.clone(),
        out: out.clone(),
        precision: LstmPrecision::Bfloat16,
        suite: Vec::new(),
        version: version.into(),
        notes: Some(job.out.join("MODEL_CARD.md")),
        // A 27-text validation split moves in steps of 3.7 points.
        max_accuracy_drop: 1.0,
        threads: common::nz(1),
    };
    let error = quantize(args("t")).unwrap_err().to_string();
    assert!(error.contains("--version t is the original's"), "{error}");
    assert!(!out.exists());
    if !LstmPrecision::Bfloat16.is_native() {
        let error = quantize(args("t-bf16")).unwrap_err().to_string();
        assert!(error.contains("AVX-512 BF16"), "{error}");
        assert!(!out.exists());
        return;
    }
    quantize(args("t-bf16")).unwrap();
    let copy = Model::load(&out).unwrap();
    let manifest = copy.manifest().unwrap();
    assert_eq!(manifest.version, "t-bf16");
    assert_eq!(
        manifest.architecture.lstm_precision,
        LstmPrecision::Bfloat16
    );
    let check = manifest.precision_check.as_ref().unwrap();
    let parts: Vec<&str> = check.parts.iter().map(|p| p.part.as_str()).collect();
    assert_eq!(parts, ["validation", "test"]);
    let validation = &check.parts[0];
    assert_eq!(validation.texts, 27);
    assert_eq!(
        manifest.metrics.as_ref().unwrap().validation.accuracy,
        validation.reduced,
        "the copy's metrics are its own"
    );
    let card = std::fs::read_to_string(out.join("MODEL_CARD.md")).unwrap();
    assert!(
        card.contains("## Precision") && card.contains("computes in bfloat16"),
        "{card}"
    );
    assert!(card.contains("test note"), "the notes given are kept");
    assert!(
        card.contains("--model-version t ")
            && card.contains(&format!(
                "textserve quantize --model {0}-float32 --out {0} --version t-bf16 --precision bfloat16",
                out.display()
            )),
        "the reproduce block trains the original, then copies it: {card}"
    );

    let error = quantize(args("t-bf16-2")).unwrap_err().to_string();
    assert!(error.contains("exists"), "{error}");
    assert!(
        out.join("model.json").is_file(),
        "a refused run leaves the copy alone"
    );
}
