//! Signed models: a detached ed25519 signature (`model.sig`) over the digests of `model.json`
//! and the weights, so a server started with trusted keys loads only models someone holding a
//! signing key released. A well-formed model swapped in on a shared volume is refused.
//!
//! Keys are the PEM files OpenSSL writes (`openssl genpkey -algorithm ed25519`, and
//! `openssl pkey -pubout` for the public half), so no textserve tool is needed to make them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::artifact::{MANIFEST_FILE, WEIGHTS_FILE};
use super::torchscript;

pub const SIGNATURE_FILE: &str = "model.sig";

const FORMAT: &str = "textserve-model-signature/1";

/// The files a signature covers, what `Model::load` reads to answer requests: `model.json` and
/// the weights file it names (`model.safetensors` unless it says otherwise), or for a
/// TorchScript model the module and its tokenizer.
fn signed_files(manifest: &[u8]) -> Vec<String> {
    let manifest = serde_json::from_slice::<serde_json::Value>(manifest).ok();
    if manifest.as_ref().and_then(|m| m["format"].as_str()) == Some(torchscript::FORMAT) {
        return vec![
            MANIFEST_FILE.to_string(),
            torchscript::MODULE_FILE.to_string(),
            torchscript::TOKENIZER_FILE.to_string(),
        ];
    }
    let weights = manifest
        .and_then(|m| m["weights"]["file"].as_str().map(str::to_string))
        .filter(|file| !file.is_empty() && !file.contains(['/', '\\']) && file != "..")
        .unwrap_or_else(|| WEIGHTS_FILE.to_string());
    vec![MANIFEST_FILE.to_string(), weights]
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureFile {
    format: String,
    algorithm: String,
    /// The signer's public key (hex), to pick the trusted key that must verify it.
    public_key: String,
    /// File name → SHA-256 (hex) of its bytes when signed.
    files: BTreeMap<String, String>,
    /// ed25519 over `message(files)`, hex.
    signature: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("{}: the model is not signed (no {SIGNATURE_FILE}); sign it with `textserve sign --key KEY {}`", .0.display(), .0.display())]
    Unsigned(PathBuf),
    #[error("{}: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    #[error("{}: {file} changed after signing: signed sha256 {signed}, file has {actual}", dir.display())]
    FileChanged {
        dir: PathBuf,
        file: String,
        signed: String,
        actual: String,
    },
    #[error("{}: signed by a key that is not among the trusted keys (public key {public_key})", path.display())]
    UntrustedKey { path: PathBuf, public_key: String },
    #[error("{}: the signature does not verify with the trusted key {key}", path.display())]
    BadSignature { path: PathBuf, key: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {reason}", path.display())]
    Key { path: PathBuf, reason: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SignatureError + '_ {
    move |source| SignatureError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What is signed: a format line, then one `name sha256` line per file in name order. The
/// format line keeps a signature from being valid for anything but a textserve model.
fn message(files: &BTreeMap<String, String>) -> Vec<u8> {
    let mut message = format!("{FORMAT}\n");
    for (name, digest) in files {
        message.push_str(&format!("{name} {digest}\n"));
    }
    message.into_bytes()
}

/// The signed files' bytes, read once: what is verified is what gets loaded.
fn read_signed(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, SignatureError> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest = std::fs::read(&manifest_path).map_err(io(&manifest_path))?;
    let mut files = BTreeMap::new();
    for name in signed_files(&manifest) {
        if name == MANIFEST_FILE {
            continue;
        }
        let path = dir.join(&name);
        files.insert(name, std::fs::read(&path).map_err(io(&path))?);
    }
    files.insert(MANIFEST_FILE.to_string(), manifest);
    Ok(files)
}

fn digests(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(name, bytes)| (name.clone(), crate::data::sha256_bytes(bytes)))
        .collect()
}

/// Reads a PKCS#8 PEM ed25519 private key (`openssl genpkey -algorithm ed25519`).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, SignatureError> {
    let pem = std::fs::read_to_string(path).map_err(io(path))?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| SignatureError::Key {
        path: path.to_path_buf(),
        reason: format!("not a PEM ed25519 private key ({e})"),
    })
}

/// Writes `model.sig` beside the model's files and returns its path.
pub fn sign(dir: &Path, key: &SigningKey) -> Result<PathBuf, SignatureError> {
    let files = digests(&read_signed(dir)?);
    let signature = key.sign(&message(&files));
    let file = SignatureFile {
        format: FORMAT.into(),
        algorithm: "ed25519".into(),
        public_key: hex::encode(key.verifying_key().as_bytes()),
        files,
        signature: hex::encode(signature.to_bytes()),
    };
    let path = dir.join(SIGNATURE_FILE);
    let text = serde_json::to_string_pretty(&file).expect("a signature serializes") + "\n";
    std::fs::write(&path, text).map_err(io(&path))?;
    Ok(path)
}

/// The public keys a model's signature must come from: every `*.pem` and `*.pub` file of a
/// directory (`openssl pkey -pubout`). Read again for every load, so a key added to or removed
/// from the directory counts from the next load or reload on.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    dir: PathBuf,
}

impl TrustedKeys {
    /// Checks the directory holds at least one key and that every key file reads.
    pub fn open(dir: &Path) -> Result<Self, SignatureError> {
        let trusted = Self {
            dir: dir.to_path_buf(),
        };
        if trusted.keys()?.is_empty() {
            return Err(SignatureError::Key {
                path: dir.to_path_buf(),
                reason: "no *.pem or *.pub public key in it".into(),
            });
        }
        Ok(trusted)
    }

    fn keys(&self) -> Result<Vec<(String, VerifyingKey)>, SignatureError> {
        let mut keys = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io(&self.dir))? {
            let path = entry.map_err(io(&self.dir))?.path();
            if !matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("pem" | "pub")
            ) {
                continue;
            }
            let pem = std::fs::read_to_string(&path).map_err(io(&path))?;
            let key = VerifyingKey::from_public_key_pem(&pem).map_err(|e| SignatureError::Key {
                path: path.clone(),
                reason: format!("not a PEM ed25519 public key ({e})"),
            })?;
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            keys.push((name, key));
        }
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(keys)
    }

    /// Checks `dir`'s signature: present, from a trusted key, valid, and over the files as they
    /// are now. Returns the name of the key file that verified it.
    pub fn verify(&self, dir: &Path) -> Result<String, SignatureError> {
        self.verify_files(dir, &read_signed(dir)?)
    }

    /// Verifies `dir` and writes the very bytes it verified into `snapshot` (a directory the
    /// caller created and only it can write), so a file swapped in `dir` after the check cannot
    /// be what gets loaded. Returns the name of the key that verified them.
    pub fn verify_into(&self, dir: &Path, snapshot: &Path) -> Result<String, SignatureError> {
        let files = read_signed(dir)?;
        let key = self.verify_files(dir, &files)?;
        for (name, bytes) in &files {
            let path = snapshot.join(name);
            std::fs::write(&path, bytes).map_err(io(&path))?;
        }
        Ok(key)
    }

    fn verify_files(
        &self,
        dir: &Path,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<String, SignatureError> {
        let path = dir.join(SIGNATURE_FILE);
        if !path.is_file() {
            return Err(SignatureError::Unsigned(dir.to_path_buf()));
        }
        let malformed = |reason: String| SignatureError::Malformed {
            path: path.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let file: SignatureFile = serde_json::from_str(&text)
            .map_err(|e| malformed(format!("not a textserve signature ({e})")))?;
        if file.format != FORMAT || file.algorithm != "ed25519" {
            return Err(malformed(format!(
                "format {:?} with {:?}: only {FORMAT} with ed25519 is known",
                file.format, file.algorithm
            )));
        }
        let expected: Vec<&str> = files.keys().map(String::as_str).collect();
        let covered: Vec<&str> = file.files.keys().map(String::as_str).collect();
        if covered != expected {
            return Err(malformed(format!(
                "it covers {covered:?}; a model signature covers {expected:?}"
            )));
        }
        let signature = hex::decode(&file.signature)
            .ok()
            .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
            .map(|bytes| Signature::from_bytes(&bytes))
            .ok_or_else(|| malformed("signature must be 128 hex digits".into()))?;
        let (key_name, key) = self
            .keys()?
            .into_iter()
            .find(|(_, key)| hex::encode(key.as_bytes()) == file.public_key)
            .ok_or_else(|| SignatureError::UntrustedKey {
                path: path.clone(),
                public_key: file.public_key.clone(),
            })?;
        key.verify(&message(&file.files), &signature).map_err(|_| {
            SignatureError::BadSignature {
                path: path.clone(),
                key: key_name.clone(),
            }
        })?;
        for (name, actual) in digests(files) {
            let signed = &file.files[&name];
            if *signed != actual {
                return Err(SignatureError::FileChanged {
                    dir: dir.to_path_buf(),
                    file: name,
                    signed: signed.clone(),
                    actual,
                });
            }
        }
        Ok(key_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};

    fn model_dir(root: &Path) -> PathBuf {
        let dir = root.join("model");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(MANIFEST_FILE),
            r#"{"name": "m", "version": "1.0.0"}"#,
        )
        .unwrap();
        std::fs::write(dir.join(WEIGHTS_FILE), [1u8, 2, 3, 4]).unwrap();
        dir
    }

    fn trust(root: &Path, keys: &[&SigningKey]) -> TrustedKeys {
        let dir = root.join("trusted");
        std::fs::create_dir_all(&dir).unwrap();
        for (i, key) in keys.iter().enumerate() {
            let pem = key
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap();
            std::fs::write(dir.join(format!("key{i}.pub")), pem).unwrap();
        }
        TrustedKeys::open(&dir).unwrap()
    }

    #[test]
    fn a_torchscript_models_signature_covers_its_module_and_tokenizer() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("model");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(MANIFEST_FILE),
            r#"{"format": "torchscript", "name": "m", "version": "1.0.0"}"#,
        )
        .unwrap();
        std::fs::write(dir.join(torchscript::MODULE_FILE), [1u8, 2]).unwrap();
        std::fs::write(dir.join(torchscript::TOKENIZER_FILE), b"{}").unwrap();
        let release = SigningKey::from_bytes(&[7; 32]);
        let trusted = trust(root.path(), &[&release]);
        sign(&dir, &release).unwrap();
        let snapshot = root.path().join("snapshot");
        std::fs::create_dir(&snapshot).unwrap();
        trusted.verify_into(&dir, &snapshot).unwrap();
        for file in [torchscript::MODULE_FILE, torchscript::TOKENIZER_FILE] {
            assert_eq!(
                std::fs::read(snapshot.join(file)).unwrap(),
                std::fs::read(dir.join(file)).unwrap()
            );
        }
        std::fs::write(dir.join(torchscript::TOKENIZER_FILE), b"{ }").unwrap();
        let error = trusted.verify(&dir).unwrap_err();
        assert!(
            matches!(&error, SignatureError::FileChanged { file, .. } if file == torchscript::TOKENIZER_FILE),
            "{error}"
        );
    }

    #[test]
    fn a_signed_model_verifies_and_any_change_or_other_key_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = model_dir(root.path());
        let release = SigningKey::from_bytes(&[7; 32]);
        let stranger = SigningKey::from_bytes(&[8; 32]);
        let trusted = trust(root.path(), &[&release]);

        assert!(matches!(
            trusted.verify(&dir),
            Err(SignatureError::Unsigned(_))
        ));
        sign(&dir, &release).unwrap();
        assert_eq!(trusted.verify(&dir).unwrap(), "key0.pub");
        let snapshot = root.path().join("snapshot");
        std::fs::create_dir(&snapshot).unwrap();
        trusted.verify_into(&dir, &snapshot).unwrap();
        assert_eq!(
            std::fs::read(snapshot.join(WEIGHTS_FILE)).unwrap(),
            std::fs::read(dir.join(WEIGHTS_FILE)).unwrap()
        );

        std::fs::write(dir.join(WEIGHTS_FILE), [1u8, 2, 3, 5]).unwrap();
        let error = trusted.verify(&dir).unwrap_err();
        assert!(
            matches!(&error, SignatureError::FileChanged { file, .. } if file == WEIGHTS_FILE),
            "{error}"
        );
        std::fs::write(dir.join(WEIGHTS_FILE), [1u8, 2, 3, 4]).unwrap();
        std::fs::write(
            dir.join(MANIFEST_FILE),
            r#"{"name": "m", "version": "1.0.1"}"#,
        )
        .unwrap();
        let error = trusted.verify(&dir).unwrap_err();
        assert!(
            matches!(&error, SignatureError::FileChanged { file, .. } if file == MANIFEST_FILE),
            "{error}"
        );

        sign(&dir, &stranger).unwrap();
        assert!(matches!(
            trusted.verify(&dir),
            Err(SignatureError::UntrustedKey { .. })
        ));
    }

    #[test]
    fn a_signature_edited_to_cover_new_digests_does_not_verify() {
        let root = tempfile::tempdir().unwrap();
        let dir = model_dir(root.path());
        let release = SigningKey::from_bytes(&[7; 32]);
        let trusted = trust(root.path(), &[&release]);
        sign(&dir, &release).unwrap();
        std::fs::write(dir.join(WEIGHTS_FILE), [9u8; 4]).unwrap();
        let path = dir.join(SIGNATURE_FILE);
        let mut file: SignatureFile =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        file.files.insert(
            WEIGHTS_FILE.into(),
            crate::data::sha256_file(&dir.join(WEIGHTS_FILE)).unwrap(),
        );
        std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
        assert!(matches!(
            trusted.verify(&dir),
            Err(SignatureError::BadSignature { .. })
        ));
    }

    #[test]
    fn keys_read_from_pem_and_a_directory_without_keys_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let key = SigningKey::from_bytes(&[3; 32]);
        let path = root.path().join("signing.pem");
        std::fs::write(&path, key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
        assert_eq!(read_signing_key(&path).unwrap().to_bytes(), key.to_bytes());
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            read_signing_key(&path),
            Err(SignatureError::Key { .. })
        ));
        let empty = root.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert!(TrustedKeys::open(&empty).is_err());
        std::fs::write(empty.join("bad.pub"), "nope").unwrap();
        let error = TrustedKeys::open(&empty).unwrap_err().to_string();
        assert!(error.contains("bad.pub"), "{error}");
    }
}
