//! Writing a corpus to disk: telegram files, one `cables.csv`, or viewer pages,
//! plus `truth.jsonl`.
//!
//! Cables are written in chunks: each chunk is composed in parallel (rayon), then
//! its files are written (in parallel for one-file-per-cable formats, whose bytes
//! do not depend on the order of writing) and its truth lines appended in index
//! order, so the output is the same for any number of threads.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::compose::{Cable, Container, LineKind};
use crate::plan::Plan;
use crate::rng::Rng;

/// Random stream for container details (release dates).
const STREAM_CONTAINER: u64 = 21;

/// Cables composed per parallel batch.
const CHUNK: usize = 4096;

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// One raw telegram per file, `YYYY/MM/<id>.txt`.
    Telegram,
    /// One `cables.csv` in the September 2011 dump's layout.
    CablesCsv,
    /// One viewer page (2011 template shape) per file, `cable/YYYY/MM/<id>.html`.
    Html,
}

impl OutputFormat {
    /// The compose-time container.
    pub(crate) fn container(self) -> Container {
        match self {
            OutputFormat::Telegram => Container::Telegram,
            OutputFormat::CablesCsv => Container::Csv,
            OutputFormat::Html => Container::Html,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Cables written.
    pub cables: usize,
    /// Cable files written (1 for `cables.csv`), `truth.jsonl` not counted.
    pub files: usize,
    /// Bytes of cable output (files or the CSV), `truth.jsonl` not counted.
    pub bytes: u64,
    /// Bytes of `truth.jsonl`.
    pub truth_bytes: u64,
}

/// Generates `count` cables with `seed` into `out` (created if missing), in
/// `format`, with `truth.jsonl` beside them. The same arguments give the same
/// bytes.
pub fn generate(count: usize, seed: u64, format: OutputFormat, out: &Path) -> io::Result<Stats> {
    fs::create_dir_all(out)?;
    let plan = Plan::new(count, seed);
    let mut truth_out = BufWriter::with_capacity(1 << 20, File::create(out.join("truth.jsonl"))?);
    let mut csv_out = match format {
        OutputFormat::CablesCsv => Some(BufWriter::with_capacity(
            1 << 22,
            File::create(out.join("cables.csv"))?,
        )),
        _ => None,
    };
    let mut stats = Stats {
        cables: count,
        files: usize::from(format == OutputFormat::CablesCsv),
        ..Stats::default()
    };
    if format != OutputFormat::CablesCsv {
        // Every year/month folder up front: one `mkdir` per folder, not a `stat`
        // per file.
        let mut dirs: Vec<(i32, u8)> = plan.slots.iter().map(|s| (s.year, s.month)).collect();
        dirs.dedup();
        let base = if format == OutputFormat::Html {
            out.join("cable")
        } else {
            out.to_path_buf()
        };
        for (y, m) in dirs {
            fs::create_dir_all(base.join(format!("{y:04}/{m:02}")))?;
        }
    }
    let mut start = 0;
    while start < count {
        let end = (start + CHUNK).min(count);
        let items: Vec<(String, Vec<u8>, Vec<u8>)> = (start..end)
            .into_par_iter()
            .map(|k| render(&plan, k, format))
            .collect::<io::Result<_>>()?;
        match csv_out.as_mut() {
            Some(w) => {
                for (_, bytes, _) in &items {
                    w.write_all(bytes)?;
                    stats.bytes += bytes.len() as u64;
                }
            }
            None => {
                let written: u64 = items
                    .par_iter()
                    .map(|(path, bytes, _)| -> io::Result<u64> {
                        fs::write(out.join(path), bytes)?;
                        Ok(bytes.len() as u64)
                    })
                    .sum::<io::Result<u64>>()?;
                stats.bytes += written;
                stats.files += items.len();
            }
        }
        for (_, _, truth) in &items {
            truth_out.write_all(truth)?;
            stats.truth_bytes += truth.len() as u64;
        }
        start = end;
    }
    if let Some(mut w) = csv_out {
        w.flush()?;
    }
    truth_out.flush()?;
    Ok(stats)
}

/// Composes cable `k` and renders it: (relative path, file bytes or CSV row, truth
/// line).
fn render(plan: &Plan, k: usize, format: OutputFormat) -> io::Result<(String, Vec<u8>, Vec<u8>)> {
    let mut cable = crate::compose::compose(plan, k, format.container());
    let slot = plan.slots[k];
    let id = cable.truth.id.clone();
    let (path, bytes) = match format {
        OutputFormat::Telegram => (
            format!("{:04}/{:02}/{id}.txt", slot.year, slot.month),
            cable.telegram().into_bytes(),
        ),
        OutputFormat::Html => (
            format!("cable/{:04}/{:02}/{id}.html", slot.year, slot.month),
            viewer_page(plan, k, &cable).into_bytes(),
        ),
        OutputFormat::CablesCsv => (
            format!("cables.csv#{}", k + 1),
            csv_row(k + 1, &cable).into_bytes(),
        ),
    };
    cable.truth.file = path.clone();
    let mut truth = serde_json::to_vec(&cable.truth).map_err(io::Error::other)?;
    truth.push(b'\n');
    Ok((path, bytes, truth))
}

/// A CSV field: quoted, `"` escaped as `\"` (the dump's convention).
fn csv_field(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// One row of `cables.csv`: row id, `M/D/YYYY H:MM`, id, origin, classification,
/// references, header, body.
pub fn csv_row(row: usize, cable: &Cable) -> String {
    let t = &cable.truth;
    // created is `YYYY-MM-DDTHH:MM:00Z`
    let (y, mo, d, h, mi) = (
        &t.created[0..4],
        t.created[5..7].trim_start_matches('0'),
        t.created[8..10].trim_start_matches('0'),
        t.created[11..13].trim_start_matches('0'),
        &t.created[14..16],
    );
    let h = if h.is_empty() { "0" } else { h };
    let mut s = String::with_capacity(cable.body.len() * 70 + 1024);
    csv_field(&mut s, &row.to_string());
    s.push(',');
    csv_field(&mut s, &format!("{mo}/{d}/{y} {h}:{mi}"));
    s.push(',');
    csv_field(&mut s, &t.id);
    s.push(',');
    csv_field(&mut s, &cable.origin_label);
    s.push(',');
    csv_field(&mut s, &t.classification);
    s.push(',');
    csv_field(&mut s, &cable.dump_references.join("|"));
    s.push(',');
    csv_field(&mut s, &cable.header_text());
    s.push(',');
    csv_field(&mut s, &cable.body_text());
    s.push('\n');
    s
}

/// Escapes text for a `<pre>` block: `&`, `<`, `>`, `'`, and newlines as
/// `&#x000A;` like the viewer.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#x000A;"),
            c => out.push(c),
        }
    }
}

/// A viewer page in the 2011 template's shape (our own markup and wording): a
/// release-date picker, the metadata table, the header and body `<pre>` blocks
/// with TAGS links and paragraph anchors.
pub fn viewer_page(plan: &Plan, k: usize, cable: &Cable) -> String {
    let t = &cable.truth;
    let slot = plan.slots[k];
    let mut r = Rng::new(plan.seed, STREAM_CONTAINER, k as u64);
    // Release dates ran from 2010-11-28 into 2011; the Created cell keeps the
    // viewer's known defect (minutes = hour mod 12).
    let rel_day = r.below(270);
    let (rel_y, rel_m, rel_d) = release_date(rel_day);
    let created_cell = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        slot.year,
        slot.month,
        slot.day,
        slot.hour,
        slot.hour % 12
    );
    let subject_head = t.subject.split(',').next().unwrap_or("");
    let mut s = String::with_capacity(cable.body.len() * 80 + 4096);
    s.push_str("<?xml version='1.0' encoding='utf-8' ?>\n");
    s.push_str("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n");
    s.push_str("<html lang='en' xml:lang='en' xmlns='http://www.w3.org/1999/xhtml'>\n<head>\n<title>Cable Viewer</title>\n");
    s.push_str("<link href='/static/css/viewer.css' rel='stylesheet' type='text/css' />\n</head>\n<body>\n<div class='main'>\n<div class='pane small'>\n");
    s.push_str("<a href='/about.html'>\n<img alt='banner' src='/static/gfx/ja-cg.jpg' />\n</a>\n");
    s.push_str("<div id='browse'>\n<h3>Releases by month</h3>\n<div class='pick'>\n");
    for (ym, label) in [
        ("201011", "2010/11"),
        ("201012", "2010/12"),
        ("201101", "2011/01"),
    ] {
        s.push_str(&format!(
            "<a class='sort fix' href='#rdate_{ym}' onclick=\"return swap('rdate_{ym}');\">{label}</a>\n"
        ));
    }
    s.push_str("</div>\n");
    s.push_str(&format!(
        "<div class='sort' id='rdate_{rel_y:04}{rel_m:02}'>\n<a href='/reldate/{rel_y:04}-{rel_m:02}-{rel_d:02}_0.html'>{rel_y:04}/{rel_m:02}/{rel_d:02}</a>\n</div>\n"
    ));
    s.push_str("</div>\n</div>\n<div class='pane big'>\n<h3>Viewing cable ");
    s.push_str(&t.id);
    s.push_str(", ");
    escape_into(&mut s, subject_head);
    s.push_str("</h3>\n<div>\nA synthetic page written by the cablescope generator.\n</div>\n");
    s.push_str("<table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n<th>Released</th>\n<th>Classification</th>\n<th>Origin</th>\n</tr>\n<tr>\n");
    s.push_str(&format!(
        "<td>\n<a href='/cable/{:04}/{:02}/{}.html'>{}</a>\n</td>\n",
        slot.year, slot.month, t.id, t.id
    ));
    s.push_str(&format!(
        "<td>\n<a href='/date/{:04}-{:02}_0.html'>{created_cell}</a>\n</td>\n",
        slot.year, slot.month
    ));
    s.push_str(&format!(
        "<td>\n<a href='/reldate/{rel_y:04}-{rel_m:02}-{rel_d:02}_0.html'>{rel_y:04}-{rel_m:02}-{rel_d:02} {:02}:{:02}</a>\n</td>\n",
        r.below(24),
        r.below(60)
    ));
    s.push_str(&format!(
        "<td>\n<a href='/classification/{}_0.html' title='{}'>{}</a>\n</td>\n",
        r.below(6),
        t.classification.to_lowercase(),
        t.classification
    ));
    s.push_str("<td>\n<a href='/origin/");
    s.push_str(&(k % 300).to_string());
    s.push_str("_0.html'>");
    escape_into(&mut s, &cable.origin_label);
    s.push_str("</a>\n</td>\n</tr>\n</table>\n");

    // Header block (a partial-extract note when the envelope is lost).
    s.push_str("<code><pre>");
    if cable.header.is_empty() {
        s.push_str("This record is a partial extract of the original cable. The full envelope is not shown.");
    } else {
        escape_into(&mut s, &cable.header_text());
    }
    s.push_str("</pre></code>\n<code><pre>");
    for (i, (kind, line)) in cable.body.iter().enumerate() {
        if i > 0 {
            s.push_str("&#x000A;");
        }
        match kind {
            LineKind::Plain => escape_into(&mut s, line),
            LineKind::Paragraph(n) => {
                s.push_str(&format!("<a id='par{n}' href='#par{n}'>¶</a>"));
                escape_into(&mut s, line);
            }
            LineKind::Tags => {
                let rest = line.strip_prefix("TAGS: ").unwrap_or(line);
                s.push_str("TAGS: ");
                for (j, tok) in rest.split(' ').enumerate() {
                    if j > 0 {
                        s.push(' ');
                    }
                    let tag = tok.trim_end_matches(',');
                    if tag.is_empty() {
                        s.push_str(tok);
                    } else {
                        s.push_str(&format!("<a href='/tag/{tag}_0.html'>{tag}</a>"));
                        s.push_str(&tok[tag.len()..]);
                    }
                }
            }
        }
    }
    s.push_str("</pre></code>\n</div>\n</div>\n<script src='/static/js/cables.js' type='text/javascript'></script>\n</body>\n</html>\n");
    s
}

/// The date `n` days after 2010-11-28.
fn release_date(n: u64) -> (i32, u32, u32) {
    let (mut y, mut m, mut d) = (2010, 11u32, 28u32);
    for _ in 0..n {
        d += 1;
        if d > crate::plan::days_in_month(y, m) {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
    (y, m, d)
}
