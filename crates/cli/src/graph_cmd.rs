//! `cablescope refs` (walk the reference graph from one cable) and `cablescope
//! graph` (export the citation graph of the cables a query matches).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_archive::store::Store;
use cablescope_archive::{Direction, Sort};
use clap::{Args, ValueEnum};

use crate::archive_opts::{ok_on_broken_pipe, print_json, resolve_id, ArchiveArg, TextOrJson};
use crate::search_cmd::{for_each_match, parse_query};

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
    /// The cable id, written loosely.
    #[arg(required = true, num_args = 1..)]
    id: Vec<String>,
}

/// Runs `cablescope refs`: 0, or 1 when the start cable is not in the archive.
pub fn run_refs(args: RefsArgs) -> anyhow::Result<ExitCode> {
    let archive = args.archive.open_existing()?;
    let written = args.id.join(" ");
    let id = resolve_id(&archive, &written)?;
    let direction = match args.direction {
        DirectionArg::Cites => Direction::Cites,
        DirectionArg::CitedBy => Direction::CitedBy,
        DirectionArg::Both => Direction::Both,
    };
    let walk = archive.refs(&id, direction, args.depth)?;
    let start_present = walk.nodes.first().is_some_and(|n| n.present);
    if !start_present {
        eprintln!("cablescope: error: no cable {written} in the archive");
        return Ok(ExitCode::from(1));
    }
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    #[serde(flatten)]
                    walk: &'a cablescope_archive::RefWalk,
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
                    writeln!(out, "{}{rel}{}{miss}", "  ".repeat(n.depth as usize), n.id)?;
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
    /// The cables whose citations are exported, as a query in one argument
    /// (default `*`: all).
    #[arg(allow_hyphen_values = true)]
    query: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
struct GNode {
    id: String,
    present: bool,
    matched: bool,
    created: Option<String>,
    origin: Option<String>,
    classification: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
struct GEdge {
    from: String,
    to: String,
    label: String,
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

const NODE_ATTRS: [&str; 5] = ["present", "matched", "created", "origin", "classification"];

fn attrs(n: &GNode) -> [(usize, String); 5] {
    [
        (0, n.present.to_string()),
        (1, n.matched.to_string()),
        (2, n.created.clone().unwrap_or_default()),
        (3, n.origin.clone().unwrap_or_default()),
        (4, n.classification.clone().unwrap_or_default()),
    ]
}

fn write_graphml(out: &mut dyn Write, nodes: &[GNode], edges: &[GEdge]) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (i, a) in NODE_ATTRS.iter().enumerate() {
        let ty = if i < 2 { "boolean" } else { "string" };
        writeln!(
            out,
            r#"  <key id="d{i}" for="node" attr.name="{a}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(
        out,
        r#"  <key id="e0" for="edge" attr.name="label" attr.type="string"/>"#
    )?;
    writeln!(out, r#"  <graph id="citations" edgedefault="directed">"#)?;
    for n in nodes {
        writeln!(out, r#"    <node id="{}">"#, xml(&n.id))?;
        for (i, v) in attrs(n) {
            if !v.is_empty() {
                writeln!(out, r#"      <data key="d{i}">{}</data>"#, xml(&v))?;
            }
        }
        writeln!(out, "    </node>")?;
    }
    for (i, e) in edges.iter().enumerate() {
        writeln!(
            out,
            r#"    <edge id="e{i}" source="{}" target="{}"><data key="e0">{}</data></edge>"#,
            xml(&e.from),
            xml(&e.to),
            xml(&e.label)
        )?;
    }
    writeln!(out, "  </graph>\n</graphml>")
}

fn write_gexf(out: &mut dyn Write, nodes: &[GNode], edges: &[GEdge]) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<gexf xmlns="http://gexf.net/1.3" version="1.3">"#)?;
    writeln!(out, r#"  <meta><creator>cablescope</creator></meta>"#)?;
    writeln!(out, r#"  <graph defaultedgetype="directed" mode="static">"#)?;
    writeln!(out, r#"    <attributes class="node">"#)?;
    for (i, a) in NODE_ATTRS.iter().enumerate() {
        let ty = if i < 2 { "boolean" } else { "string" };
        writeln!(
            out,
            r#"      <attribute id="{i}" title="{a}" type="{ty}"/>"#
        )?;
    }
    writeln!(out, "    </attributes>\n    <nodes>")?;
    for n in nodes {
        writeln!(
            out,
            r#"      <node id="{id}" label="{id}"><attvalues>"#,
            id = xml(&n.id)
        )?;
        for (i, v) in attrs(n) {
            if !v.is_empty() {
                writeln!(out, r#"        <attvalue for="{i}" value="{}"/>"#, xml(&v))?;
            }
        }
        writeln!(out, "      </attvalues></node>")?;
    }
    writeln!(out, "    </nodes>\n    <edges>")?;
    for (i, e) in edges.iter().enumerate() {
        writeln!(
            out,
            r#"      <edge id="{i}" source="{}" target="{}" label="{}"/>"#,
            xml(&e.from),
            xml(&e.to),
            xml(&e.label)
        )?;
    }
    writeln!(out, "    </edges>\n  </graph>\n</gexf>")
}

/// Runs `cablescope graph`: the matched cables, what they cite (present or
/// missing), and the edges.
pub fn run_graph(args: GraphArgs) -> anyhow::Result<ExitCode> {
    let q = args.query.clone().unwrap_or_else(|| "*".to_string());
    let parsed = match parse_query(&q) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let archive = args.archive.open_existing()?;
    let mut nodes: BTreeMap<String, GNode> = BTreeMap::new();
    for_each_match(&archive, &parsed, Sort::Date, &mut |h| {
        nodes.insert(
            h.id.clone(),
            GNode {
                id: h.id.clone(),
                present: true,
                matched: true,
                created: h.created.clone(),
                origin: h.origin.clone(),
                classification: h.classification.clone(),
            },
        );
        Ok(())
    })?;
    let mut edges = Vec::new();
    let mut targets = BTreeSet::new();
    for id in nodes.keys() {
        for e in archive.store().cites(id)? {
            targets.insert(e.to.clone());
            edges.push(GEdge {
                from: e.from,
                to: e.to,
                label: e.label,
            });
        }
    }
    for t in targets {
        if !nodes.contains_key(&t) {
            let present = archive.store().cable(&t)?.is_some();
            nodes.insert(
                t.clone(),
                GNode {
                    id: t,
                    present,
                    ..GNode::default()
                },
            );
        }
    }
    let nodes: Vec<GNode> = nodes.into_values().collect();
    ok_on_broken_pipe((|| {
        let mut out = BufWriter::new(io::stdout().lock());
        match args.format {
            GraphFormat::Graphml => write_graphml(&mut out, &nodes, &edges)?,
            GraphFormat::Gexf => write_gexf(&mut out, &nodes, &edges)?,
            GraphFormat::Json => {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({"nodes": nodes, "edges": edges}),
                )?;
                writeln!(out)?;
            }
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })())
}
