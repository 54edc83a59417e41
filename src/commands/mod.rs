//! What each subcommand does, each beside its own arguments; `main.rs` only parses and
//! dispatches, and `config` holds the command line's top level and the serve configuration.

pub mod bench;
pub mod card;
pub mod check;
pub mod data;
pub mod eval;
pub mod explain;
pub mod feedback;
pub mod healthcheck;
pub mod import;
pub mod predict;
pub mod promote;
pub mod quantize;
pub mod sign;
pub mod train;

use clap::{Parser, Subcommand};

use crate::config::ServeConfig;
use crate::telemetry::LogArgs;

#[derive(Debug, Parser)]
#[command(
    name = "textserve",
    version,
    about = "Train and serve LSTM text classifiers"
)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process, so the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a model over HTTP.
    Serve(ServeConfig),
    /// Train a model from a labelled dataset file and write a model directory.
    Train(train::TrainArgs),
    /// Evaluate a model: accuracy, macro-F1, per-class metrics, confusion matrix.
    Eval(eval::EvalArgs),
    /// Classify texts given on the command line.
    Predict(predict::PredictArgs),
    /// Run a behavioural test suite (JSONL of MFT, INV and DIR cases) against a model.
    Check(check::CheckArgs),
    /// Show which words carried a prediction (occlusion or Kernel SHAP attributions).
    Explain(explain::ExplainArgs),
    /// Measure how faithful explanations are (ERASER comprehensiveness and sufficiency) on a
    /// part of the model's recorded split.
    Faithfulness(explain::FaithfulnessArgs),
    /// Make a TorchScript classifier trained elsewhere, with its Hugging Face tokenizer.json,
    /// into a model directory textserve serves (checked before anything is written).
    Import(import::ImportArgs),
    /// Prepare datasets.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Operators' corrections stored by `serve --feedback-db`: export them for training, count
    /// them.
    #[command(subcommand)]
    Feedback(feedback::FeedbackCommand),
    /// Print the OpenAPI document the server serves at /openapi.json.
    Openapi,
    /// Rewrite a model's MODEL_CARD.md from its model.json (e.g. after editing the notes).
    Card(card::CardArgs),
    /// Ask a running server whether it is ready (GET /health/ready on the address `serve` is
    /// configured with); exit 0 when it is. For container health checks, with no curl needed.
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Measure raw forward-pass throughput (the in-process ceiling) at several batch sizes.
    Bench(bench::BenchArgs),
    /// Copy a model so its LSTM computes at a lower precision (bfloat16), after checking on
    /// its validation split and suites that it answers as the original does.
    Quantize(quantize::QuantizeArgs),
    /// Sign a model directory (a detached ed25519 signature, model.sig) so that servers
    /// started with --trusted-model-keys load it.
    Sign(sign::SignArgs),
    /// Make a candidate (served under its own name, shadowed, then a canary) the next version
    /// of a served model: its files go into the served model's directory under that name,
    /// ready for a reload.
    Promote(promote::PromoteArgs),
    /// Check a model's signature against trusted public keys, as `serve
    /// --trusted-model-keys` does before it loads a model.
    Verify(sign::VerifyArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServeConfig;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed_and_defaults_are_safe() {
        Cli::command().debug_assert();
        let serve = ServeConfig::default();
        assert!(serve.host.is_loopback());
        assert_eq!(serve.port, 8080);
        assert_eq!(serve.max_batch_size.get(), 256);
    }

    #[test]
    fn zero_sizes_and_timeouts_are_refused_when_parsed() {
        for flag in [
            "--threads",
            "--workers",
            "--max-batch-size",
            "--max-queue",
            "--max-text-chars",
            "--body-limit",
            "--header-timeout-ms",
            "--body-timeout-ms",
            "--max-connections",
            "--request-timeout-ms",
        ] {
            let error = Cli::try_parse_from(["textserve", "serve", flag, "0"])
                .expect_err(flag)
                .to_string();
            assert!(error.contains("zero"), "{flag}: {error}");
            assert!(
                Cli::try_parse_from(["textserve", "serve", flag, "1"]).is_ok(),
                "{flag}"
            );
        }
    }
}
