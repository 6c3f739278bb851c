//! The index schema: its fields ([`Fields`], [`schema`]; meanings in `SCHEMA.md`)
//! and the normalisation that indexing and query translation share ([`norm`]).

use std::collections::HashMap;

use cablescope_format::marking::PortionClass;
use tantivy::schema::{Field, Schema, FAST, INDEXED, STORED, STRING, TEXT};

use crate::error::{Error, Result};

/// The name of the text field of a portion class (`text_s_nf`).
pub fn text_field_name(p: PortionClass) -> String {
    format!("text_{}", p.field_suffix())
}

/// The schema's fields.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Canonical id.
    pub id: Field,
    /// Station + serial.
    pub id_noyear: Field,
    /// Text per portion class (`text_c`, `text_s_nf`, `text_s_x`, ...).
    pub text: HashMap<PortionClass, Field>,
    /// Subject.
    pub subject: Field,
    /// The subject as written, a fast column only (for hits).
    pub subject_line: Field,
    /// Effective marking code of the subject.
    pub subject_mark: Field,
    /// Portion class of the subject.
    pub subject_class: Field,
    /// Portion classes of the cable's portions.
    pub pclass: Field,
    /// The cable's special-control group.
    pub xgate: Field,
    /// Portion marks as stored (for the marks listing of `stats`).
    pub mark_written: Field,
    /// Tags.
    pub tag: Field,
    /// Origin station.
    pub origin: Field,
    /// Full classification string.
    pub classification: Field,
    /// Overall level code.
    pub level: Field,
    /// Captions.
    pub caption: Field,
    /// Cable-wide controls.
    pub caveat: Field,
    /// Portion markings.
    pub marking: Field,
    /// The header's marking (the cable's overall level).
    pub header_mark: Field,
    /// Signers.
    pub signer: Field,
    /// Classifying officers.
    pub classified_by: Field,
    /// Ids cited.
    pub cites: Field,
    /// Scheduled release date ([`crate::declass::schedule`]).
    pub release: Field,
    /// Exemption codes on the DECL line of 25-year-rule cables.
    pub decl_code: Field,
    /// Creation time.
    pub created: Field,
    /// Year.
    pub year: Field,
    /// `YYYYMM`.
    pub month: Field,
    /// Container formats.
    pub format: Field,
    /// Change sequence.
    pub seq: Field,
}

/// Builds the index schema (see `SCHEMA.md`).
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED | FAST);
    b.add_text_field("id_noyear", STRING);
    for p in PortionClass::all() {
        b.add_text_field(&text_field_name(p), TEXT | STORED);
    }
    b.add_text_field("subject", TEXT | STORED);
    // Hits are read from fast columns (`crate::hits`), not from the
    // stored document, which only snippets need. The subject as a column of its
    // own, not indexed: a fast `subject` would turn range queries on its words
    // into ranges over whole subjects.
    b.add_text_field("subject_line", FAST);
    b.add_text_field("subject_mark", STRING | STORED);
    b.add_text_field("subject_class", STRING | STORED | FAST);
    b.add_text_field("pclass", STRING);
    b.add_text_field("xgate", STRING | STORED | FAST);
    b.add_text_field("mark_written", STRING | FAST);
    b.add_text_field("tag", STRING | FAST);
    b.add_text_field("origin", STRING | FAST);
    b.add_text_field("classification", STRING | FAST);
    b.add_text_field("level", STRING | FAST);
    b.add_text_field("caption", STRING | FAST);
    b.add_text_field("caveat", STRING);
    b.add_text_field("marking", STRING | FAST);
    b.add_text_field("header_mark", STRING);
    b.add_text_field("signer", TEXT);
    b.add_text_field("classified_by", TEXT);
    b.add_text_field("cites", STRING | FAST);
    b.add_date_field("release", INDEXED | STORED | FAST);
    b.add_text_field("decl_code", STRING | FAST);
    b.add_date_field("created", INDEXED | STORED | FAST);
    b.add_u64_field("year", INDEXED | FAST);
    b.add_u64_field("month", INDEXED | FAST);
    b.add_text_field("format", STRING);
    b.add_u64_field("seq", STORED | FAST);
    b.build()
}

impl Fields {
    /// Every field of words a reader searches as text: the text of each portion
    /// class and the subject, in a fixed order. For looking words up in the
    /// dictionaries (stems, spelling); a search gates each field on its own.
    pub fn all_text(&self) -> Vec<Field> {
        let mut v: Vec<Field> = self.text.values().copied().collect();
        v.sort();
        v.push(self.subject);
        v
    }

    /// Looks the fields up in `schema`.
    pub fn new(schema: &Schema) -> Result<Fields> {
        let f = |n: &str| {
            schema
                .get_field(n)
                .map_err(|_| Error::Other(format!("index schema lacks field {n}")))
        };
        let mut text = HashMap::new();
        for p in PortionClass::all() {
            text.insert(p, f(&text_field_name(p))?);
        }
        Ok(Fields {
            id: f("id")?,
            id_noyear: f("id_noyear")?,
            text,
            subject: f("subject")?,
            subject_line: f("subject_line")?,
            subject_mark: f("subject_mark")?,
            subject_class: f("subject_class")?,
            pclass: f("pclass")?,
            xgate: f("xgate")?,
            mark_written: f("mark_written")?,
            tag: f("tag")?,
            origin: f("origin")?,
            classification: f("classification")?,
            level: f("level")?,
            caption: f("caption")?,
            caveat: f("caveat")?,
            marking: f("marking")?,
            header_mark: f("header_mark")?,
            signer: f("signer")?,
            classified_by: f("classified_by")?,
            cites: f("cites")?,
            release: f("release")?,
            decl_code: f("decl_code")?,
            created: f("created")?,
            year: f("year")?,
            month: f("month")?,
            format: f("format")?,
            seq: f("seq")?,
        })
    }
}

/// Normalisation shared by indexing and query translation.
pub mod norm {
    use cablescope_format::{parse_id, CableId};

    /// The (field, term) pair that finds a written cable id: `("id", "08MOSCOW1599")`
    /// for `08 MOSCOW 01599` or `08MOSCOW1599`, `("id_noyear", "MOSCOW1599")` for
    /// `MOSCOW 1599`. `None` when the text is not an id.
    pub fn id_terms(s: &str) -> Option<(&'static str, String)> {
        let t = s.trim();
        let starts_with_year = t.len() > 2 && t.as_bytes()[..2].iter().all(u8::is_ascii_digit);
        if starts_with_year {
            if let Some(id) = parse_id(t, None) {
                return Some(("id", id.to_string()));
            }
        }
        let up = t.to_ascii_uppercase();
        let split = up.rfind(|c: char| !c.is_ascii_digit())? + 1;
        let (station, serial) = up.split_at(split);
        let serial: u64 = serial.parse().ok()?;
        let station: String = station
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        if station.is_empty() {
            return None;
        }
        let id = CableId::new(2000, &station, serial);
        Some(("id_noyear", format!("{}{}", id.station, id.serial)))
    }

    /// An `origin:` value as indexed: a station code (`MOSCOW`); plain-language
    /// names (`AMEMBASSY MOSCOW`, `Embassy Moscow`) and routing indicators (the
    /// `RUEHMO` of a DE line) are mapped to their station.
    pub fn origin(s: &str) -> String {
        let t = s.trim();
        if t.contains(char::is_whitespace) {
            let st = cablescope_format::station::station_from_name(t);
            if !st.is_empty() {
                return st;
            }
        }
        let up = upper(t);
        if !cablescope_format::station::is_known_station(&up) {
            if let Some((station, _)) = cablescope_format::station::by_routing_indicator(&up) {
                return station.to_string();
            }
        }
        up
    }

    /// The `id_noyear` term of a canonical id (`08MOSCOW1599` → `MOSCOW1599`).
    pub fn noyear(id: &str) -> String {
        id.get(2..).unwrap_or("").to_string()
    }

    /// A tag, origin, caption or classification value as indexed: upper-case, trimmed.
    pub fn upper(s: &str) -> String {
        s.trim().to_uppercase()
    }

    /// A `classification:` value as a `level` term (`SECRET` → `S`, `LOU` → `SBU`).
    pub fn level(s: &str) -> Option<&'static str> {
        Some(cablescope_format::marking::Level::parse(s)?.rank_code())
    }

    /// A `marking:` value as indexed: read with the portion-mark grammar, the
    /// level as its rank code, then the controls' codes in their fixed order
    /// (`s//nf` → `S/NF`, `S//ORCON/NOFORN` → `S/NF/OC`, `LOU` → `SBU`, `nf` →
    /// `NF`). REL TO lists are dropped (they restrict no reader). `None` for text
    /// that is no readable mark.
    pub fn marking(s: &str) -> Option<String> {
        use cablescope_format::marking::{Control, PortionMark};
        let m = PortionMark::parse_code(s)?;
        let mut parts: Vec<&str> = Vec::new();
        if let Some(l) = m.level {
            parts.push(l.rank_code());
        }
        for c in Control::ALL {
            if m.controls.contains(&c) {
                parts.push(c.code());
            }
        }
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// Seconds since the epoch of an ISO 8601 time (or date), within the span the
/// index can hold ([`MIN_INDEX_SECS`]..=[`MAX_INDEX_SECS`]): a time outside it is
/// taken as its nearer end.
///
/// Why: tantivy keeps dates as nanoseconds in an `i64` (1677-09-21 to 2262-04-11),
/// and a date beyond that overflowed — a panic in a debug build, a wrapped-around
/// date (so `created:[1000 TO 2010]` silently found nothing) in a release one.
/// Clamped, a bound outside the span means "from the beginning" or "to the end",
/// which is what it says of any cable the index can hold.
pub fn parse_time(s: &str) -> Option<i64> {
    let secs = if let Ok(t) = s.parse::<jiff::Timestamp>() {
        t.as_second()
    } else {
        let d: jiff::civil::Date = s.get(..10)?.parse().ok()?;
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_second()
    };
    Some(secs.clamp(MIN_INDEX_SECS, MAX_INDEX_SECS))
}

/// The earliest time the index holds, in seconds since the epoch (tantivy's
/// nanosecond `i64`, whole seconds).
pub const MIN_INDEX_SECS: i64 = i64::MIN / 1_000_000_000 + 1;
/// The latest time the index holds, in seconds since the epoch.
pub const MAX_INDEX_SECS: i64 = i64::MAX / 1_000_000_000 - 1;
