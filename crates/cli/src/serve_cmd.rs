//! `cablescope serve`: the web UI and the JSON API of an archive, over HTTP.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use cablescope_server::{AppState, ServerConfig};
use clap::Args;

use crate::archive_opts::ArchiveArg;

/// The address `serve` (and `demo`) listen on by default: this machine only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Arguments of `cablescope serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Address and port to listen on (port 0: any free port). Anything but a
    /// loopback address makes the archive readable by other machines.
    #[arg(long, value_name = "IP:PORT", default_value = DEFAULT_ADDR)]
    addr: SocketAddr,
}

/// Serves the archive in `dir` on `addr` until SIGINT or SIGTERM, printing the URL
/// once listening.
pub fn serve(dir: &std::path::Path, addr: SocketAddr) -> anyhow::Result<()> {
    let state = AppState::open(dir, ServerConfig::default())
        .with_context(|| format!("cannot open the archive {}", dir.display()))?;
    let shown = dir.display().to_string();
    cablescope_server::run(addr, state, |bound| {
        let host = if bound.ip().is_unspecified() {
            // Listening everywhere: this machine answers on loopback too.
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), bound.port())
        } else {
            bound
        };
        println!("Serving {shown} at http://{host}/ (API docs at http://{host}/api/docs; Ctrl-C to stop)");
    })
    .with_context(|| format!("cannot serve on {addr}"))
}

/// Runs `cablescope serve`: 0 after a clean shutdown.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    args.archive.check_exists()?;
    serve(&args.archive.dir(), args.addr)?;
    Ok(ExitCode::SUCCESS)
}
