//! `cablescope partition --database URL --shard URL…`: spreads a PostgreSQL
//! store's records across several PostgreSQL servers (hash partitions over
//! `postgres_fdw`; how and what it costs: `cablescope_archive::store::partition`).
//! Without `--shard` it prints the current layout.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;
use cablescope_access::StoreLocation;
use clap::Args;

use crate::archive_opts::{ok_on_broken_pipe, print_json, store_location, TextOrJson};

/// Arguments of `cablescope partition`.
#[derive(Debug, Args)]
pub struct PartitionArgs {
    /// The coordinator: the database the nodes use (wins over $CABLESCOPE_DATABASE).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// A database to hold one partition of the records (repeat, one per
    /// partition; the same server may be named more than once). Without it, the
    /// current layout is printed.
    #[arg(long, value_name = "URL")]
    shard: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `cablescope partition`.
pub fn run(args: PartitionArgs) -> anyhow::Result<ExitCode> {
    let StoreLocation::Postgres(url) = store_location(args.database.as_deref()) else {
        anyhow::bail!(
            "partitioning spreads a PostgreSQL store: name it with --database URL \
             (an embedded archive moves there with `cablescope migrate`)"
        );
    };
    let shown = StoreLocation::Postgres(url.clone()).describe(".".as_ref());
    let layout = if args.shard.is_empty() {
        cablescope_access::partitions(&url)
            .with_context(|| format!("cannot read the partitions of {shown}"))?
    } else {
        cablescope_access::partition(&url, &args.shard)
            .with_context(|| format!("cannot partition {shown}"))?
    };
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&layout)?,
            TextOrJson::Text => {
                let mut out = io::stdout().lock();
                if layout.is_empty() {
                    writeln!(out, "{shown}: the records are not partitioned")?;
                }
                for p in &layout {
                    writeln!(
                        out,
                        "partition {} of {}: {} cables, {} copies on {}",
                        p.remainder,
                        layout.len(),
                        p.cables,
                        p.copies,
                        p.shard
                    )?;
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}
