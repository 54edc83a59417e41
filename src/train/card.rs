//! MODEL_CARD.md: what a person needs before trusting the model.

use std::fmt::Write;

use std::path::Path;

use super::TrainConfig;
use crate::model::artifact::{AblationRow, CheckSummary, PrecisionCheck, TrainingRecord};
use crate::model::{Manifest, ModelConfig};

/// The card for a model directory `out`; `notes` (Markdown) is appended.
pub fn render(manifest: &Manifest, out: &Path, notes: Option<&str>) -> String {
    let mut card = String::new();
    let w = &mut card;
    // Recorded hyperparameters a build no longer knows are ignored; missing ones take defaults.
    let hp: Option<TrainConfig> = manifest
        .training
        .as_ref()
        .map(|t| TrainConfig::from_record(&t.hyperparameters).unwrap_or_default());
    header(w, manifest);
    if let Some(t) = &manifest.training {
        data_section(w, t, hp.as_ref());
        training_section(w, manifest, t, hp.as_ref(), out);
    }
    architecture_section(w, manifest, hp.as_ref());
    metrics_section(w, manifest);
    behaviour_section(w, manifest);
    if let Some(check) = &manifest.precision_check {
        card.push_str(&precision_section(check));
        card.push('\n');
    }
    let w = &mut card;
    limits_section(w, manifest);
    if let Some(notes) = notes {
        card.push_str(notes.trim_end());
        card.push('\n');
    }
    card
}

/// Title, labels, what a prediction computes, intended use.
fn header(w: &mut String, manifest: &Manifest) {
    let _ = writeln!(w, "# Model card: {} {}\n", manifest.name, manifest.version);
    let _ = writeln!(
        w,
        "Text classifier trained by `textserve train` on {}. Labels: {}.\n",
        manifest.created_at,
        manifest
            .labels
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        w,
        "**What a prediction computes:** {}.\n",
        manifest.architecture.computes()
    );
    let _ = writeln!(w, "## Intended use\n");
    let _ = writeln!(
        w,
        "Classifying short free-text comments of the same kind and language as the training data. \
         Outputs are probabilities; treat scores below ~0.7 as uncertain and route \
         them to a person. Not for decisions about individuals.\n"
    );
}

/// Where the data came from and what was done to it: the file, cleaning, split, extra and
/// composed data, distillation, suspect labels.
fn data_section(w: &mut String, t: &TrainingRecord, hp: Option<&TrainConfig>) {
    let _ = writeln!(w, "## Data\n");
    let _ = writeln!(w, "- file: `{}` (sha256 `{}`)", t.data_path, t.data_sha256);
    let _ = writeln!(
        w,
        "- rows read: {}; empty texts skipped: {}; duplicates removed (after normalization): {}; texts dropped for conflicting labels: {}; examples kept: {}",
        t.rows_read,
        t.empty_texts_skipped,
        t.cleaning.duplicates_removed,
        t.cleaning.conflicting_texts_dropped,
        t.cleaning.kept
    );
    let _ = writeln!(
        w,
        "- stratified split, seed {}: train {}, validation {}, test {} (deduplicated before splitting, so no test text occurs in training)\n",
        t.split.seed, t.split_sizes.train, t.split_sizes.validation, t.split_sizes.test
    );
    for extra in t.extra_data_files() {
        let _ = writeln!(
            w,
            "- extra training examples (`--extra-data`, training split only, loss weight {}): `{}` (sha256 `{}`), {} rows read, {} used after deduplication and conflict removal, {} left out because the main data holds the same text{}\n",
            hp.map_or(1.0, |h| h.extra_weight),
            extra.path,
            extra.sha256,
            extra.rows_read,
            extra.used,
            extra.dropped_as_main_data,
            match extra.dropped_as_earlier_extra_data {
                0 => String::new(),
                n => format!(", {n} because an earlier extra file gave it"),
            }
        );
    }
    if let Some(c) = &t.composed {
        let _ = writeln!(
            w,
            "- synthetic, for the LSTM members only (`--compose`, made at training time by `src/train/compose.rs`): {} texts composed from {} of the {} distinct clauses of the training-side texts (those the trained wide part reads with their text's label at probability ≥ {}), labelled by the clause that decides: {} contrasts \"A，但是B\", {} concessions \"虽然A，B\", {} concessions placed after \"B，虽然A\", {} additions \"A，而且B\" of one polarity\n",
            c.contrast + c.concession_first + c.concession_after + c.addition,
            c.confident_clauses,
            c.clauses,
            hp.map_or(0.9, |h| h.compose_confidence),
            c.contrast,
            c.concession_first,
            c.concession_after,
            c.addition
        );
    }
    if let Some(h) = hp.filter(|h| h.distill_weight > 0.0) {
        let _ = writeln!(
            w,
            "- distillation: {:.0} % of each LSTM member's loss follows the trained wide part's probabilities for the same text (composed texts: their label)\n",
            100.0 * h.distill_weight
        );
    }
    if t.suspect_labels_dropped > 0 {
        let _ = writeln!(
            w,
            "- {} training examples left out as suspect labels: a wide part cross-fitted on the rest of the training split ({} folds) gave their own label less than {} probability; they are listed in `{}`, least plausible first, for a person to check. Validation and test examples are never dropped.\n",
            t.suspect_labels_dropped,
            super::suspects::FOLDS,
            hp.map_or(0.0, |h| h.suspect_label_threshold),
            super::SUSPECTS_FILE
        );
    }
}

/// Stages and epochs, the mixture weight and how it was set, the ablation, and the command
/// that reproduces the run.
fn training_section(
    w: &mut String,
    manifest: &Manifest,
    t: &TrainingRecord,
    hp: Option<&TrainConfig>,
    out: &Path,
) {
    let _ = writeln!(w, "## Training\n");
    let _ = writeln!(
        w,
        "{} epochs run in all, {:.0} s. Kept per stage: {}.\n",
        t.epochs_run,
        t.duration_seconds,
        t.stages
            .iter()
            .map(|o| if o.averaged_epochs.is_empty() {
                format!(
                    "{} epoch {} (validation accuracy {:.4})",
                    o.stage, o.best_epoch, o.validation_accuracy
                )
            } else {
                format!(
                    "{} average of epochs {:?} (validation accuracy {:.4})",
                    o.stage, o.averaged_epochs, o.validation_accuracy
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let _ = writeln!(
        w,
        "| stage | epoch | train loss | validation loss | validation accuracy | seconds |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|");
    for e in &t.history {
        let _ = writeln!(
            w,
            "| {} | {} | {:.4} | {:.4} | {:.4} | {:.1} |",
            e.stage, e.epoch, e.train_loss, e.validation_loss, e.validation_accuracy, e.seconds
        );
    }
    if !t.wide_weight_search.is_empty() {
        let tried: Vec<String> = t
            .wide_weight_search
            .iter()
            .enumerate()
            .map(
                |(i, (weight, accuracy))| match t.wide_weight_tune_pass_rates.get(i) {
                    Some(rate) => format!("{weight:.1} → {accuracy:.4} / {rate:.3}"),
                    None => format!("{weight:.1} → {accuracy:.4}"),
                },
            )
            .collect();
        let rule = if t.wide_weight_tune_pass_rates.is_empty() {
            "the best validation accuracy"
        } else {
            "the best tuning-suite pass rate within half a point of the best validation accuracy"
        };
        let columns = if t.wide_weight_tune_pass_rates.is_empty() {
            "weight → validation accuracy"
        } else {
            "weight → validation accuracy / tuning-suite pass rate"
        };
        let kept = t
            .ablation
            .iter()
            .find(|r| r.part == "mixture")
            .map_or(manifest.architecture.wide_weight, |r| r.wide_weight);
        let how = match hp.and_then(|h| h.wide_weight) {
            Some(_) => format!(
                "fixed by `--wide-weight`, not chosen; the rule ({rule}) would have read the search"
            ),
            None => format!("chosen by the rule, {rule}"),
        };
        let _ = writeln!(
            w,
            "\nWide weight {kept:.1} {how} ({columns}: {}).",
            tried.join(", ")
        );
        if t.lstm_dropped {
            let _ = writeln!(
                w,
                "\nAt weight 1.0 the LSTM members would never be computed, so they were left out of the model: it is an n-gram model, and its weights file holds no LSTM tensors."
            );
        }
    }
    ablation_table(w, t);
    let _ = writeln!(
        w,
        "\nReproduce:\n\n```sh\n{}\n```\n",
        reproduce_command(manifest, t, hp.expect("with training"), out)
    );
}

/// The network and the tokenizer in words.
fn architecture_section(w: &mut String, manifest: &Manifest, hp: Option<&TrainConfig>) {
    let a = &manifest.architecture;
    let _ = writeln!(w, "## Architecture\n");
    if a.members == 0 {
        let _ = writeln!(
            w,
            "An n-gram model, no LSTM: logistic regression on L2-normalised TF-IDF of token 1–3-grams ({} n-grams seen in at least {} training texts{}). Vocabulary {} tokens, max length {} tokens. {} parameters.\n",
            a.ngram_vocab_size,
            hp.map_or(0, |h| h.ngram_min_df),
            if a.network.wide_intercept {
                ""
            } else {
                "; no intercept"
            },
            a.vocab_size,
            manifest.tokenizer.config.max_length,
            manifest.weights.parameters
        );
    } else {
        let _ = writeln!(
            w,
            "An ensemble. Wide part: logistic regression on L2-normalised TF-IDF of token 1–3-grams ({} n-grams seen in at least {} training texts{}{}), weight {:.1} in the mixture. Deep part, {} LSTM member(s) each trained on its own{}, averaged: token embedding {} + hashed character-bigram embedding {}×{}{} → {}-layer {} LSTM, hidden {} → masked max + mean pooling, plus the mean input embedding → dropout {} → linear to {} labels. Wide and deep log-probabilities are mixed by the weight. Token dropout {} in training. Vocabulary {} tokens, max length {} tokens. {} parameters.\n",
            a.ngram_vocab_size,
            hp.map_or(0, |h| h.ngram_min_df),
            match a.network.negation_transfer {
                0 => String::new(),
                reach => format!(
                    "; a negated n-gram within {reach} tokens of its cue also counts as its plain n-gram turned around by a learnt factor{}",
                    if a.network.transfer_in_concession {
                        ""
                    } else {
                        ", except in a clause a contrast concedes"
                    }
                ),
            },
            if a.network.wide_intercept {
                ""
            } else {
                "; no intercept"
            },
            a.wide_weight,
            a.members,
            match hp.map_or(0, |h| h.pretrain_epochs) {
                0 => String::new(),
                epochs => format!(" after {epochs} epochs of language-model pretraining"),
            },
            a.network.embedding_dim,
            a.network.bigram_buckets,
            a.network.bigram_dim,
            evidence_inputs(a),
            a.network.num_layers,
            if a.network.bidirectional {
                "bidirectional"
            } else {
                "unidirectional"
            },
            a.network.hidden_size,
            a.network.dropout,
            a.num_labels,
            a.network.token_dropout,
            a.vocab_size,
            manifest.tokenizer.config.max_length,
            manifest.weights.parameters
        );
    }
    let tc = &manifest.tokenizer.config;
    let _ = writeln!(
        w,
        "Tokenizer: scope marks {} (negation scopes and conceded clauses marked{}), double negations' closing cues marked {}, degree adverbs folded {}{}, traditional characters folded {}.\n",
        on_off(tc.scope_marks),
        if a.scope_embedding {
            "; each LSTM member adds a learned vector per mark to its inputs"
        } else {
            ""
        },
        on_off(tc.double_negation_marks),
        on_off(tc.degree_adverbs),
        if tc.degree_adverbs && tc.downtoners {
            " (downtoners such as 有点 apart from intensifiers)"
        } else {
            ""
        },
        on_off(tc.fold_traditional)
    );
}

/// What the LSTM reads of the wide part, in the words of the architecture section.
fn evidence_inputs(a: &ModelConfig) -> &'static str {
    match (a.network.wide_evidence, a.network.asserted_evidence) {
        (false, _) => "",
        (true, false) => {
            " + the wide part's evidence at each position (per label, the weights of the n-grams ending there, cross-fitted in training), projected"
        }
        (true, true) => {
            " + the wide part's evidence at each position (per label, the weights of the n-grams ending there, cross-fitted in training, and beside them the weights the negated or conceded ones among them would have asserted), projected"
        }
    }
}

/// Validation and test reports.
fn metrics_section(w: &mut String, manifest: &Manifest) {
    if let Some(m) = &manifest.metrics {
        let _ = writeln!(
            w,
            "## Metrics\n\nValidation split (used for model selection):\n\n```text\n{}```\n",
            m.validation.report()
        );
        let _ = writeln!(
            w,
            "Test split (held out, looked at once per configuration):\n\n```text\n{}```\n",
            m.test.report()
        );
    }
}

/// The check and tuning suites' results per capability.
fn behaviour_section(w: &mut String, manifest: &Manifest) {
    if manifest.check.is_some()
        || manifest
            .training
            .as_ref()
            .is_some_and(|t| t.tune_check.is_some())
    {
        let _ = writeln!(w, "## Behaviour\n");
        let _ = writeln!(
            w,
            "Behavioural suites (CheckList style: minimum functionality, invariance, directional cases; `textserve check`).\n"
        );
    }
    if let Some(c) = &manifest.check {
        let _ = writeln!(
            w,
            "Check suite `{}` (sha256 `{}`){}: {}/{} cases passed.\n\n{}",
            c.suite,
            c.suite_sha256,
            c.fail_under
                .map(|bar| format!(", every capability required to reach {:.0} %", 100.0 * bar))
                .unwrap_or_default(),
            c.passed,
            c.cases,
            crate::check::capability_table(&c.capabilities)
        );
    }
    if let Some(c) = manifest
        .training
        .as_ref()
        .and_then(|t| t.tune_check.as_ref())
    {
        let _ = writeln!(
            w,
            "Tuning suite `{}` (used with the validation split to choose the mixture weight, so not a held-out figure): {}/{} cases passed.\n\n{}",
            c.suite,
            c.passed,
            c.cases,
            crate::check::capability_table(&c.capabilities)
        );
    }
}

fn limits_section(w: &mut String, manifest: &Manifest) {
    let _ = writeln!(w, "## Limits\n");
    let _ = writeln!(
        w,
        "- Knows only its training vocabulary; unseen characters map to `<unk>`.\n\
         - Texts longer than {} tokens are truncated.\n\
         - Labels come from the data as given; noisy or domain-shifted input (other products, other languages) will score worse than the test figures above.\n\
         - A negated word the training data never showed negated carries little weight of its own; the behavioural figures above say how often that matters on the suite.\n",
        manifest.tokenizer.config.max_length
    );
}

/// The parts measured alone and mixed, on the splits and on every capability of the suites.
fn ablation_table(w: &mut String, t: &TrainingRecord) {
    if t.ablation.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "\nAblation: each part of the trained network alone and the kept mixture (suites: cases passed).\n"
    );
    let columns: Vec<String> = t
        .ablation
        .iter()
        .map(|r| format!("{} (wide weight {:.1})", r.part, r.wide_weight))
        .collect();
    let _ = writeln!(w, "| | {} |", columns.join(" | "));
    let _ = writeln!(w, "|---|{}", "---:|".repeat(columns.len()));
    let row = |w: &mut String, name: &str, cell: &dyn Fn(&AblationRow) -> Option<String>| {
        let cells: Option<Vec<String>> = t.ablation.iter().map(cell).collect();
        if let Some(cells) = cells {
            let _ = writeln!(w, "| {name} | {} |", cells.join(" | "));
        }
    };
    row(w, "validation accuracy", &|r| {
        Some(format!("{:.4}", r.validation_accuracy))
    });
    row(w, "test accuracy", &|r| {
        Some(format!("{:.4}", r.test_accuracy))
    });
    for (suite, of) in [
        (
            "tuning suite",
            (|r: &AblationRow| r.tune_check.as_ref()) as fn(&AblationRow) -> Option<&CheckSummary>,
        ),
        ("check suite", |r: &AblationRow| r.check.as_ref()),
    ] {
        let Some(first) = of(&t.ablation[0]) else {
            continue;
        };
        row(w, &format!("{suite}: all"), &|r| {
            of(r).map(|c| format!("{}/{}", c.passed, c.cases))
        });
        for (i, capability) in first.capabilities.iter().enumerate() {
            row(w, &format!("{suite}: {}", capability.capability), &|r| {
                of(r)
                    .and_then(|c| c.capabilities.get(i))
                    .map(|c| format!("{}/{}", c.passed, c.cases))
            });
        }
    }
}

fn reproduce_command(
    manifest: &Manifest,
    t: &TrainingRecord,
    config: &TrainConfig,
    out: &Path,
) -> String {
    // A quantized copy was trained as its float32 original, then copied (the last line).
    let out = out.display().to_string();
    let float32_out = format!("{out}-float32");
    let (trained_out, trained_version) = match &manifest.precision_check {
        Some(check) => (&float32_out, check.original_version.as_str()),
        None => (&out, manifest.version.as_str()),
    };
    let mut cmd = format!(
        "textserve train --data {} --out {} --name {} --model-version {}",
        t.data_path, trained_out, manifest.name, trained_version
    );
    if t.text_field != "text" || t.label_field != "label" {
        cmd += &format!(
            " --text-field {} --label-field {}",
            t.text_field, t.label_field
        );
    }
    for (i, extra) in t.extra_data_files().enumerate() {
        cmd += if i == 0 { " \\\n " } else { "" };
        cmd += &format!(" --extra-data {}", extra.path);
    }
    if let Some(tune) = &t.tune_check {
        cmd += &format!(" --tune-suite {}", tune.suite);
    }
    if let Some(check) = &manifest.check {
        cmd += &format!(" --check-suite {}", check.suite);
        if let Some(bar) = check.fail_under {
            cmd += &format!(" --check-fail-under {bar}");
        }
    }
    let flags = hyperparameter_flags(config);
    for line in flags.chunks(8) {
        cmd += " \\\n  ";
        cmd += &line.join(" ");
    }
    if let Some(check) = &manifest.precision_check {
        cmd += &format!(
            "\ntextserve quantize --model {float32_out} --out {out} --version {} --precision {}",
            manifest.version, check.precision
        );
        for part in &check.parts {
            if part.part != "validation" && part.part != "test" {
                cmd += &format!(" --suite {}", part.part);
            }
        }
    }
    cmd
}

/// `--flag value` for every hyperparameter, read off the clap definition and the recorded
/// values, so a new hyperparameter reaches the card without anyone listing it here.
fn hyperparameter_flags(config: &TrainConfig) -> Vec<String> {
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        config: TrainConfig,
    }
    let values = config.record();
    <Flags as clap::CommandFactory>::command()
        .get_arguments()
        .filter_map(|arg| {
            let long = arg.get_long()?;
            let value = values.get(arg.get_id().as_str())?;
            let value = match value {
                // An unset optional flag (--wide-weight) is left out.
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(format!("--{long} {value}"))
        })
        .collect()
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// What `textserve quantize` measured, for the card and the command's output.
pub fn precision_section(check: &PrecisionCheck) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Precision\n\nThe LSTM computes in {} (`textserve quantize`); the same texts through the float32 original:\n",
        check.precision
    );
    let _ = writeln!(
        out,
        "| part | texts | float32 | {} | labels changed | largest probability change |\n|---|---:|---:|---:|---:|---:|",
        check.precision
    );
    for part in &check.parts {
        let _ = writeln!(
            out,
            "| {} | {} | {:.4} | {:.4} | {} | {:.4} |",
            part.part,
            part.texts,
            part.float32,
            part.reduced,
            part.changed_predictions,
            part.max_probability_change
        );
    }
    let _ = writeln!(
        out,
        "\nSplits show accuracy, suites the share of cases passed."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NetworkSettings;
    use crate::text::TokenizerConfig;

    #[test]
    fn the_reproduce_flags_parse_back_into_the_same_configuration() {
        #[derive(clap::Parser)]
        struct Flags {
            #[command(flatten)]
            config: TrainConfig,
        }
        let config = TrainConfig {
            epochs: 3,
            members: 2,
            member_seed: Some(7),
            wide_weight: Some(0.8),
            compose: 100,
            tokenizer: TokenizerConfig {
                max_length: 64,
                double_negation_marks: true,
                ..TrainConfig::default().tokenizer
            },
            network: NetworkSettings {
                hidden_size: 32,
                wide_evidence: true,
                negation_transfer: 3,
                ..NetworkSettings::default()
            },
            ..TrainConfig::default()
        };
        let flags = hyperparameter_flags(&config);
        let args = std::iter::once("train".to_string()).chain(flags.iter().flat_map(|f| {
            let (flag, value) = f.split_once(' ').expect("--flag value");
            [flag.to_string(), value.to_string()]
        }));
        let parsed = <Flags as clap::Parser>::try_parse_from(args)
            .unwrap()
            .config;
        assert_eq!(parsed, config);
        // Every hyperparameter is on the command line, not only those that differ.
        assert_eq!(flags.len(), config.record().len());
    }
}
