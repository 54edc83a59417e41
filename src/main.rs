use std::process::ExitCode;

use clap::Parser;
use textserve::commands;
use textserve::config::{Cli, Command, DataCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    textserve::telemetry::init(&cli.log);
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
        Command::Train(args) => commands::train(args),
        Command::Eval(args) => commands::eval(args),
        Command::Predict(args) => commands::predict(args),
        Command::Data(DataCommand::Import(args)) => commands::data_import(args),
        Command::Bench(args) => commands::bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
