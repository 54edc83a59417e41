//! `textserve import`: a TorchScript classifier trained elsewhere, with its Hugging Face
//! `tokenizer.json`, made into a model directory textserve serves — after checking that it
//! answers, and answers the same for a text alone as for that text padded inside a batch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use crate::data::sha256_file;
use crate::model::artifact::{CARD_FILE, FORMAT_VERSION, MANIFEST_FILE};
use crate::model::torchscript::{
    self, FORMAT, ImportRecord, MODULE_FILE, ScriptInput, ScriptManifest, ScriptOutput,
    TOKENIZER_FILE,
};
use crate::model::{Loaded, Model, ScriptModel};
use crate::text::ForeignTokenizer;

/// A text alone and the same text padded inside a batch may differ by this much at most.
pub const PADDING_TOLERANCE: f64 = 1e-4;

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The TorchScript module (`torch.jit.script` or `torch.jit.trace`, saved with `.save()`).
    #[arg(long)]
    pub torchscript: PathBuf,
    /// The Hugging Face `tokenizer.json` the module was trained with.
    #[arg(long)]
    pub tokenizer: PathBuf,
    /// The labels in the order of the module's outputs, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub labels: Vec<String>,
    /// The model directory to write (must not exist yet, or be empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Model name; the output directory's name by default.
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, default_value = "1.0.0")]
    pub version: String,
    /// Ids per text, special tokens included (at most the module's position embeddings).
    #[arg(long, default_value_t = 128)]
    pub max_length: usize,
    /// The module's arguments in order, comma-separated; by default the first of
    /// `input_ids,attention_mask,token_type_ids`, `input_ids,attention_mask` and `input_ids`
    /// the module accepts.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub inputs: Option<Vec<ScriptInput>>,
    /// What the module returns per text.
    #[arg(long, value_enum, default_value_t = ScriptOutput::Logits)]
    pub output: ScriptOutput,
}

/// Texts of every shape the probe runs: short and long, Chinese and Latin, symbols, empty, and
/// one past the maximum length (cut there).
const PROBE_TEXTS: [&str; 8] = [
    "质量很好，物流也快",
    "用了两天就坏了，太差",
    "外观检查未发现划痕，尺寸全部合格",
    "The bearing was replaced and the noise is gone.",
    "👍",
    "",
    "ＣＮＣ 0.01mm",
    "虽然包装有点破，但是产品本身没问题，客服回复也很及时。",
];

pub fn import(args: ImportArgs) -> anyhow::Result<()> {
    let (manifest, tokenizer) = check(&args)?;
    write(&args, manifest, &tokenizer)?;
    // What was written must load as any served model loads: checksums, tokenizer, one text.
    let model = Model::load(&args.out)
        .with_context(|| format!("{}: the written model does not load", args.out.display()))?;
    println!(
        "imported {} {} into {}: inputs ({}), output {}, {} labels",
        model.name(),
        model.version(),
        args.out.display(),
        match model.loaded() {
            Loaded::TorchScript(script) => names(&script.manifest.inputs),
            Loaded::Native(_) => String::new(),
        },
        args.output,
        model.labels().len()
    );
    Ok(())
}

/// Everything checked before anything is written.
fn check(args: &ImportArgs) -> anyhow::Result<(ScriptManifest, ForeignTokenizer)> {
    torchscript::check_labels(&args.labels).map_err(|e| anyhow::anyhow!("--labels: {e}"))?;
    if args.max_length < 2 {
        bail!("--max-length must be at least 2");
    }
    if let Some(inputs) = &args.inputs {
        torchscript::check_inputs(inputs).map_err(|e| anyhow::anyhow!("--inputs: {e}"))?;
    }
    refuse_existing(&args.out)?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => args
            .out
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
            .context("--name is needed: the output directory has no name")?,
    };
    let tokenizer = ForeignTokenizer::from_file(&args.tokenizer, args.max_length)?;
    let module = torchscript::load_module(&args.torchscript)?;
    let parameters = torchscript::parameter_count(&module);
    let candidates: Vec<Vec<ScriptInput>> = match &args.inputs {
        Some(inputs) => vec![inputs.clone()],
        None => vec![
            vec![
                ScriptInput::InputIds,
                ScriptInput::AttentionMask,
                ScriptInput::TokenTypeIds,
            ],
            vec![ScriptInput::InputIds, ScriptInput::AttentionMask],
            vec![ScriptInput::InputIds],
        ],
    };
    let mut manifest = ScriptManifest {
        format_version: FORMAT_VERSION,
        format: FORMAT.to_string(),
        name,
        version: args.version.clone(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        labels: args.labels.clone(),
        max_length: args.max_length,
        inputs: Vec::new(),
        output: args.output,
        files: BTreeMap::new(),
        parameters,
        import: ImportRecord {
            torchscript: file_name(&args.torchscript),
            tokenizer: file_name(&args.tokenizer),
            probe_texts: PROBE_TEXTS.len() + 1,
            max_padding_difference: 0.0,
        },
    };
    let (mut model, mut failures) = (None, Vec::new());
    let mut module = Some(module);
    for inputs in candidates {
        manifest.inputs = inputs;
        let candidate = ScriptModel::from_parts(
            manifest.clone(),
            tokenizer.clone(),
            module.take().expect("kept between tries"),
        );
        match probe(&candidate) {
            Ok(difference) => {
                manifest.import.max_padding_difference = difference;
                model = Some(candidate);
                break;
            }
            Err(e) => {
                failures.push(format!("({}): {e}", names(&manifest.inputs)));
                module = Some(candidate.into_module());
            }
        }
    }
    let Some(model) = model else {
        bail!(
            "{}: the module does not classify the probe texts:\n  {}",
            args.torchscript.display(),
            failures.join("\n  ")
        );
    };
    Ok((manifest, model.tokenizer))
}

/// Runs the probe texts alone and in one padded batch: shapes, finite probabilities that
/// sum to one, and the same answer either way (a module that reads padding is refused).
/// The largest difference seen.
fn probe(model: &ScriptModel) -> anyhow::Result<f64> {
    let tokenizer = &model.tokenizer;
    let longest = "质量".repeat(model.manifest.max_length);
    let rows: Vec<Vec<i64>> = PROBE_TEXTS
        .iter()
        .copied()
        .chain([longest.as_str()])
        .map(|text| tokenizer.encode(text).ids)
        .collect();
    let sequences: Vec<&[i64]> = rows.iter().map(Vec::as_slice).collect();
    let together = model.probabilities(&sequences)?;
    let mut largest: f64 = 0.0;
    for (text, (sequence, batched)) in PROBE_TEXTS
        .iter()
        .chain([&"(a text cut at --max-length)"])
        .zip(sequences.iter().zip(&together))
    {
        let sum: f32 = batched.iter().sum();
        if (sum - 1.0).abs() > 1e-3 || batched.iter().any(|p| !(0.0..=1.0).contains(p)) {
            bail!(
                "its output for {text:?} is not a probability distribution after {} (sum {sum}); \
                 is --output right?",
                if model.manifest.output == ScriptOutput::Logits {
                    "softmax"
                } else {
                    "nothing"
                }
            );
        }
        let alone = model.probabilities(&[sequence])?.remove(0);
        let difference = alone
            .iter()
            .zip(batched)
            .map(|(a, b)| f64::from((a - b).abs()))
            .fold(0.0, f64::max);
        if difference > PADDING_TOLERANCE {
            bail!(
                "{text:?} gets probabilities {alone:?} alone and {batched:?} padded inside a \
                 batch (difference {difference:.2e} > {PADDING_TOLERANCE:e}): the module reads \
                 its padding; give it the attention mask (--inputs input_ids,attention_mask) or \
                 make it ignore positions past each text's length"
            );
        }
        largest = largest.max(difference);
    }
    Ok(largest)
}

fn refuse_existing(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let empty = out.is_dir() && std::fs::read_dir(out)?.next().is_none();
        if !empty {
            bail!(
                "{}: already exists; import writes a new model directory",
                out.display()
            );
        }
    }
    Ok(())
}

fn write(
    args: &ImportArgs,
    mut manifest: ScriptManifest,
    tokenizer: &ForeignTokenizer,
) -> anyhow::Result<()> {
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| out.display().to_string())?;
    for (source, file) in [
        (&args.torchscript, MODULE_FILE),
        (&args.tokenizer, TOKENIZER_FILE),
    ] {
        let target = out.join(file);
        std::fs::copy(source, &target)
            .with_context(|| format!("copying {} to {}", source.display(), target.display()))?;
        manifest
            .files
            .insert(file.to_string(), sha256_file(&target)?);
    }
    let card = card(&manifest, tokenizer);
    std::fs::write(out.join(CARD_FILE), card)?;
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    std::fs::write(out.join(MANIFEST_FILE), json)?;
    Ok(())
}

fn card(m: &ScriptManifest, tokenizer: &ForeignTokenizer) -> String {
    format!(
        "# {name} {version}\n\n\
         A TorchScript classifier trained elsewhere, brought in with `textserve import` on \
         {created}. textserve knows nothing of its training data or its quality: measure it \
         with `textserve eval --model DIR --data FILE` and `textserve check`, and write what \
         you find here.\n\n\
         | | |\n|---|---|\n\
         | labels | {labels} |\n\
         | module | `{module}` ({parameters} parameters), sha256 `{module_sha}` |\n\
         | tokenizer | `{tokenizer}` ({vocabulary} tokens), sha256 `{tokenizer_sha}` |\n\
         | arguments | {inputs}, int64 `[batch, seq]` |\n\
         | output | {output} `[batch, labels]` |\n\
         | max length | {max_length} ids per text, special tokens included |\n\n\
         ## Import check\n\n\
         {probes} probe texts (one cut at the maximum length) ran alone and together in one \
         padded batch. Largest difference of a probability between the two: {difference:.1e} \
         (import refuses above {tolerance:e}).\n\n\
         ## Trust\n\n\
         TorchScript runs the module's own graph: serve it only from a directory you control \
         (the command line, or a model repository managed with an admin key). Every file's \
         sha256 above is checked at each load and reload.\n",
        name = m.name,
        version = m.version,
        created = m.created_at,
        labels = m.labels.join(", "),
        module = m.import.torchscript,
        parameters = m.parameters,
        module_sha = m.files[MODULE_FILE],
        tokenizer = m.import.tokenizer,
        vocabulary = tokenizer.vocabulary_size(),
        tokenizer_sha = m.files[TOKENIZER_FILE],
        inputs = names(&m.inputs),
        output = m.output,
        max_length = m.max_length,
        probes = m.import.probe_texts,
        difference = m.import.max_padding_difference,
        tolerance = PADDING_TOLERANCE,
    )
}

fn names(inputs: &[ScriptInput]) -> String {
    inputs
        .iter()
        .map(|i| i.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The file's name without its directories (a card never records where a file lay).
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
