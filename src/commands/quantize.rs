//! `textserve quantize`: a copy of a model whose LSTM computes at a lower precision, written only
//! when it answers as the original does, with what changed recorded in the copy.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use crate::check::{self, Suite};
use crate::config::{DEFAULT_MODEL_DIR, available_cores, parse_fraction};
use crate::data::ReadOptions;
use crate::model::artifact::{CARD_FILE, MANIFEST_FILE, Metrics, PrecisionCheck, PrecisionPart};
use crate::model::{Evaluation, LstmPrecision, Model, argmax, set_torch_threads};
use crate::train::{self, RecordedSplit};

/// Texts per forward pass while measuring.
const BATCH_SIZE: usize = 64;

#[derive(Debug, Clone, Args)]
pub struct QuantizeArgs {
    /// The float32 model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Directory the copy is written to; it must not exist yet.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = LstmPrecision::Bfloat16)]
    pub precision: LstmPrecision,
    /// Behavioural suites run through both models; a capability that passes fewer cases in
    /// the copy stops it from being written.
    #[arg(long)]
    pub suite: Vec<PathBuf>,
    /// The copy's version: its answers differ from the original's, so it is a version of its
    /// own.
    #[arg(long)]
    pub version: String,
    /// Markdown file appended to the copy's card (as `textserve card --notes`); the card is
    /// rendered anew, so the original's notes are kept only when given here.
    #[arg(long)]
    pub notes: Option<PathBuf>,
    /// Largest drop in validation accuracy the copy may show (0–1).
    #[arg(long, default_value_t = 0.002, value_parser = parse_fraction)]
    pub max_accuracy_drop: f64,
    /// libtorch threads.
    #[arg(long, env = "TEXTSERVE_THREADS", default_value_t = available_cores())]
    pub threads: NonZeroUsize,
}

pub fn quantize(args: QuantizeArgs) -> anyhow::Result<()> {
    set_torch_threads(args.threads);
    let reference = Model::load(&args.model)?;
    reference.native("quantize")?;
    refuse_what_cannot_be_measured(&args, &reference)?;
    write_copy(&args, &reference)?;
    let outcome = measure_and_record(&args, &reference);
    if outcome.is_err() {
        // A copy that failed its measurement must not be found and served.
        let _ = std::fs::remove_dir_all(&args.out);
    }
    outcome
}

fn refuse_what_cannot_be_measured(args: &QuantizeArgs, reference: &Model) -> anyhow::Result<()> {
    let architecture = &native(reference).architecture;
    if architecture.lstm_precision != LstmPrecision::Float32 {
        bail!(
            "{} already computes in {}; quantize its float32 original",
            args.model.display(),
            architecture.lstm_precision
        );
    }
    if !architecture.computes_lstm() {
        bail!(
            "{} does not compute an LSTM ({}): there is nothing to quantize",
            args.model.display(),
            architecture.computes()
        );
    }
    if args.precision == LstmPrecision::Float32 {
        bail!("--precision float32 is what the model computes already");
    }
    if !args.precision.is_native() {
        bail!(
            "this CPU has no native {} kernels (AVX-512 BF16), so a server here would compute the copy in float32: quantize on a machine like the one that serves",
            args.precision
        );
    }
    if args.version == native(reference).version {
        bail!(
            "--version {} is the original's: a copy that answers differently needs its own",
            args.version
        );
    }
    // A directory of its own, so a copy that fails its measurement can be removed whole.
    if args.out.exists() {
        bail!(
            "{} exists; quantize writes a new directory",
            args.out.display()
        );
    }
    Ok(())
}

/// The weights file as it is (the conversion happens at load) and the manifest with the new
/// precision and version. No signature: the copy's manifest differs, so it needs its own.
fn write_copy(args: &QuantizeArgs, reference: &Model) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    let weights = &native(reference).weights.file;
    let from = args.model.join(weights);
    std::fs::copy(&from, args.out.join(weights))
        .with_context(|| format!("copying {}", from.display()))?;
    let mut manifest = native(reference).clone();
    manifest.architecture.lstm_precision = args.precision;
    manifest.version = args.version.clone();
    write_manifest(&args.out, &manifest)
}

fn write_manifest(dir: &Path, manifest: &crate::model::Manifest) -> anyhow::Result<()> {
    let path = dir.join(MANIFEST_FILE);
    let json = serde_json::to_string_pretty(manifest).expect("manifest serializes");
    std::fs::write(&path, json + "\n").with_context(|| path.display().to_string())
}

fn measure_and_record(args: &QuantizeArgs, reference: &Model) -> anyhow::Result<()> {
    let copy = Model::load(&args.out)?;
    if native(&copy).architecture.lstm_precision != args.precision {
        bail!("the copy loaded in float32; its precision is not computed here");
    }
    let mut parts = Vec::new();
    let mut evaluations = Vec::new();
    for split in [RecordedSplit::Validation, RecordedSplit::Test] {
        let examples = train::evaluation_examples(reference, None, &ReadOptions::default(), split)?;
        let (part, evaluation) = compare_on_split(reference, &copy, split, &examples)?;
        parts.push(part);
        evaluations.push(evaluation);
    }
    for path in &args.suite {
        let suite = Suite::read(path)?;
        parts.push(compare_on_suite(reference, &copy, path, &suite)?);
    }
    let check = PrecisionCheck {
        precision: args.precision,
        original_version: native(reference).version.clone(),
        parts,
    };
    print!("{}", crate::train::card::precision_section(&check));
    gate(&check, args.max_accuracy_drop)?;

    let mut manifest = native(&copy).clone();
    manifest.precision_check = Some(check);
    // The copy's own figures: what it serves is what its metrics describe. The training
    // record (ablation, history) stays the float32 run's, as it happened.
    let [validation, test] = <[_; 2]>::try_from(evaluations).expect("two splits");
    manifest.metrics = Some(Metrics { validation, test });
    write_manifest(&args.out, &manifest)?;
    let notes = args
        .notes
        .as_ref()
        .map(|path| std::fs::read_to_string(path).with_context(|| path.display().to_string()))
        .transpose()?;
    let card = crate::train::card::render(&manifest, &args.out, notes.as_deref());
    let card_path = args.out.join(CARD_FILE);
    std::fs::write(&card_path, card).with_context(|| card_path.display().to_string())?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// The comparison on one split, and the copy's own figures there.
fn compare_on_split(
    reference: &Model,
    copy: &Model,
    split: RecordedSplit,
    examples: &[crate::data::Example],
) -> anyhow::Result<(PrecisionPart, Evaluation)> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let before = reference.predict_texts(&texts, BATCH_SIZE);
    let after = copy.predict_texts(&texts, BATCH_SIZE);
    let labels = reference.labels();
    let truths = examples
        .iter()
        .map(|e| {
            labels
                .iter()
                .position(|l| *l == e.label)
                .with_context(|| format!("label {:?} is not one of the model's", e.label))
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let evaluation = |probabilities: &[Vec<f32>]| {
        Evaluation::from_predictions(
            labels,
            truths
                .iter()
                .zip(probabilities)
                .map(|(&t, p)| (t, argmax(p).0)),
        )
    };
    let (float32, reduced) = (evaluation(&before), evaluation(&after));
    let (changed_predictions, max_probability_change) = differences(&before, &after);
    let part = PrecisionPart {
        part: format!("{split:?}").to_lowercase(),
        texts: texts.len(),
        float32: float32.accuracy,
        reduced: reduced.accuracy,
        changed_predictions,
        max_probability_change,
        capabilities_losing_cases: Vec::new(),
    };
    Ok((part, reduced))
}

fn compare_on_suite(
    reference: &Model,
    copy: &Model,
    path: &Path,
    suite: &Suite,
) -> anyhow::Result<PrecisionPart> {
    let before = check::run_on_model(suite, reference)?;
    let after = check::run_on_model(suite, copy)?;
    let texts: Vec<&str> = suite.cases.iter().map(|c| c.text.as_str()).collect();
    let (changed_predictions, max_probability_change) = differences(
        &reference.predict_texts(&texts, BATCH_SIZE),
        &copy.predict_texts(&texts, BATCH_SIZE),
    );
    let capabilities_losing_cases = before
        .capabilities
        .iter()
        .filter(|b| {
            after
                .capabilities
                .iter()
                .any(|a| a.capability == b.capability && a.passed < b.passed)
        })
        .map(|b| b.capability.clone())
        .collect();
    let share = |passed: usize| passed as f64 / before.cases.max(1) as f64;
    Ok(PrecisionPart {
        part: path.display().to_string(),
        texts: before.cases,
        float32: share(before.passed),
        reduced: share(after.passed),
        changed_predictions,
        max_probability_change,
        capabilities_losing_cases,
    })
}

/// Labels that differ, and the largest change of any probability.
fn differences(before: &[Vec<f32>], after: &[Vec<f32>]) -> (usize, f64) {
    let changed = before
        .iter()
        .zip(after)
        .filter(|(b, a)| argmax(b).0 != argmax(a).0)
        .count();
    let largest = before
        .iter()
        .zip(after)
        .flat_map(|(b, a)| b.iter().zip(a).map(|(x, y)| f64::from((x - y).abs())))
        .fold(0.0, f64::max);
    (changed, largest)
}

/// Validation may lose at most `max_accuracy_drop`; no suite capability may lose a case. The
/// test split is reported, never a gate: it stays out of every choice.
fn gate(check: &PrecisionCheck, max_accuracy_drop: f64) -> anyhow::Result<()> {
    for part in &check.parts {
        if part.part == "validation" && part.float32 - part.reduced > max_accuracy_drop {
            bail!(
                "validation accuracy drops from {:.4} to {:.4} in {}, more than --max-accuracy-drop {max_accuracy_drop}; nothing written",
                part.float32,
                part.reduced,
                check.precision
            );
        }
        if !part.capabilities_losing_cases.is_empty() {
            bail!(
                "{}: {} pass fewer cases in {}; nothing written",
                part.part,
                part.capabilities_losing_cases.join(", "),
                check.precision
            );
        }
    }
    Ok(())
}

/// `model.json` of a model `quantize` has checked is one of textserve's own.
fn native(model: &Model) -> &crate::model::Manifest {
    model
        .manifest()
        .expect("quantize refuses TorchScript models first")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(name: &str, float32: f64, reduced: f64, losing: &[&str]) -> PrecisionPart {
        PrecisionPart {
            part: name.into(),
            texts: 100,
            float32,
            reduced,
            changed_predictions: 0,
            max_probability_change: 0.0,
            capabilities_losing_cases: losing.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn check(parts: Vec<PrecisionPart>) -> PrecisionCheck {
        PrecisionCheck {
            precision: LstmPrecision::Bfloat16,
            original_version: "1.0.0".into(),
            parts,
        }
    }

    #[test]
    fn the_gate_reads_validation_and_suites_and_never_the_test_split() {
        let fine = check(vec![
            part("validation", 0.86, 0.859, &[]),
            part("test", 0.85, 0.80, &[]),
        ]);
        assert!(gate(&fine, 0.002).is_ok());
        let worse = check(vec![part("validation", 0.86, 0.855, &[])]);
        assert!(gate(&worse, 0.002).is_err());
        assert!(gate(&worse, 0.01).is_ok());
        let losing = check(vec![part("suite.jsonl", 0.9, 0.95, &["negation"])]);
        let error = gate(&losing, 0.002).unwrap_err().to_string();
        assert!(error.contains("negation"), "{error}");
    }

    #[test]
    fn differences_count_changed_labels_and_the_largest_change() {
        let before = vec![vec![0.9, 0.1], vec![0.4, 0.6]];
        let after = vec![vec![0.85, 0.15], vec![0.55, 0.45]];
        let (changed, largest) = differences(&before, &after);
        assert_eq!(changed, 1);
        assert!((largest - 0.15).abs() < 1e-6, "{largest}");
    }
}
