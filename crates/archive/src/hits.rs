//! A page of hits, read from the index's fast columns.
//!
//! A hit shows the cable's id, date, envelope (classification, origin, TAGS:
//! every reader who sees the cable sees them) and its subject when the reader may
//! read it. All of that is in fast columns (`subject_line`, `subject_class` and
//! `xgate` exist for this), so a page needs no stored document: decompressing a
//! stored block per hit cost a tenth of a loaded server's CPU. Only a snippet
//! reads the stored document. The columns are opened once per segment of a page,
//! not once per hit: opening a string column parses its dictionary header, and
//! per hit and field that was over a quarter of a search.

use std::collections::HashMap;

use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::TantivyDocument;
use tantivy::{DateTime, DocAddress, DocId, Searcher, SegmentOrdinal, SegmentReader};

use crate::error::Result;
use crate::gating::{DocGates, ReaderView, Snippets};
use crate::index::Hit;

/// The string columns a hit reads, in the order of [`Columns::strs`].
const STR_COLUMNS: [&str; 7] = [
    "id",
    "subject_line",
    "subject_class",
    "xgate",
    "classification",
    "origin",
    "tag",
];
const ID: usize = 0;
const SUBJECT: usize = 1;
const SUBJECT_CLASS: usize = 2;
const XGATE: usize = 3;
const CLASSIFICATION: usize = 4;
const ORIGIN: usize = 5;
const TAG: usize = 6;

/// The columns of one segment. A column a segment lacks holds no value in it
/// (see [`DocGates`] for why that is safe for the gates).
struct Columns {
    created: Option<Column<DateTime>>,
    strs: [Option<StrColumn>; STR_COLUMNS.len()],
}

impl Columns {
    fn open(seg: &SegmentReader) -> Result<Columns> {
        let ff = seg.fast_fields();
        let mut strs: [Option<StrColumn>; STR_COLUMNS.len()] = Default::default();
        for (slot, name) in strs.iter_mut().zip(STR_COLUMNS) {
            *slot = ff.str(name)?;
        }
        Ok(Columns {
            created: ff.column_opt::<DateTime>("created")?,
            strs,
        })
    }

    /// The values of string column `which` for `doc`.
    fn strs(&self, which: usize, doc: DocId) -> Vec<String> {
        let Some(col) = &self.strs[which] else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut buf = String::new();
        for ord in col.term_ords(doc) {
            buf.clear();
            if col.ord_to_str(ord, &mut buf).is_ok() {
                out.push(buf.clone());
            }
        }
        out
    }

    fn first(&self, which: usize, doc: DocId) -> Option<String> {
        self.strs(which, doc).into_iter().next()
    }
}

/// The hits at `addrs`, in order, as `view`'s reader may see them, with score 0;
/// with a snippet each when `snippets` is given. `ids`: the hits' ids when the
/// caller has them already (the search's collector does), else read here.
pub(crate) fn page(
    searcher: &Searcher,
    view: &ReaderView,
    addrs: &[DocAddress],
    mut ids: Option<Vec<String>>,
    snippets: Option<&Snippets>,
) -> Result<Vec<Hit>> {
    let mut columns: HashMap<SegmentOrdinal, Columns> = HashMap::new();
    let mut hits = Vec::with_capacity(addrs.len());
    for (i, &addr) in addrs.iter().enumerate() {
        let cols = match columns.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Columns::open(searcher.segment_reader(addr.segment_ord))?)
            }
        };
        let doc = addr.doc_id;
        let gates = DocGates {
            subject_class: cols.first(SUBJECT_CLASS, doc),
            groups: cols.strs(XGATE, doc),
        };
        let released = view.doc_released(searcher, addr);
        let subject = if released || view.subject_readable(&gates) {
            cols.first(SUBJECT, doc)
        } else {
            None
        };
        let snippet = match snippets {
            Some(s) => {
                let stored: TantivyDocument = searcher.doc(addr)?;
                s.for_doc(view, &stored, &gates, released)
            }
            None => None,
        };
        hits.push(Hit {
            id: match ids.as_mut().and_then(|ids| ids.get_mut(i)) {
                Some(id) => std::mem::take(id),
                None => cols.first(ID, doc).unwrap_or_default(),
            },
            score: 0.0,
            created: cols
                .created
                .as_ref()
                .and_then(|c| c.first(doc))
                .and_then(|d| jiff::Timestamp::from_second(d.into_timestamp_secs()).ok())
                .map(|t| t.to_string()),
            subject,
            snippet,
            classification: cols.first(CLASSIFICATION, doc),
            origin: cols.first(ORIGIN, doc),
            tags: cols.strs(TAG, doc),
        });
    }
    Ok(hits)
}
