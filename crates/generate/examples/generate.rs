//! Generates a corpus without the CLI: `cargo run --release -p cablescope-generate
//! --example generate -- COUNT DIR [telegram|cables-csv|html] [SEED]`.

use std::time::Instant;

use cablescope_generate::{generate, OutputFormat, DEFAULT_SEED};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let dir = args.get(2).map_or("generated", String::as_str);
    let format = match args.get(3).map(String::as_str) {
        Some("cables-csv") => OutputFormat::CablesCsv,
        Some("html") => OutputFormat::Html,
        _ => OutputFormat::Telegram,
    };
    let seed = args
        .get(4)
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let t = Instant::now();
    let stats = generate(count, seed, format, std::path::Path::new(dir))?;
    eprintln!("{stats:?} in {:.2?}", t.elapsed());
    Ok(())
}
