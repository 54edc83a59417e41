//! The `textserve` binary: parses the command line and hands each subcommand to `commands`.

use std::process::ExitCode;

use clap::Parser;
use textserve::commands::data::DataCommand;
use textserve::commands::feedback::FeedbackCommand;
use textserve::commands::{self, Cli, Command};

fn main() -> ExitCode {
    textserve::allocator::configure();
    // oneDNN caches one compiled kernel per input shape (1024 by default), and every batch
    // size × text length is a new shape: under varied traffic that cache alone held over 100 MB.
    // Served passes come in rounded shapes (`model::lstm`), which 128 kernels cover for about
    // 20 MB (BENCHMARKS.md). Set before libtorch starts.
    if std::env::var_os("ONEDNN_PRIMITIVE_CACHE_CAPACITY").is_none() {
        // SAFETY: no other thread exists yet, so nothing reads the environment concurrently.
        unsafe { std::env::set_var("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "128") };
    }
    // libtorch's inter-op pool only runs TorchScript forks, which textserve never uses; one
    // thread keeps it from reserving a core. It can only be set before any parallel work runs,
    // hence here, first.
    tch::set_num_interop_threads(1);
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        // Rust ignores SIGPIPE, so printing into a closed pipe (`textserve explain … | head`)
        // panics; a command-line tool should end quietly instead, as `cat` does. The server
        // keeps it ignored: a client closing its socket must not kill the process.
        // SAFETY: no other thread exists yet; restoring a default disposition is always sound.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let otlp_endpoint = match &cli.command {
        Command::Serve(config) => config.otlp_endpoint.clone(),
        _ => None,
    };
    let _telemetry = match textserve::telemetry::init(&cli.log, otlp_endpoint.as_deref()) {
        Ok(telemetry) => telemetry,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Serve(config) => textserve::serve::serve(config),
        Command::Openapi => {
            println!(
                "{}",
                textserve::serve::openapi()
                    .to_pretty_json()
                    .expect("spec serializes")
            );
            Ok(())
        }
        Command::Train(args) => commands::train::train(args),
        Command::Eval(args) => commands::eval::eval(args),
        Command::Predict(args) => commands::predict::predict(args),
        Command::Check(args) => commands::check::check(args),
        Command::Explain(args) => commands::explain::explain(args),
        Command::Faithfulness(args) => commands::explain::faithfulness(args),
        Command::Data(DataCommand::Import(args)) => commands::data::data_import(args),
        Command::Data(DataCommand::Split(args)) => commands::data::data_split(args),
        Command::Feedback(FeedbackCommand::Export(args)) => commands::feedback::export(args),
        Command::Feedback(FeedbackCommand::Stats(args)) => commands::feedback::stats(args),
        Command::Bench(args) => commands::bench::bench(args),
        Command::Quantize(args) => commands::quantize::quantize(args),
        Command::Import(args) => commands::import::import(args),
        Command::Card(args) => commands::card::card(args),
        Command::Healthcheck(args) => commands::healthcheck::healthcheck(args),
        Command::Sign(args) => commands::sign::sign(args),
        Command::Verify(args) => commands::sign::verify(args),
        Command::Promote(args) => commands::promote::promote(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
