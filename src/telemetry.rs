//! Logging setup, shared by every subcommand.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use clap::{Args, ValueEnum};

/// Logs go to stderr so commands like `textserve openapi` keep stdout clean.
pub fn init(args: &LogArgs) {
    let mut filter = EnvFilter::try_new(&args.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    // rustls warns once per connection about things clients commonly do (an IP address sent
    // as the server name, as wrk and many libraries do): any client could fill the log with
    // them. They stay available with an explicit `rustls=warn`.
    // The audit trail reaches the log whatever level the rest is filtered to (the docs promise
    // its lines always go to the `audit` target); `audit=off` turns it off explicitly.
    if !args.log_level.contains("audit") {
        filter = filter.add_directive("audit=info".parse().expect("a valid directive"));
    }
    if !args.log_level.contains("rustls") {
        filter = filter.add_directive("rustls=error".parse().expect("a valid directive"));
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // try_init: tests may set up the subscriber more than once.
    let _ = match args.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Log line format.
    #[arg(long, global = true, env = "TEXTSERVE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `textserve=debug,tower_http=info`.
    #[arg(
        long,
        global = true,
        env = "TEXTSERVE_LOG_LEVEL",
        default_value = "info"
    )]
    pub log_level: String,
}
