//! `venue-analytics`: run the stack locally and talk to it.

mod commands;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "venue-analytics",
    version,
    about = "Venue Analytics: local stack, publishing and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the emulator if needed, provision infra/template.yaml on it, and host the handlers.
    Up(commands::up::Args),
    /// Publish NDJSON CloudEvents (routed by `type`), or raw lines to one queue.
    Publish(commands::publish::Args),
    /// Publish a realistic show night for a venue.
    Simulate(commands::simulate::Args),
    /// Show flow health; exit status 1 when any type is silent or was never seen.
    Flows(commands::flows::Args),
    /// Print a JWT for the local API.
    Token(commands::token::Args),
    /// Render a report now (PDF, XLSX, CSV) into the reports bucket.
    Report(commands::report::Args),
    /// Run a scheduled job now (reports, exports, insights, alerts) and print its summary.
    Job(commands::job::Args),
    /// List (or save as .eml) the report emails the local emulator's SES accepted.
    Outbox(commands::outbox::Args),
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,aws_config=warn,aws_smithy_runtime=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Up(a) => commands::up::run(a).await,
            Command::Publish(a) => commands::publish::run(a).await,
            Command::Simulate(a) => commands::simulate::run(a).await,
            Command::Flows(a) => commands::flows::run(a).await,
            Command::Token(a) => commands::token::run(&a),
            Command::Job(a) => commands::job::run(a).await,
            Command::Report(a) => commands::report::run(a).await,
            Command::Outbox(a) => commands::outbox::run(a).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
