//! `cablescope refs` (walk the reference graph from one cable) and `cablescope
//! graph` (export the citation graph of the cables a query matches), as the reader
//! may see them: a cable they may not see is listed like a missing one, and there
//! are no citations out of a REF list they may not read.

use cablescope_access::FacetSet;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_access::declass::Date;
use cablescope_access::graph_format::{write_gexf, write_graphml};
use cablescope_access::Direction;
use clap::{Args, ValueEnum};

use crate::archive_opts::{ok_on_broken_pipe, print_json, ArchiveArg, TextOrJson};
use crate::search_cmd::{parse_date_arg, parse_query, Reader};
use crate::show_cmd::found;

/// Which edges `refs` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// What the cable cites.
    Cites,
    /// What cites the cable.
    CitedBy,
    /// Both.
    Both,
}

/// Arguments of `cablescope refs`.
#[derive(Debug, Args)]
pub struct RefsArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Which edges to follow.
    #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
    direction: DirectionArg,
    /// How many steps to walk.
    #[arg(long, default_value_t = 1)]
    depth: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Read the archive as of this date (declassification; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
    /// The cable id, written loosely.
    #[arg(required = true, num_args = 1..)]
    id: Vec<String>,
}

/// Runs `cablescope refs`: 0, or 1 when the start cable is not in the archive (or
/// the reader may not see it).
pub fn run_refs(args: RefsArgs) -> anyhow::Result<ExitCode> {
    let reader = Reader::open(&args.archive, args.as_of)?;
    let written = args.id.join(" ");
    let direction = match args.direction {
        DirectionArg::Cites => Direction::Cites,
        DirectionArg::CitedBy => Direction::CitedBy,
        DirectionArg::Both => Direction::Both,
    };
    let session = reader.session()?;
    let walk = match found(&written, session.refs(&written, direction, args.depth)?) {
        Ok(w) => w,
        Err(code) => return Ok(code),
    };
    // Date and subject of every cable met, as the reader may see them: one gated
    // search by id (a withheld subject stays withheld), only for the text output.
    let mut about: std::collections::HashMap<String, (Option<String>, Option<String>)> =
        std::collections::HashMap::new();
    let present: Vec<&str> = walk
        .nodes
        .iter()
        .filter(|n| n.present)
        .map(|n| n.id.as_str())
        .collect();
    if matches!(args.format, TextOrJson::Text) && !present.is_empty() {
        let q = format!("id:({})", present.join(" OR "));
        if let Ok(parsed) = cablescope_access::query::parse(&q) {
            let page = cablescope_access::Page {
                limit: present.len(),
                facets: FacetSet::NONE,
                snippets: false,
                ..Default::default()
            };
            for h in session.search(&q, &parsed, &page)?.hits {
                about.insert(h.id, (h.created, h.subject));
            }
        }
    }
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    #[serde(flatten)]
                    walk: &'a cablescope_access::RefWalk,
                    missing: Vec<&'a str>,
                }
                print_json(&Out {
                    walk: &walk,
                    missing: walk.missing(),
                })?;
            }
            TextOrJson::Text => {
                let mut out = BufWriter::new(io::stdout().lock());
                for n in &walk.nodes {
                    let rel = if n.depth == 0 {
                        String::new()
                    } else {
                        let cites = walk.edges.iter().any(|e| e.to == n.id);
                        let cited = walk.edges.iter().any(|e| e.from == n.id);
                        match (cites, cited) {
                            (true, true) => "cites and cited by: ".into(),
                            (true, false) => "cited: ".into(),
                            _ => "citing: ".into(),
                        }
                    };
                    let miss = if n.present { "" } else { " (missing)" };
                    let detail = match about.get(&n.id) {
                        Some((created, subject)) => format!(
                            "  {}  {}",
                            created
                                .as_deref()
                                .map_or("undated", |c| &c[..c.len().min(10)]),
                            subject.as_deref().unwrap_or("(subject withheld or none)")
                        ),
                        None => String::new(),
                    };
                    writeln!(
                        out,
                        "{}{rel}{}{miss}{detail}",
                        "  ".repeat(n.depth as usize),
                        n.id
                    )?;
                }
                let missing = walk.missing();
                writeln!(
                    out,
                    "{} cables, {} edges, {} missing{}{}",
                    walk.nodes.len(),
                    walk.edges.len(),
                    missing.len(),
                    if missing.is_empty() { "" } else { ": " },
                    missing.join(", ")
                )?;
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}

/// Formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// GraphML (yEd, Gephi, networkx).
    Graphml,
    /// GEXF 1.3 (Gephi).
    Gexf,
    /// `{nodes, edges}`.
    Json,
}

/// Arguments of `cablescope graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Graphml)]
    format: GraphFormat,
    /// Read the archive as of this date (declassification; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
    /// The cables whose citations are exported, as a query in one argument
    /// (default `*`: all).
    #[arg(allow_hyphen_values = true)]
    query: Option<String>,
}

/// Runs `cablescope graph`: the matched cables, what they cite (present, or
/// missing for the reader), and the edges.
pub fn run_graph(args: GraphArgs) -> anyhow::Result<ExitCode> {
    let q = args.query.clone().unwrap_or_else(|| "*".to_string());
    let parsed = match parse_query(&q) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let reader = Reader::open(&args.archive, args.as_of)?;
    let g = reader.session()?.graph(&q, &parsed)?;
    ok_on_broken_pipe((|| {
        let mut out = BufWriter::new(io::stdout().lock());
        match args.format {
            GraphFormat::Graphml => write_graphml(&mut out, &g.nodes, &g.edges)?,
            GraphFormat::Gexf => write_gexf(&mut out, &g.nodes, &g.edges)?,
            GraphFormat::Json => {
                serde_json::to_writer(&mut out, &g)?;
                writeln!(out)?;
            }
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })())
}
