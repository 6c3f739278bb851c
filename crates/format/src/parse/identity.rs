//! The cable's year, id and date (stages 3 to 5 of the parser).
//!
//! The year comes from the DTG, else a date note, else the cable's own id written
//! in an export row inside the text, then the container's year, then the user's
//! hint ([`dating`]). The id comes from the classification line's station and
//! serial, checked against the DE line (which wins when the two name different
//! cables), else the hint, the DE line or an export row ([`identify`]). The date
//! is the DTG's, checked against the DE line's Julian day ([`created`]).

use super::layout::Layout;
use super::{envelope, station_code, Ctx};
use crate::diagnostics::{Code, Diagnostic};
use crate::dtg::{dtg_datetime, iso, julian_datetime, minutes_between};
use crate::id::{parse_id, CableId};
use crate::station::{by_routing_indicator, squash};

re!(
    cable_dated_re,
    r"Cable dated:\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})"
);
re!(
    weekday_re,
    r"(?m)^\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+(\d{1,2})\s+([A-Za-z]+)\s+(\d{4}),\s+(\d{1,2}):(\d{2})\s*$"
);

/// What the text says of its own date and station, before the id is known.
#[derive(Debug, Default)]
pub(super) struct Dating {
    /// A date note or weekday line's date ([`date_note`]).
    pub note_date: Option<jiff::civil::DateTime>,
    /// The station and serial the text writes: on its classification line, else
    /// on a line of their own.
    pub text_station_serial: Option<(String, String)>,
    /// The cable's id written in an export row inside the text: its year, and
    /// the row's date.
    pub written: Option<(i32, Option<jiff::civil::DateTime>)>,
    /// The year the text gives (DTG, date note, written id).
    pub year_from_text: Option<i32>,
    /// The year: the text's, else the container's, else the hint's.
    pub year: Option<i32>,
}

/// The id as resolved, and how.
#[derive(Debug, Default)]
pub(super) struct Identity {
    /// The cable's id.
    pub id: Option<CableId>,
    /// The hint's id, read.
    pub hint_id: Option<CableId>,
    /// True when the header (DE line) and the text name different cables: the id
    /// follows the header.
    pub header_body_mismatch: bool,
}

/// The year and the station and serial the text gives.
pub(super) fn dating(cx: &Ctx<'_>) -> Dating {
    let Ctx {
        hints,
        normalized,
        lay:
            Layout {
                env,
                class_line,
                station_line,
                ..
            },
        ..
    } = cx;
    // The year: the DTG's, else another date the text gives (an extract's date
    // note, a weekday line), else the year of the cable's own id written in an
    // export row inside the text; then the container's, then the user's hint.
    let note_date = date_note(normalized);
    // The station and serial the text writes: on its classification line, else on
    // a line of their own.
    let text_station_serial: Option<(String, String)> = class_line
        .as_ref()
        .and_then(|c| Some((c.station.clone()?, c.serial.clone()?)))
        .or_else(|| station_line.clone());
    let class_ids = text_station_serial
        .as_ref()
        .map(|(st, se)| (station_code(st), se.as_str()))
        .and_then(|(st, se)| Some((st, se.replace('O', "0").parse::<u64>().ok()?)));
    // Only looked for when the text has no DTG or date note (a scan of the text).
    let written = if env.dtg.is_none() && note_date.is_none() {
        class_ids
            .as_ref()
            .and_then(|(st, se)| written_id(normalized, st, *se))
    } else {
        None
    };
    let year_from_text = env
        .dtg
        .as_ref()
        .map(|d| d.year)
        .or(note_date.map(|d| i32::from(d.year())))
        .or(written.as_ref().map(|w| w.0));
    let year = year_from_text.or(hints.container_year).or(hints.year);
    Dating {
        note_date,
        text_station_serial,
        written,
        year_from_text,
        year,
    }
}

/// The cable's id (stage 4).
pub(super) fn identify(cx: &mut Ctx<'_>) {
    let Ctx {
        hints,
        lay:
            Layout {
                env,
                class_line,
                foreign_ssn,
                dump,
                leader,
                ..
            },
        dating:
            Dating {
                text_station_serial,
                year,
                year_from_text,
                ..
            },
        cable,
        diags,
        ..
    } = cx;
    let year = *year;
    let year_from_text = *year_from_text;
    // ---- id
    let hint_id = hints
        .id
        .as_deref()
        .and_then(|h| parse_id(h, hints.year.or(year)));
    let mut id: Option<CableId> = None;
    let mut header_body_mismatch = false;
    if let Some((st, se)) = &text_station_serial {
        {
            let station = station_code(st);
            if let (Some(y), Ok(serial)) = (
                year.or(hint_id.as_ref().map(|h| h.year)),
                se.replace('O', "0").parse(),
            ) {
                if !station.is_empty() && se.len() <= 9 {
                    id = Some(CableId {
                        year: y,
                        station,
                        serial,
                        variant: None,
                    });
                }
            }
        }
    }
    // A serial cut on the classification line (`BUENOS AIRES 00167SIPDIS`) that
    // the DE line's serial completes (`#1673`): the DE line wins.
    if let (Some(i), Some(de), Some(cl)) = (id.as_mut(), &env.de, &class_line) {
        let same_post = by_routing_indicator(&de.ri).is_none_or(|(st, _)| st == i.station);
        if cl.serial_cut && same_post && i.serial % 10_000 != de.ssn % 10_000 {
            if let Some(full) = complete_serial(i.serial, de.ssn) {
                diags.push(Diagnostic::new(
                    Code::IdSerialMismatch,
                    format!(
                        "the classification line's serial {} is cut; the DE line's #{:04} \
                         completes it: {full}",
                        cl.serial.as_deref().unwrap_or(""),
                        de.ssn
                    ),
                ));
                i.serial = full;
            }
        }
    }
    // A page whose header is one cable and whose text is another: trust the header.
    if let (Some(i), Some(de)) = (&id, &env.de) {
        if let Some((de_station, _)) = by_routing_indicator(&de.ri) {
            let text_is_foreign = foreign_ssn.is_some_and(|f| f % 10_000 == i.serial % 10_000);
            if (i.station != de_station || text_is_foreign) && i.serial % 10_000 != de.ssn % 10_000
            {
                diags.push(Diagnostic::new(
                    Code::MultipleCables,
                    format!(
                        "the header (DE {} #{:04}) and the text ({}) belong to different cables; the id follows the header",
                        de.ri, de.ssn, i
                    ),
                ));
                header_body_mismatch = true;
                id = Some(CableId {
                    year: i.year,
                    station: de_station.to_string(),
                    serial: de.ssn,
                    variant: None,
                });
            }
        }
    }
    if id.is_none() {
        if let Some(h) = &hint_id {
            id = Some(h.clone());
        }
    }
    if id.is_none() {
        if let (Some(de), Some(y)) = (&env.de, year) {
            if let Some((station, _)) = by_routing_indicator(&de.ri) {
                id = Some(CableId {
                    year: y,
                    station: station.to_string(),
                    serial: de.ssn,
                    variant: None,
                });
                diags.push(Diagnostic::new(
                    Code::IdInferred,
                    format!(
                        "no classification line: id rebuilt from the DE line ({} #{})",
                        de.ri, de.ssn
                    ),
                ));
            }
        }
    }
    if id.is_none() {
        if let Some(d) = leader.dump_id.as_ref().or(dump.id.as_ref()) {
            id = parse_id(d, year);
            if id.is_some() {
                diags.push(Diagnostic::new(
                    Code::IdInferred,
                    format!("id taken from the export row before the cable ({d})"),
                ));
            }
        }
    }
    if let (Some(i), Some(de)) = (&id, &env.de) {
        if i.serial % 10_000 != de.ssn % 10_000 {
            diags.push(Diagnostic::new(
                Code::IdSerialMismatch,
                format!(
                    "id serial {} disagrees with the DE line's station serial #{:04}",
                    i.serial, de.ssn
                ),
            ));
        }
    }
    cable.id = id.as_ref().map(|i| i.to_string());
    if let (Some(h), Some(i)) = (&hints.id, &cable.id) {
        if h.trim() != i && hint_id.as_ref().is_some_and(|x| x.to_string() == *i) {
            cable.id_as_written = Some(h.trim().to_string());
        }
    }
    if cable.id.is_none() {
        if let Some(h) = &hints.id {
            // A hint we cannot split into year, station and serial is kept as written,
            // upper-cased and without spaces.
            let s = squash(h);
            if !s.is_empty() {
                cable.id = Some(s);
            }
        }
    }
    if let (Some(hy), Some(ty)) = (hints.year, year_from_text) {
        if hy != ty {
            diags.push(Diagnostic::new(
                Code::YearFromHint,
                format!("hint year {hy} ignored: the text says {ty}"),
            ));
        }
    } else if hints.year.is_some()
        && year_from_text.is_none()
        && hints.container_year.is_none()
        && id.is_some()
        && hint_id.is_none()
    {
        diags.push(Diagnostic::new(
            Code::YearFromHint,
            "year taken from the --year hint",
        ));
    }

    cx.ident = Identity {
        id,
        hint_id,
        header_body_mismatch,
    };
}

/// The cable's date (stage 5).
pub(super) fn created(cx: &mut Ctx<'_>) {
    let Ctx {
        lay: Layout { env, .. },
        dating: Dating {
            note_date, written, ..
        },
        ident: Identity { id, .. },
        cable,
        diags,
        ..
    } = cx;
    let note_date = *note_date;
    // ---- created
    let dtg_dt = env
        .dtg
        .as_ref()
        .and_then(|d| dtg_datetime(d.day, d.hour, d.minute, d.month, d.year));
    let de_year = dtg_dt
        .map(|d| d.year() as i32)
        .or(id.as_ref().map(|i| i.year));
    let de_dt = match (&env.de, de_year) {
        (
            Some(envelope::DeLine {
                day: Some((jd, h, m)),
                ..
            }),
            Some(y),
        ) => {
            let mut y = y;
            // A DE day early in January with a DTG of late December: the next year.
            if let Some(d) = dtg_dt {
                if d.month() == 12 && *jd <= 5 {
                    y += 1;
                }
            }
            julian_datetime(y, *jd, *h, *m)
        }
        _ => None,
    };
    match (dtg_dt, de_dt) {
        (Some(d), de) => {
            cable.created = Some(iso(d));
            if let Some(de) = de {
                let diff = minutes_between(d, de);
                if diff.abs() > 24 * 60 {
                    diags.push(Diagnostic::new(
                        Code::DtgDeMismatch,
                        format!("the DE line's time is {} hours from the DTG", diff / 60),
                    ));
                }
            }
        }
        (None, Some(de)) => {
            cable.created = Some(iso(de));
            diags.push(Diagnostic::new(Code::MissingDtg, "no date-time group line"));
            diags.push(Diagnostic::new(
                Code::CreatedFromDe,
                "created rebuilt from the DE line's Julian day and time",
            ));
        }
        (None, None) => {
            let from_row = written.as_ref().and_then(|w| w.1);
            let msg = match (note_date, from_row) {
                (Some(_), _) => {
                    "no date-time group line; created taken from the extract's date note"
                }
                (None, Some(_)) => {
                    "no date-time group line; created taken from the export row that names \
                     the cable inside the text"
                }
                (None, None) => "no date-time group line and no other date: created is unknown",
            };
            cable.created = note_date.or(from_row).map(iso);
            diags.push(Diagnostic::new(Code::MissingDtg, msg));
        }
    }
}

/// The serial whose leading digits are `cut` (a serial that lost its last one or
/// two digits) and whose last four are the DE line's `ssn`.
pub(super) fn complete_serial(cut: u64, ssn: u64) -> Option<u64> {
    (1..=2).find_map(|k| {
        let scale = 10u64.pow(k);
        let base = cut.checked_mul(scale)?;
        let x = (ssn % 10_000 + 10_000 - base % 10_000) % 10_000;
        (x < scale).then_some(base + x)
    })
}

/// A date the text gives besides its DTG: a media-partner extract's
/// `Cable dated:2005-08-17T21:24:00` note, or a weekday line
/// (`Monday, 14 August 2006, 17:17`).
pub(super) fn date_note(text: &str) -> Option<jiff::civil::DateTime> {
    let from_note = cable_dated_re().captures(text).and_then(|c| {
        let g = |i: usize| c[i].parse::<i32>().ok();
        // Fallible throughout: a note's "25:61" is no time (`Date::at` panics).
        jiff::civil::DateTime::new(
            i16::try_from(g(1)?).ok()?,
            i8::try_from(g(2)?).ok()?,
            i8::try_from(g(3)?).ok()?,
            i8::try_from(g(4)?).ok()?,
            i8::try_from(g(5)?).ok()?,
            0,
            0,
        )
        .ok()
    });
    from_note.or_else(|| {
        // Every weekday name ends in "day", and a comma follows it: without that,
        // no search of the whole text.
        if !text.contains("day,") {
            return None;
        }
        weekday_re().captures(text).and_then(|c| {
            let month = crate::dtg::month_number(c[2].get(..3)?)?;
            dtg_datetime(
                c[1].parse().ok()?,
                c[4].parse().ok()?,
                c[5].parse().ok()?,
                month,
                c[3].parse().ok()?,
            )
        })
    })
}

re!(
    written_id_re,
    r#"(?m)(?:^|[\s,"|:])(\d{2}[A-Z]{3,}\d{1,6})(?:[\s,"|\\]|$)"#
);
re!(
    row_date_re,
    r"(?:^|[\s,\t])(?:(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d\d)|(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d))?)(?:[\s,\t:]|$)"
);

/// The cable's own id written in the text (an export row's reference id before a
/// copy of the text: `05THEHAGUE2585`), recognised by the station and serial of
/// the classification line; its year, and the row's date when one stands within a
/// few lines before it in the same year.
pub(super) fn written_id(
    text: &str,
    station: &str,
    serial: u64,
) -> Option<(i32, Option<jiff::civil::DateTime>)> {
    if station.is_empty() {
        return None;
    }
    for c in written_id_re().captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if !m.as_str().contains(station) {
            continue;
        }
        let Some(id) = parse_id(m.as_str(), None) else {
            continue;
        };
        if id.station != station || id.serial != serial {
            continue;
        }
        // The row's date: the last timestamp in the few lines before the id (row
        // number, date, id), or on the id's own line.
        let line_end = text[m.end()..]
            .find('\n')
            .map_or(text.len(), |i| m.end() + i);
        let mut from = m.start();
        for _ in 0..6 {
            from = text[..from].rfind('\n').unwrap_or(0);
        }
        let date = row_date_re()
            .captures_iter(&text[from..line_end])
            .filter_map(|d| {
                let g = |i: usize| d.get(i).and_then(|x| x.as_str().parse::<i32>().ok());
                let (y, mo, da, h, mi) = match g(3) {
                    Some(y) => (y, g(1)?, g(2)?, g(4)?, g(5)?),
                    None => (g(6)?, g(7)?, g(8)?, g(9).unwrap_or(0), g(10).unwrap_or(0)),
                };
                // Every part checked: a row's "24:75" is no time (found by
                // fuzzing: `Date::at` panics on one).
                let dt = jiff::civil::DateTime::new(
                    i16::try_from(y).ok()?,
                    i8::try_from(mo).ok()?,
                    i8::try_from(da).ok()?,
                    i8::try_from(h).ok()?,
                    i8::try_from(mi).ok()?,
                    0,
                    0,
                )
                .ok()?;
                (y == id.year).then_some(dt)
            })
            .last();
        return Some((id.year, date));
    }
    None
}
