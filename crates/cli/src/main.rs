//! `cablescope`: the command-line front end. Thin by design: argument parsing,
//! file reading and output formatting; the libraries do the work.
//!
//! Exit status of every command: 0 ok, 1 some input failed (or a cable was not
//! found), 2 a usage or query error, 3 the archive has users and the token is
//! missing or refused.

/// mimalloc instead of the system allocator: searches and parses allocate many
/// short-lived buffers (decompressed store blocks, postings, JSON), and glibc's
/// malloc spent a fifth of the server's CPU on them (see BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod admin_cmd;
mod archive_opts;
mod audit_cmd;
mod declass_cmd;
mod demo_cmd;
mod generate_cmd;
mod graph_cmd;
mod ingest_cmd;
mod maintain_cmd;
mod migrate_cmd;
mod parse_cmd;
mod partition_cmd;
mod release_cmd;
mod search_cmd;
mod serve_cmd;
mod show_cmd;
mod users_cmd;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// The query language, shown under `cablescope search --help`.
const QUERY_HELP: &str = "\
Query language (Lucene-style; juxtaposition means AND):
  iran nuclear            both words        iran OR iraq      either
  iran -iraq              without iraq      NOT tag:PREL      every cable but
  \"nuclear program\"~2     phrase (slop)     (a OR b) AND c    grouping
  nucl*  moskow~1         prefix, fuzzy     *                 every cable
Fields: id: tag: origin: classification: caption: subject: signer: classified_by:
  created: cites: cited_by: (cited-by:) marking:
  created:2008-06   created:[2008-01-01 TO 2008-06-30]   classification:SECRET
  id:\"MOSCOW 1599\"  cites:08MOSCOW1599  caption:NOFORN  marking:S/NF";

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
    /// Generate cables, ingest them into a new archive and run example searches.
    Demo(demo_cmd::DemoArgs),
    /// Generate a synthetic corpus of cables with a truth sidecar (truth.jsonl).
    Generate(generate_cmd::GenerateArgs),
    /// Store and index cables from files, folders and archives.
    Ingest(ingest_cmd::IngestArgs),
    /// Search the archive.
    #[command(after_long_help = QUERY_HELP)]
    Search(search_cmd::SearchArgs),
    /// Print every cable a query matches (full records or CSV rows).
    #[command(after_long_help = QUERY_HELP)]
    Export(search_cmd::ExportArgs),
    /// Print one cable: header fields and text with portion marks.
    Show(show_cmd::ShowArgs),
    /// Walk the reference graph from one cable, listing cited cables not in the archive.
    Refs(graph_cmd::RefsArgs),
    /// Counts by year, origin, classification; the most-cited missing cables.
    Stats(admin_cmd::StatsArgs),
    /// Export the citation graph of the cables a query matches.
    #[command(after_long_help = QUERY_HELP)]
    Graph(graph_cmd::GraphArgs),
    /// Take a cable, or every copy read from an input, out of the archive.
    Remove(admin_cmd::RemoveArgs),
    /// Declare the copies read from an input an official (declassified) release.
    ReleaseCopy(release_cmd::ReleaseArgs),
    /// Check every index file (checksums), and that the store and the index agree.
    Verify(admin_cmd::VerifyArgs),
    /// Rebuild the index from the store (after `verify` found damage).
    Repair(maintain_cmd::RepairArgs),
    /// Copy the archive into a new folder while it is read and written.
    Backup(maintain_cmd::BackupArgs),
    /// Make a new archive from a backup, and verify it.
    Restore(maintain_cmd::RestoreArgs),
    /// Move an archive's store between a folder and a PostgreSQL database.
    Migrate(migrate_cmd::MigrateArgs),
    /// Spread a PostgreSQL store's records across several PostgreSQL servers.
    Partition(partition_cmd::PartitionArgs),
    /// Declassification: the archive's policy (on/off, exemptions) and the cables
    /// due for release.
    Declass(declass_cmd::DeclassArgs),
    /// Serve the web UI and the JSON API of an archive over HTTP.
    Serve(serve_cmd::ServeArgs),
    /// Manage who may read the archive: add, list, revoke, rotate tokens.
    Users(users_cmd::UsersArgs),
    /// Check or read the hash-chained audit log.
    Audit(audit_cmd::AuditArgs),
    /// Print shell completions.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => parse_cmd::run(args),
        Command::Demo(args) => demo_cmd::run(args),
        Command::Generate(args) => generate_cmd::run(args),
        Command::Ingest(args) => ingest_cmd::run(args),
        Command::Search(args) => search_cmd::run_search(args),
        Command::Export(args) => search_cmd::run_export(args),
        Command::Show(args) => show_cmd::run(args),
        Command::Refs(args) => graph_cmd::run_refs(args),
        Command::Stats(args) => admin_cmd::run_stats(args),
        Command::Graph(args) => graph_cmd::run_graph(args),
        Command::Remove(args) => admin_cmd::run_remove(args),
        Command::ReleaseCopy(args) => release_cmd::run(args),
        Command::Verify(args) => admin_cmd::run_verify(args),
        Command::Repair(args) => maintain_cmd::run_repair(args),
        Command::Backup(args) => maintain_cmd::run_backup(args),
        Command::Restore(args) => maintain_cmd::run_restore(args),
        Command::Migrate(args) => migrate_cmd::run(args),
        Command::Partition(args) => partition_cmd::run(args),
        Command::Declass(args) => declass_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Users(args) => users_cmd::run(args),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Completions { shell } => {
            // Generated into memory first: a closed pipe is then an error, not a panic.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cablescope", &mut buf);
            archive_opts::ok_on_broken_pipe(
                std::io::Write::write_all(&mut std::io::stdout().lock(), &buf)
                    .map(|()| ExitCode::SUCCESS)
                    .map_err(Into::into),
            )
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("cablescope: error: {err:#}");
            if archive_opts::is_auth_error(&err) {
                ExitCode::from(archive_opts::EXIT_AUTH)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
