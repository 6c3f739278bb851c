//! `cablescope demo`: generates a synthetic corpus, ingests it into a new archive
//! and shows what was built with a few example searches (and their real results),
//! plus the commands that run them again, then serves the web UI and the JSON API
//! on the new archive until Ctrl-C (`--no-serve`: stop after the report).

use cablescope_access::FacetSet;
use std::collections::BTreeMap;
use std::fs;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use cablescope_access::query::{parse, Query};
use cablescope_access::{
    Admin, Auditor, Direction, IngestOptions, Library, Lookup, Page, Progress, SearchResults,
    Session, Sort, Viewer,
};
use cablescope_generate::{generate, OutputFormat, DEFAULT_SEED};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::archive_opts::EXIT_USAGE;

/// Arguments of `cablescope demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of synthetic cables to generate.
    #[arg(long, default_value_t = 20_000)]
    count: usize,
    /// Keep the corpus in DIR/corpus and the archive in DIR/archive (default: a new
    /// folder under the system's temporary directory; the corpus is then deleted
    /// after ingest and the archive kept).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Random seed of the generator: the same count and seed give the same corpus.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Address and port the web UI is served on (port 0: any free port).
    #[arg(long, value_name = "IP:PORT", default_value = crate::serve_cmd::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Stop after the report instead of serving the web UI.
    #[arg(long)]
    no_serve: bool,
}

/// One example search: the query, its sort, and why it is shown.
struct Example {
    what: &'static str,
    query: String,
    sort: Sort,
    facets: FacetSet,
}

/// Runs `cablescope demo`: 0 when the archive was built, 1 when some generated
/// input failed to ingest, 2 for a usage error.
pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    if args.count == 0 {
        eprintln!("cablescope: error: demo needs --count of at least 1");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let start = Instant::now();
    let (corpus, archive_dir, temporary) = match &args.dir {
        Some(d) => {
            let archive_dir = d.join("archive");
            if archive_dir.exists() {
                eprintln!(
                    "cablescope: error: {} already exists; search it with `cablescope search --archive {} QUERY`, or give demo a new --dir",
                    archive_dir.display(),
                    shell_word(&archive_dir.display().to_string())
                );
                return Ok(ExitCode::from(EXIT_USAGE));
            }
            (d.join("corpus"), archive_dir, false)
        }
        None => {
            let base = temp_base()?;
            (base.join("corpus"), base.join("archive"), true)
        }
    };
    let interactive = std::io::stderr().is_terminal();

    // 1. Generate.
    eprintln!(
        "[1/3] generating {} synthetic cables (telegrams) into {}",
        thousands(args.count as u64),
        corpus.display()
    );
    let spinner = ProgressBar::new_spinner();
    if !interactive {
        spinner.set_draw_target(ProgressDrawTarget::hidden());
    }
    spinner.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message("generating");
    spinner.enable_steady_tick(Duration::from_millis(200));
    let t = Instant::now();
    let generated = generate(args.count, args.seed, OutputFormat::Telegram, &corpus)
        .with_context(|| format!("writing the corpus to {}", corpus.display()));
    spinner.finish_and_clear();
    let generated = generated?;
    let gen_time = t.elapsed();
    eprintln!(
        "      {} files ({:.1} MB) in {:.1} s",
        thousands(generated.files as u64),
        generated.bytes as f64 / 1e6,
        gen_time.as_secs_f64()
    );

    // 2. Ingest (everything but the truth.jsonl sidecar).
    eprintln!("[2/3] ingesting into {}", archive_dir.display());
    let mut inputs: Vec<PathBuf> = fs::read_dir(&corpus)
        .with_context(|| format!("reading {}", corpus.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n != "truth.jsonl"))
        .collect();
    inputs.sort();
    let t = Instant::now();
    let mut archive = Admin::open(&archive_dir)
        .with_context(|| format!("cannot open the archive {}", archive_dir.display()))?;
    let bar = ProgressBar::new(args.count as u64);
    if !interactive {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} files, ETA {eta} | {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut report = |p: &Progress| {
        bar.set_length(p.files_seen.max(args.count as u64));
        bar.set_position(p.files_parsed + p.files_unchanged + p.files_failed);
        bar.set_message(format!(
            "{} cables ({:.0}/s), {} written",
            p.cables_read,
            p.cables_per_sec(),
            p.cables_written
        ));
    };
    let result = archive.ingest(&inputs, &IngestOptions::default(), &mut report);
    bar.finish_and_clear();
    let ingested = result.with_context(|| format!("ingest into {}", archive_dir.display()))?;
    archive.close_writer();
    drop(archive);
    let ingest_time = t.elapsed();
    for e in &ingested.errors {
        eprintln!("cablescope: error: {e}");
    }
    eprintln!(
        "      {} cables written in {:.1} s ({:.0} cables/s)",
        thousands(ingested.cables_written),
        ingest_time.as_secs_f64(),
        ingested.cables_read as f64 / ingest_time.as_secs_f64().max(1e-9)
    );
    if temporary {
        // The archive holds everything the searches need; the raw files would
        // only fill the temporary directory.
        let _ = fs::remove_dir_all(&corpus);
    }

    // 3. Report and example searches, against the archive as a user reopens it.
    eprintln!("[3/3] running example searches");
    let archive = Library::open_for_reading(&archive_dir)
        .with_context(|| format!("cannot open the archive {}", archive_dir.display()))?;
    // When the demo serves, it adds three readers of different clearances (so
    // that a person can sign in as each and see what their clearance withholds),
    // and the archive is closed from then on: the CLI needs a token too. They are
    // added now, so that the example commands printed below carry the token of
    // the most cleared one and work as pasted, showing what is printed here.
    let users = if args.no_serve {
        Vec::new()
    } else {
        cablescope_access::users::demo_users(&archive_dir)
            .with_context(|| format!("adding the demo users to {}", archive_dir.display()))?
    };
    let (viewer, token_prefix) = match users.last() {
        Some((_, _, token)) => (
            crate::archive_opts::viewer_for(&archive_dir, Some(token))?,
            format!("CABLESCOPE_TOKEN={token} "),
        ),
        // Without users the reader is anonymous and reads everything.
        None => (Viewer::anonymous(), String::new()),
    };
    let auditor = Auditor::new(&archive_dir);
    let session = archive.session(&viewer, None, &auditor)?;
    let stats = session.stats(0)?;
    let years: Vec<&str> = stats
        .by_year
        .iter()
        .map(|(y, _)| y.as_str())
        .filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let size = dir_size(&archive_dir);
    let total = start.elapsed();
    let arch = shell_word(&archive_dir.display().to_string());

    println!();
    println!("Built a demo archive at {}", archive_dir.display());
    println!(
        "  cables:        {} (from {} generated files: {})",
        thousands(stats.cables),
        thousands(ingested.files_seen),
        ingested
            .per_format
            .iter()
            .map(|(f, n)| format!("{f} {}", thousands(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  sources:       {} posts (origin stations)",
        thousands(stats.by_origin.len() as u64)
    );
    match (years.first(), years.last()) {
        (Some(a), Some(b)) => println!("  years covered: {a}–{b} ({} years)", years.len()),
        _ => println!("  years covered: none"),
    }
    println!(
        "  levels:        {}",
        stats
            .by_level
            .iter()
            .map(|(l, n)| format!("{l} {}", thousands(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  archive size:  {:.1} MB on disk (raw telegrams {:.1} MB)",
        size as f64 / 1e6,
        generated.bytes as f64 / 1e6
    );
    println!(
        "  time taken:    {:.1} s (generate {:.1} s, ingest {:.1} s)",
        total.as_secs_f64(),
        gen_time.as_secs_f64(),
        ingest_time.as_secs_f64()
    );
    if !temporary {
        println!("  corpus:        {} (with truth.jsonl)", corpus.display());
    }

    println!();
    println!("Example searches:");
    let examples = pick_examples(&session)?;
    for ex in &examples {
        let page = Page {
            limit: 3,
            sort: ex.sort,
            facets: ex.facets,
            ..Page::default()
        };
        let r = search(&session, &ex.query, &page)
            .with_context(|| format!("searching {}", ex.query))?;
        println!();
        println!("  {}:", ex.what);
        println!("  $ {token_prefix}{}", search_command(&arch, ex));
        print_hits(&r, !ex.facets.is_empty());
    }
    if let Some(h) = examples
        .iter()
        .find(|e| e.query.starts_with("cites:"))
        .map(|e| e.query.trim_start_matches("cites:").to_string())
    {
        println!();
        println!("  Read the cited cable and walk its citations:");
        println!("  $ {token_prefix}cablescope show --archive {arch} {h}");
        println!("  $ {token_prefix}cablescope refs --archive {arch} {h} --direction cited-by");
    }
    println!();
    println!("Reuse the archive with --archive (or export CABLESCOPE_ARCHIVE={arch}):");
    if let Some((name, clearance, _)) = users.last() {
        println!(
            "  (it has users now: the token in these commands is {name}'s, cleared {clearance})"
        );
    }
    println!("  $ {token_prefix}cablescope search --archive {arch} 'YOUR QUERY'");
    println!("  $ {token_prefix}cablescope stats --archive {arch}");
    println!("  $ cablescope serve --archive {arch}");
    if temporary {
        println!(
            "Delete it when done: rm -r {}",
            shell_word(
                &archive_dir
                    .parent()
                    .unwrap_or(&archive_dir)
                    .display()
                    .to_string()
            )
        );
    }
    let code = if ingested.files_failed > 0 || ingested.item_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if !args.no_serve {
        // The read handle above is not needed by the server (it opens its own).
        drop(session);
        drop(archive);
        println!();
        crate::serve_cmd::serve(
            &archive_dir,
            args.addr,
            cablescope_server::ServerConfig::default(),
            |url| demo_user_lines(url, &arch, &users),
        )?;
    }
    Ok(code)
}

/// The sign-in help printed beside the URL: each demo user's name, clearance and
/// token, and how to use a token from a browser, from `curl` and from the CLI.
fn demo_user_lines(url: &str, arch: &str, users: &[(String, String, String)]) -> Vec<String> {
    let mut out = vec![format!(
        "Sign in at {url}login as one of the demo readers (each sees what its clearance allows):"
    )];
    let width = users.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
    let cwidth = users.iter().map(|(_, c, _)| c.len()).max().unwrap_or(0);
    for (name, clearance, token) in users {
        out.push(format!("  {name:<width$}  {clearance:<cwidth$}  {token}"));
    }
    if let Some((_, _, token)) = users.first() {
        out.push("The API and the CLI take the same tokens:".to_string());
        out.push(format!(
            "  $ curl -H 'Authorization: Bearer {token}' '{url}api/search?q=*'"
        ));
        out.push(format!(
            "  $ CABLESCOPE_TOKEN={token} cablescope search --archive {arch} '*'"
        ));
    }
    out
}

/// Runs a query written as text.
fn search(session: &Session<'_>, q: &str, page: &Page) -> anyhow::Result<SearchResults> {
    Ok(session.search(q, &parse(q)?, page)?)
}

/// Chooses example queries that match something in this archive: a fielded query
/// on the busiest post and its commonest tag, a phrase from a real subject, the
/// newest SECRET cables, the citers of the most-cited cable present, and facets.
fn pick_examples(session: &Session<'_>) -> anyhow::Result<Vec<Example>> {
    let facet_opts = Page {
        limit: 200,
        sort: Sort::DateDesc,
        facets: FacetSet::ALL,
        ..Page::default()
    };
    let all = session.search("*", &Query::All, &facet_opts)?;
    let top = |r: &SearchResults, facet: &str| -> Option<String> {
        r.facets
            .get(facet)
            .and_then(|b| b.first())
            .map(|(v, _)| v.clone())
    };
    let mut out = Vec::new();

    if let Some(origin) = top(&all, "origin") {
        let q = format!("origin:{origin}");
        let by_origin = search(session, &q, &facet_opts)?;
        match top(&by_origin, "tag") {
            Some(tag) => out.push(Example {
                what: "Fielded: cables from one post with its commonest TAG",
                query: format!("origin:{origin} tag:{tag}"),
                sort: Sort::Relevance,
                facets: FacetSet::NONE,
            }),
            None => out.push(Example {
                what: "Fielded: cables from one post",
                query: q,
                sort: Sort::Relevance,
                facets: FacetSet::NONE,
            }),
        }
    }

    // A phrase of two consecutive words from a real subject.
    let phrase = all.hits.iter().find_map(|h| {
        let words: Vec<String> = h
            .subject
            .as_deref()?
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        words
            .windows(2)
            .find(|w| {
                w.iter()
                    .all(|x| x.len() >= 4 && x.chars().all(|c| c.is_ascii_alphabetic()))
            })
            .map(|w| format!("\"{} {}\"", w[0], w[1]))
    });
    if let Some(p) = phrase {
        if search(session, &p, &Page::default())?.total > 0 {
            out.push(Example {
                what: "Phrase: two words in this order",
                query: p,
                sort: Sort::Relevance,
                facets: FacetSet::NONE,
            });
        }
    }

    let secret = "classification:SECRET";
    let date_query = if search(session, secret, &Page::default())?.total > 0 {
        secret
    } else {
        "*"
    };
    out.push(Example {
        what: "Date-sorted: the newest SECRET cables first",
        query: date_query.to_string(),
        sort: Sort::DateDesc,
        facets: FacetSet::NONE,
    });

    // The most-cited cable that is in the archive, among those the newest cables cite.
    let mut cited: BTreeMap<String, usize> = BTreeMap::new();
    for h in &all.hits {
        let Lookup::Found(walk) = session.refs(&h.id, Direction::Cites, 1)? else {
            continue;
        };
        for n in walk.nodes.iter().filter(|n| n.depth == 1 && n.present) {
            if cited.len() >= 100 {
                break;
            }
            if !cited.contains_key(&n.id) {
                let citers = match session.refs(&n.id, Direction::CitedBy, 1)? {
                    Lookup::Found(w) => w.edges.len(),
                    _ => 0,
                };
                cited.insert(n.id.clone(), citers);
            }
        }
    }
    if let Some((id, _)) = cited.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
        out.push(Example {
            what: "Citations: the cables that cite one cable",
            query: format!("cites:{id}"),
            sort: Sort::Date,
            facets: FacetSet::NONE,
        });
    }

    let facet_query = top(&all, "tag").map_or_else(|| "*".to_string(), |t| format!("tag:{t}"));
    out.push(Example {
        what: "Facets: where, how classified and when, for one TAG (the table prints them under the hits)",
        query: facet_query,
        sort: Sort::Relevance,
        facets: FacetSet::ALL,
    });
    Ok(out)
}

fn search_command(arch: &str, ex: &Example) -> String {
    let sort = match ex.sort {
        Sort::Relevance => "",
        Sort::Date => " --sort date",
        Sort::DateDesc => " --sort -date",
    };
    format!(
        "cablescope search --archive {arch} '{}'{sort} --limit 3",
        ex.query
    )
}

fn print_hits(r: &SearchResults, facets: bool) {
    println!("    {} matches", thousands(r.total));
    if facets {
        for name in ["origin", "classification", "year"] {
            let Some(buckets) = r.facets.get(name) else {
                continue;
            };
            let mut shown: Vec<&(String, u64)> = buckets.iter().collect();
            if name == "year" {
                // Histogram by date: show the busiest years.
                shown.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            }
            let line: Vec<String> = shown
                .iter()
                .take(5)
                .map(|(v, n)| format!("{v} {}", thousands(*n)))
                .collect();
            println!("    {name:14} {}", line.join(", "));
        }
        return;
    }
    let idw = r.hits.iter().map(|h| h.id.len()).max().unwrap_or(2);
    let clw = r
        .hits
        .iter()
        .map(|h| h.classification.as_deref().unwrap_or("").len())
        .max()
        .unwrap_or(0);
    for h in &r.hits {
        let day = h.created.as_deref().and_then(|c| c.get(..10)).unwrap_or("");
        println!(
            "    {:idw$}  {:10}  {:clw$}  {}",
            h.id,
            day,
            h.classification.as_deref().unwrap_or(""),
            h.subject.as_deref().unwrap_or("")
        );
    }
}

/// A new, empty folder under the system's temporary directory.
fn temp_base() -> anyhow::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let base = std::env::temp_dir().join(format!(
        "cablescope-demo-{}-{:x}",
        std::process::id(),
        nanos % 0xffff_ffff
    ));
    fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    Ok(base)
}

/// Bytes of every file under `dir`.
fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

/// `20000` → `20,000`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `s` as one shell word: as is when plain, else single-quoted.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn shell_word_quotes_when_needed() {
        assert_eq!(shell_word("/tmp/a-b_1"), "/tmp/a-b_1");
        assert_eq!(shell_word("/tmp/my dir"), "'/tmp/my dir'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
