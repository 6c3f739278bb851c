//! `cablescope`: the command-line front end. Thin by design: argument parsing,
//! file reading and output formatting; the libraries do the work.

mod parse_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// cablescope turns diplomatic cables into a searchable, linked archive.
#[derive(Debug, Parser)]
#[command(name = "cablescope", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse cables and print one JSON record per cable.
    Parse(parse_cmd::ParseArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => parse_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("cablescope: error: {err:#}");
            ExitCode::from(1)
        }
    }
}
