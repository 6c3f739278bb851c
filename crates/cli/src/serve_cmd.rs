//! `cablescope serve`: the web UI and the JSON API of an archive, over HTTP.
//!
//! An archive without users is served to everyone. Once it has users
//! (`cablescope users add`), every page and API request needs a token (API:
//! `Authorization: Bearer TOKEN`; browsers sign in at `/login`), and readers see
//! what their clearance allows. `--public` serves everything, read-only, to
//! anyone (no sign-in; ingest and user management answer 403). `--as-of DATE`
//! evaluates declassification at DATE instead of today. Slow clients are bounded
//! (`--header-timeout`, `--idle-timeout`, `--max-connections`,
//! `--max-connections-per-address`), and behind a reverse proxy
//! `--trusted-proxy ADDR` takes the client's address from `X-Forwarded-For`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use cablescope_access::declass::Date;
use cablescope_access::StoreLocation;
use cablescope_server::auth::proxy::{Network, TrustedProxies};
use cablescope_server::conn::ConnLimits;
use cablescope_server::{AppState, Limits, ServerConfig};
use clap::Args;

use crate::archive_opts::{check_archive_exists, store_location, ArchiveDirArg, READ_DATABASE_ENV};
use crate::search_cmd::parse_date_arg;

/// The address `serve` (and `demo`) listen on by default: this machine only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Arguments of `cablescope serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    archive: ArchiveDirArg,
    /// A shared PostgreSQL store (postgres://USER@HOST:PORT/DB; wins over
    /// $CABLESCOPE_DATABASE): the archive directory then holds this node's index
    /// of it (built and kept up to date from the database), its users and its
    /// audit log. Several nodes may serve one database.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// A streaming replica of --database to read from (wins over
    /// $CABLESCOPE_READ_DATABASE): the node's index follows the replica and
    /// cables are read from it; ingest, users, sessions and the audit log are
    /// written to --database. Changes reach the node once replicated (polled
    /// every second: a replica relays no notifications).
    #[arg(long, value_name = "URL")]
    read_database: Option<String>,
    /// Address and port to listen on (port 0: any free port). Anything but a
    /// loopback address makes the archive readable by other machines.
    #[arg(long, value_name = "IP:PORT", default_value = DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Serve everything, read-only, to anyone: no sign-in, every reader cleared
    /// for every cable; ingest and user management are off (403). Reads are still
    /// audited when the archive has users.
    #[arg(long)]
    public: bool,
    /// Evaluate declassification at this date instead of today (YYYY-MM-DD,
    /// YYYY-MM, YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
    /// A reverse proxy (address or network, like 10.0.0.0/8) whose
    /// `X-Forwarded-For` names the client; repeat for several. Without it the
    /// header is ignored and the client is the connection's peer.
    #[arg(long = "trusted-proxy", value_name = "ADDR[/PREFIX]")]
    trusted_proxies: Vec<Network>,
    /// Seconds a client has to send a request's headers.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a kept-alive connection may wait for its next request (and a
    /// response for the client to read on).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    idle_timeout: u64,
    /// Connections served at once; more are answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = 4096)]
    max_connections: usize,
    /// Connections served at once from one client address (trusted proxies
    /// excepted).
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_connections_per_address: usize,
    /// Searches and other archive reads run at once; more wait their turn, first
    /// come first served. Default: two per core (reads are CPU work on the
    /// embedded archive: more at once only share the cores and lengthen the
    /// slowest answers); raise it for a shared database, whose reads wait on the
    /// network.
    #[arg(long, value_name = "N")]
    max_reads: Option<usize>,
}

/// What the server prints once listening: the URL line (`Serving DIR at
/// http://HOST:PORT/ ...`), then `after(url)`'s lines.
/// With the default [`Limits`]; see [`serve_with`].
pub fn serve(
    dir: &Path,
    addr: SocketAddr,
    config: ServerConfig,
    after: impl FnOnce(&str) -> Vec<String>,
) -> anyhow::Result<()> {
    serve_with(dir, addr, config, Limits::default(), after)
}

/// [`serve`] within `limits`. The server logs to standard error through a
/// background thread ([`cablescope_server::logging`]): a stalled standard error
/// costs log lines, never requests.
pub fn serve_with(
    dir: &Path,
    addr: SocketAddr,
    config: ServerConfig,
    limits: Limits,
    after: impl FnOnce(&str) -> Vec<String>,
) -> anyhow::Result<()> {
    let mode = mode_line(dir, &config)?;
    crate::archive_opts::warn_if_exposed(dir);
    // Checked once at start (every index file by its checksum): a damaged index
    // is served, so that readers learn why, but `/healthz` answers 503 and the
    // operator is told here.
    if let Ok(lib) = cablescope_access::Library::open_for_reading_on(dir, &config.store) {
        let health = lib.health();
        if !health.ok() {
            eprintln!(
                "cablescope: warning: the index of {} is damaged ({}); /healthz answers 503 until `cablescope repair --archive {}` rebuilds it from the store",
                dir.display(),
                health.summary(),
                dir.display()
            );
        }
    }
    let shown = if config.store.is_shared() {
        format!(
            "{} (this node's index in {})",
            config.store.describe(dir),
            dir.display()
        )
    } else {
        dir.display().to_string()
    };
    let state = AppState::open_with_limits(dir, config, limits)
        .with_context(|| format!("cannot open the archive {shown}"))?;
    let _log = cablescope_server::logging::init_stderr();
    cablescope_server::run(addr, state, |bound| {
        let host = if bound.ip().is_unspecified() {
            // Listening everywhere: this machine answers on loopback too.
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), bound.port())
        } else {
            bound
        };
        let url = format!("http://{host}/");
        println!("Serving {shown} at {url} (API docs at {url}api/docs; Ctrl-C to stop)");
        println!("{mode}");
        for line in after(&url) {
            println!("{line}");
        }
    })
    .with_context(|| format!("cannot serve on {addr}"))
}

/// One line saying who may read what.
fn mode_line(dir: &Path, config: &ServerConfig) -> anyhow::Result<String> {
    let at = cablescope_access::AccessLocation::beside(dir, &config.store);
    let closed = cablescope_access::users::has_users(&at)
        .with_context(|| format!("cannot read the users of {}", dir.display()))?;
    let as_of = match config.as_of {
        Some(d) => format!(" Declassification is evaluated as of {d}."),
        None => String::new(),
    };
    Ok(if config.public {
        format!(
            "Public: everyone reads every cable, read-only, without signing in; ingest and user management are off.{}{as_of}",
            if closed { " Reads are audited." } else { "" }
        )
    } else if closed {
        format!(
            "This archive has users: every request needs a token (browsers sign in at /login; programs send `Authorization: Bearer TOKEN`).{as_of}"
        )
    } else {
        format!("This archive has no users: everyone reads everything (add users with `cablescope users add`).{as_of}")
    })
}

/// Runs `cablescope serve`: 0 after a clean shutdown.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = store_location(args.database.as_deref());
    if store.is_shared() {
        cablescope_access::files::private_umask();
        std::fs::create_dir_all(args.archive.dir()).with_context(|| {
            format!(
                "cannot create the index directory {}",
                args.archive.dir().display()
            )
        })?;
    } else {
        check_archive_exists(&args.archive.dir())?;
    }
    let read_store = args
        .read_database
        .clone()
        .or_else(|| std::env::var(READ_DATABASE_ENV).ok())
        .filter(|u| !u.trim().is_empty())
        .map(|u| StoreLocation::Postgres(u.trim().to_string()));
    if read_store.is_some() && !store.is_shared() {
        anyhow::bail!(
            "--read-database (or ${READ_DATABASE_ENV}) names a replica of a shared database: give --database URL (the primary) too"
        );
    }
    let config = ServerConfig {
        public: args.public,
        as_of: args.as_of,
        trusted_proxies: TrustedProxies::new(args.trusted_proxies),
        store,
        read_store,
    };
    let limits = Limits {
        connections: ConnLimits {
            header_read_timeout: Duration::from_secs(args.header_timeout.max(1)),
            idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
            max_connections: args.max_connections.max(1),
            max_per_address: args.max_connections_per_address.max(1),
            ..ConnLimits::default()
        },
        max_reads: args
            .max_reads
            .unwrap_or_else(|| Limits::default().max_reads)
            .max(1),
        ..Limits::default()
    };
    serve_with(&args.archive.dir(), args.addr, config, limits, |_| {
        Vec::new()
    })?;
    Ok(ExitCode::SUCCESS)
}
