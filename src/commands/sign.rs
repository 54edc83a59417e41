//! `textserve sign` and `textserve verify`: release a model with a detached ed25519 signature,
//! and check one the way `serve --trusted-model-keys` will.

use std::path::PathBuf;

use clap::Args;

use crate::model::signature::{self, TrustedKeys};

#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// PEM ed25519 private key (`openssl genpkey -algorithm ed25519 -out signing.pem`).
    #[arg(long)]
    pub key: PathBuf,
    /// Model directory to sign; `model.sig` is written into it.
    pub model_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Directory of trusted PEM public keys (`openssl pkey -in signing.pem -pubout`).
    #[arg(long, env = "TEXTSERVE_TRUSTED_MODEL_KEYS")]
    pub trusted_model_keys: PathBuf,
    /// Model directory to check.
    pub model_dir: PathBuf,
}

/// Signs only a model that loads: a signature vouches for what a server would serve.
pub fn sign(args: SignArgs) -> anyhow::Result<()> {
    let key = signature::read_signing_key(&args.key)?;
    let model = crate::model::Model::load(&args.model_dir)?;
    let path = signature::sign(&args.model_dir, &key)?;
    println!(
        "signed {} {} with public key {}: wrote {}",
        model.name(),
        model.version(),
        hex::encode(key.verifying_key().as_bytes()),
        path.display()
    );
    Ok(())
}

pub fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let trusted = TrustedKeys::open(&args.trusted_model_keys)?;
    let key = trusted.verify(&args.model_dir)?;
    println!(
        "{}: signature valid, signed by trusted key {key}",
        args.model_dir.display()
    );
    Ok(())
}
