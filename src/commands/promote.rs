//! `textserve promote`: the last step of a rollout. A candidate served under its own name
//! (shadowed, then a canary) becomes the served model's next version: its files are written
//! into the served model's directory under the served model's name, ready for a reload.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::model::artifact::{CARD_FILE, MANIFEST_FILE, read_name};
use crate::model::signature::SIGNATURE_FILE;

#[derive(Debug, Clone, Args)]
pub struct PromoteArgs {
    /// The candidate's model directory (as trained, under its own name).
    #[arg(long)]
    pub candidate: PathBuf,
    /// The served model's directory: its files are replaced by the candidate's, under the
    /// name its model.json gives now.
    #[arg(long)]
    pub model: PathBuf,
}

pub fn promote(args: PromoteArgs) -> anyhow::Result<()> {
    let promoted = promote_into(&args.candidate, &args.model)?;
    println!(
        "{} now holds {} {}; serve it with POST /v1/models/{}/reload (or SIGHUP)",
        args.model.display(),
        promoted.name,
        promoted.version,
        promoted.name
    );
    if promoted.signature_removed {
        println!(
            "its old {SIGNATURE_FILE} covered the old files and was removed: sign it again \
             (textserve sign) before a server with --trusted-model-keys reloads it"
        );
    }
    Ok(())
}

/// What `promote_into` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promoted {
    pub name: String,
    pub version: String,
    pub signature_removed: bool,
}

/// Writes the candidate into `model_dir` under the name `model_dir` serves. Only a candidate
/// that loads, with the served model's labels, is promoted. The weights go to a new file named
/// by their checksum, then the card, then the manifest that names them (by rename), and only
/// then is the old weights file removed: a reload reads the old manifest and the old weights,
/// or the new and the new, and one caught between finds its weights gone and fails, leaving
/// the served version in place. Weights are never replaced under a manifest that still
/// names them.
pub fn promote_into(candidate: &Path, model_dir: &Path) -> anyhow::Result<Promoted> {
    let served = crate::model::Model::load(model_dir)
        .map_err(|e| anyhow::anyhow!("the served model does not load: {e}"))?;
    let loaded = crate::model::Model::load(candidate)
        .map_err(|e| anyhow::anyhow!("the candidate does not load: {e}"))?;
    let name = read_name(model_dir)?;
    let (served, loaded) = (
        &served.native("promote")?.manifest,
        &loaded.native("promote")?.manifest,
    );
    let (old, new) = (&served.labels, &loaded.labels);
    anyhow::ensure!(
        old.len() == new.len() && old.iter().all(|label| new.contains(label)),
        "the candidate's labels {new:?} are not the served model's {old:?}: clients would get \
         labels they do not know; serve it under its own name instead"
    );
    let version = loaded.version.clone();
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(candidate.join(MANIFEST_FILE))?)?;
    manifest["name"] = serde_json::Value::String(name.clone());
    let digest = &loaded.weights.sha256;
    let weights = format!("model-{}.safetensors", &digest[..digest.len().min(16)]);
    let bytes = std::fs::read(candidate.join(&loaded.weights.file))?;
    replace(model_dir, &weights, &bytes)?;
    manifest["weights"]["file"] = serde_json::Value::String(weights.clone());
    if let Ok(card) = std::fs::read(candidate.join(CARD_FILE)) {
        replace(model_dir, CARD_FILE, &card)?;
    }
    // The old signature covers the old files: the promoted model must be signed again.
    let signature_removed = match std::fs::remove_file(model_dir.join(SIGNATURE_FILE)) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e.into()),
    };
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    replace(model_dir, MANIFEST_FILE, json.as_bytes())?;
    let old_weights = &served.weights.file;
    if *old_weights != weights {
        std::fs::remove_file(model_dir.join(old_weights))?;
    }
    Ok(Promoted {
        name,
        version,
        signature_removed,
    })
}

/// Replaces `dir/file` with `bytes` by writing a temporary file beside it and renaming it over.
fn replace(dir: &Path, file: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let temporary = dir.join(format!(".{file}.promoting"));
    std::fs::write(&temporary, bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", temporary.display()))?;
    std::fs::File::open(&temporary)?.sync_all()?;
    std::fs::rename(&temporary, dir.join(file))
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.join(file).display()))?;
    Ok(())
}
