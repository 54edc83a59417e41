//! `textserve card`: a model's MODEL_CARD.md rewritten from its model.json.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::DEFAULT_MODEL_DIR;

#[derive(Debug, Clone, Args)]
pub struct CardArgs {
    /// Model directory.
    #[arg(long, env = "TEXTSERVE_MODEL", default_value = DEFAULT_MODEL_DIR)]
    pub model: PathBuf,
    /// Markdown file appended to the card.
    #[arg(long)]
    pub notes: Option<PathBuf>,
}

pub fn card(args: CardArgs) -> anyhow::Result<()> {
    let manifest_path = args.model.join(crate::model::artifact::MANIFEST_FILE);
    if crate::model::torchscript::is_torchscript(&args.model) {
        anyhow::bail!(
            "{}: a TorchScript model trained elsewhere; `textserve import` wrote its card, and \
             textserve has no training record to render another",
            args.model.display()
        );
    }
    let manifest: crate::model::Manifest = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| manifest_path.display().to_string())?,
    )
    .with_context(|| manifest_path.display().to_string())?;
    let notes = args
        .notes
        .map(|path| std::fs::read_to_string(&path).with_context(|| path.display().to_string()))
        .transpose()?;
    let card = crate::train::card::render(&manifest, &args.model, notes.as_deref());
    let card_path = args.model.join(crate::model::artifact::CARD_FILE);
    std::fs::write(&card_path, card).with_context(|| card_path.display().to_string())?;
    println!("wrote {}", card_path.display());
    Ok(())
}
