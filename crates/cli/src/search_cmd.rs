//! `cablescope search` (a page of hits, facets, a cursor) and `cablescope export`
//! (every match, streamed), and what every reading command shares: who reads
//! ([`Reader`]: the token's user, `--as-of`) and their session
//! (`cablescope_access::Session`), through which every read is made, redacted and
//! audited.
//!
//! Every reading command shows only what the reader may see: a cable they may not
//! see is "not found" like an unknown id, and is counted nowhere.

use cablescope_access::FacetSet;
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

use std::process::ExitCode;

use cablescope_access::declass::Date;
use cablescope_access::query::Query;
use cablescope_access::{Auditor, Error, Hit, Library, Page, SearchResults, Session, Sort, Viewer};
use clap::{Args, ValueEnum};

use crate::archive_opts::{ok_on_broken_pipe, ArchiveArg, EXIT_USAGE};

/// Parses `--as-of` and `--before` dates (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`, `today`).
pub fn parse_date_arg(s: &str) -> Result<Date, String> {
    cablescope_access::declass::parse_date(s).map_err(|e| e.to_string())
}

/// The reader of a reading command: the archive, who reads it, at which date, and
/// the audit sink of their reads.
pub struct Reader {
    /// The archive, open for reading.
    pub library: Library,
    /// Who reads (anonymous when the archive has no users).
    pub viewer: Viewer,
    auditor: Auditor,
    as_of: Option<Date>,
}

impl Reader {
    /// Checks the token (exit status 3 when refused) and opens the archive.
    pub fn open(arg: &ArchiveArg, as_of: Option<Date>) -> anyhow::Result<Reader> {
        arg.check_exists()?;
        let viewer = arg.viewer()?;
        let library = arg.open_existing()?;
        Ok(Reader {
            auditor: Auditor::new(arg.access()),
            library,
            viewer,
            as_of,
        })
    }

    /// The reader's session: every read of the command goes through it.
    pub fn session(&self) -> anyhow::Result<Session<'_>> {
        Ok(self
            .library
            .session(&self.viewer, self.as_of, &self.auditor)?)
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Best match first (BM25).
    Relevance,
    /// Oldest first.
    Date,
    /// Newest first.
    #[value(name = "-date")]
    DateDesc,
}

impl From<SortArg> for Sort {
    fn from(s: SortArg) -> Sort {
        match s {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
            SortArg::DateDesc => Sort::DateDesc,
        }
    }
}

/// Output of `search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchFormat {
    /// Aligned columns, with the facets and the next cursor below.
    Table,
    /// Alias of `table`.
    Text,
    /// One object `{total, hits, facets, next_cursor}`.
    Json,
    /// One hit per line.
    Jsonl,
    /// id, created, classification, origin, tags, subject, score.
    Csv,
}

/// Arguments of `cablescope search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Result order.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance, allow_hyphen_values = true)]
    sort: SortArg,
    /// Hits per page (at least 1).
    #[arg(long, default_value_t = 20, value_parser = parse_limit)]
    limit: usize,
    /// Continue after the page that printed this cursor.
    #[arg(long)]
    cursor: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SearchFormat::Table)]
    format: SearchFormat,
    /// Read the archive as of this date (declassification; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
    /// The query; several words join into one query (`search iran nuclear` is
    /// `search "iran nuclear"`); `*` matches every cable. The first word may
    /// start with `-` (`search "-iraq iran"`); a later one goes after `--`. See
    /// `cablescope search --help` for the language.
    #[arg(allow_hyphen_values = true)]
    query: String,
    /// More words of the query.
    #[arg(num_args = 0.., hide = true)]
    more: Vec<String>,
}

/// The query words as one query (`*` for none).
fn join_query(first: Option<&str>, more: &[String]) -> String {
    let words: Vec<&str> = first
        .into_iter()
        .chain(more.iter().map(String::as_str))
        .collect();
    if words.is_empty() {
        "*".to_string()
    } else {
        words.join(" ")
    }
}

/// `--limit`: a page of no hits is no page.
fn parse_limit(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (a page of no hits; use --format json and read `total` for a count)".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Output of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One full record per line.
    Jsonl,
    /// id, created, classification, origin, tags, subject.
    Csv,
}

/// Arguments of `cablescope export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    format: ExportFormat,
    /// Order of the records.
    #[arg(long, value_enum, default_value_t = SortArg::Date, allow_hyphen_values = true)]
    sort: SortArg,
    /// Read the archive as of this date (declassification; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
    /// The query; several words join into one query; `*` (the default) exports
    /// every cable. The first word may start with `-`.
    #[arg(allow_hyphen_values = true)]
    query: Option<String>,
    /// More words of the query.
    #[arg(num_args = 0.., hide = true)]
    more: Vec<String>,
}

/// Parses `q`, printing a syntax error with a caret under its position.
pub fn parse_query(q: &str) -> Result<Query, ExitCode> {
    cablescope_access::query::parse(q).map_err(|e| {
        eprintln!(
            "cablescope: error: query syntax error at position {}:",
            e.position
        );
        eprintln!("{}", e.render(q));
        ExitCode::from(EXIT_USAGE)
    })
}

fn usage_error(e: &Error) -> Option<ExitCode> {
    match e {
        Error::Cursor(m) => {
            eprintln!("cablescope: error: bad cursor: {m}; start again without --cursor");
            Some(ExitCode::from(EXIT_USAGE))
        }
        Error::Query(q) => {
            eprintln!("cablescope: error: {q}");
            Some(ExitCode::from(EXIT_USAGE))
        }
        _ => None,
    }
}

#[derive(serde::Serialize)]
struct Bucket<'a> {
    value: &'a str,
    count: u64,
}

#[derive(serde::Serialize)]
struct JsonPage<'a> {
    total: u64,
    hits: &'a [Hit],
    facets: BTreeMap<&'a str, Vec<Bucket<'a>>>,
    next_cursor: Option<&'a str>,
}

fn facets(r: &SearchResults) -> BTreeMap<&str, Vec<Bucket<'_>>> {
    cablescope_access::FACETS
        .iter()
        .filter_map(|name| {
            let (k, v) = r.facets.get_key_value(*name)?;
            Some((
                k.as_str(),
                v.iter()
                    .map(|(value, count)| Bucket {
                        value,
                        count: *count,
                    })
                    .collect(),
            ))
        })
        .collect()
}

/// `created` as a date (`2008-06-05`).
fn day(h: &Hit) -> &str {
    h.created.as_deref().and_then(|c| c.get(..10)).unwrap_or("")
}

/// Snippet HTML as terminal text: `<b>x</b>` → `[x]`, entities decoded.
fn plain_snippet(s: &str) -> String {
    s.replace("<b>", "[")
        .replace("</b>", "]")
        .replace('\n', " ")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn write_table(out: &mut dyn Write, r: &SearchResults) -> io::Result<()> {
    let idw = r.hits.iter().map(|h| h.id.len()).max().unwrap_or(2).max(2);
    let clw = r
        .hits
        .iter()
        .map(|h| h.classification.as_deref().unwrap_or("").len())
        .max()
        .unwrap_or(0)
        .max(14);
    writeln!(
        out,
        "{:idw$}  {:10}  {:clw$}  SUBJECT",
        "ID", "CREATED", "CLASSIFICATION"
    )?;
    for h in &r.hits {
        writeln!(
            out,
            "{:idw$}  {:10}  {:clw$}  {}",
            h.id,
            day(h),
            h.classification.as_deref().unwrap_or(""),
            h.subject.as_deref().unwrap_or("")
        )?;
        if let Some(s) = h.snippet.as_deref().filter(|s| !s.is_empty()) {
            writeln!(out, "{:idw$}  {}", "", plain_snippet(s))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{} of {} matches", r.hits.len(), r.total)?;
    for (name, buckets) in facets(r) {
        if buckets.is_empty() {
            continue;
        }
        let shown: Vec<String> = buckets
            .iter()
            .take(10)
            .map(|b| format!("{} {}", b.value, b.count))
            .collect();
        let more = if buckets.len() > 10 { ", ..." } else { "" };
        writeln!(out, "{name}: {}{more}", shown.join(", "))?;
    }
    if let Some(c) = &r.next_cursor {
        writeln!(out, "next page: --cursor {c}")?;
    }
    Ok(())
}

fn csv_err(e: csv::Error) -> anyhow::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => anyhow::anyhow!("csv: {other:?}"),
    }
}

/// Runs `cablescope search`: 0 ok, 2 for a bad query or cursor.
pub fn run_search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let q = join_query(Some(&args.query), &args.more);
    let parsed = match parse_query(&q) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    for h in cablescope_access::query::hints(&q) {
        eprintln!("hint: {h}");
    }
    let reader = Reader::open(&args.archive, args.as_of)?;
    let page = Page {
        limit: args.limit,
        sort: args.sort.into(),
        cursor: args.cursor.clone(),
        facets: if matches!(
            args.format,
            SearchFormat::Json | SearchFormat::Table | SearchFormat::Text
        ) {
            FacetSet::ALL
        } else {
            FacetSet::NONE
        },
        snippets: !matches!(args.format, SearchFormat::Csv),
    };
    let session = reader.session()?;
    let r = match session.search(&q, &parsed, &page) {
        Ok(r) => r,
        Err(e) => {
            if let Some(code) = usage_error(&e) {
                return Ok(code);
            }
            return Err(e.into());
        }
    };
    // "Did you mean", on stderr like the hints: never mixed into the output.
    if args.cursor.is_none() {
        for s in session.suggestions(&q, r.total, 3)? {
            eprintln!(
                "did you mean: {} ({} cable{})",
                s.query,
                s.total,
                if s.total == 1 { "" } else { "s" }
            );
        }
    }
    ok_on_broken_pipe(print_results(&r, args.format))
}

fn print_results(r: &SearchResults, format: SearchFormat) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        SearchFormat::Table | SearchFormat::Text => write_table(&mut out, r)?,
        SearchFormat::Json => {
            serde_json::to_writer(
                &mut out,
                &JsonPage {
                    total: r.total,
                    hits: &r.hits,
                    facets: facets(r),
                    next_cursor: r.next_cursor.as_deref(),
                },
            )?;
            writeln!(out)?;
        }
        SearchFormat::Jsonl => {
            for h in &r.hits {
                serde_json::to_writer(&mut out, h)?;
                writeln!(out)?;
            }
        }
        SearchFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "id",
                "created",
                "classification",
                "origin",
                "tags",
                "subject",
                "score",
            ])
            .map_err(csv_err)?;
            for h in &r.hits {
                use cablescope_access::table_row::cell;
                w.write_record(
                    [
                        cell(&h.id),
                        cell(h.created.as_deref().unwrap_or("")),
                        cell(h.classification.as_deref().unwrap_or("")),
                        cell(h.origin.as_deref().unwrap_or("")),
                        cell(&h.tags.join(" ")),
                        cell(h.subject.as_deref().unwrap_or("")),
                        h.score.to_string().into(),
                    ]
                    .map(|c| c.into_owned()),
                )
                .map_err(csv_err)?;
            }
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `cablescope export`: every match the reader may see, streamed, as
/// redacted records.
pub fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let q = join_query(args.query.as_deref(), &args.more);
    let parsed = match parse_query(&q) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let reader = Reader::open(&args.archive, args.as_of)?;
    let session = reader.session()?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let sort: Sort = args.sort.into();
    // The session checks the audit log before anything is shown and writes the
    // entry (naming what was withheld) when the stream ends, however it ends.
    let result: anyhow::Result<u64> = match args.format {
        ExportFormat::Jsonl => session.export(&q, &parsed, sort, &mut |_| Ok(()), &mut |cable| {
            serde_json::to_writer(&mut out, &cable)?;
            writeln!(out)?;
            Ok::<(), anyhow::Error>(())
        }),
        ExportFormat::Csv => {
            let w = std::cell::RefCell::new(csv::Writer::from_writer(&mut out));
            let r = session.export(
                &q,
                &parsed,
                sort,
                &mut |_| {
                    w.borrow_mut()
                        .write_record(cablescope_access::table_row::HEADER)
                        .map_err(csv_err)
                },
                &mut |c| {
                    w.borrow_mut()
                        .write_record(cablescope_access::table_row::row(&c))
                        .map_err(csv_err)?;
                    Ok::<(), anyhow::Error>(())
                },
            );
            let flushed = w.borrow_mut().flush().map_err(anyhow::Error::from);
            r.and_then(|n| flushed.map(|()| n))
        }
    };
    let result = result.and_then(|n| {
        out.flush()?;
        Ok(n)
    });
    ok_on_broken_pipe(result.map(|_| ExitCode::SUCCESS))
}
