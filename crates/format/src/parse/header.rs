//! The preamble's fields and the envelope's addressing, as record fields.

use super::identity::{Dating, Identity};
use super::layout::Layout;
use super::{envelope, fields, preamble, station_code, text, Ctx};
use crate::diagnostics::{Code, Diagnostic};
use crate::record::Origin;
use crate::station::{by_routing_indicator, is_known_station, station_from_name};

/// E.O., TAGS, SUBJECT, CLASSIFIED BY and the classification line, from the
/// preamble (stage 3, after the year is known).
pub(super) fn preamble_fields(cx: &mut Ctx<'_>) {
    let Ctx {
        pre,
        body,
        lay:
            Layout {
                leader,
                class_pos,
                rest,
                ..
            },
        dating: Dating { year, .. },
        cable,
        diags,
        ..
    } = cx;
    let year = *year;
    let eo_field = pre.get(preamble::Field::Eo);
    if let Some(eo) = eo_field {
        let line = text::squeeze(&format!("{} {}", eo.keyword, eo.text));
        cable.declassify_on = fields::declassify_on(&eo.text, year);
        cable.eo = Some(line);
    }
    if let Some(t) = pre.get(preamble::Field::Tags) {
        cable.tags = fields::tags(&t.text);
    }
    if let Some(s) = pre.get(preamble::Field::Subject) {
        let (subject, mark) = fields::subject(&s.text);
        cable.subject = subject;
        cable.subject_marking = mark;
    }
    if cable.subject.is_none() {
        if let Some(title) = &leader.title {
            cable.subject = Some(title.clone());
            diags.push(Diagnostic::new(
                Code::SubjectFromTitle,
                "no SUBJECT line: the subject is the page title",
            ));
        }
    }
    let clby_text = pre
        .get(preamble::Field::ClassifiedBy)
        .map(|f| f.text.clone())
        .or_else(|| {
            // "1. (U) Classified by ..." inside the first paragraph.
            body.paragraphs.iter().take(2).find_map(|p| {
                let lower = p.text.to_ascii_lowercase();
                lower
                    .find("classified by")
                    .map(|i| p.text[i + "classified by".len()..].to_string())
            })
        });
    if let Some(t) = &clby_text {
        cable.classified_by = fields::classified_by(t);
        cable.reasons = fields::reasons(t);
    }
    if let Some(f) = pre.get(preamble::Field::ClassifiedBy) {
        let line = text::squeeze(&format!("{} {}", f.keyword, f.text));
        cable.classified_by_line = Some(line.trim_start_matches('(').to_string());
    }
    if let Some(p) = *class_pos {
        cable.classification_line = Some(text::squeeze(rest[p].trim_matches(['"', ','])));
    }
}

/// Transmission id, precedence, addressees and the origin, from the envelope
/// (stage 6).
pub(super) fn envelope_fields(cx: &mut Ctx<'_>) {
    let Ctx {
        lay: Layout {
            env, class_line, ..
        },
        dating: Dating {
            text_station_serial,
            ..
        },
        ident:
            Identity {
                id,
                hint_id,
                header_body_mismatch,
            },
        cable,
        diags,
        ..
    } = cx;
    let header_body_mismatch = *header_body_mismatch;
    // ---- precedence, envelope fields
    cable.transmission_id = env.transmission_id.clone();
    if let Some(d) = &env.dtg {
        cable.precedence = d
            .prosigns
            .first()
            .and_then(|p| envelope::prosign_precedence(p))
            .map(str::to_string);
        if cable.precedence.is_none() && !d.prosigns.is_empty() {
            cable.precedence = None;
        }
        if cable.precedence.as_deref() == Some("IMMEDIATE")
            && env
                .to
                .iter()
                .any(|r| r.precedence.as_deref() == Some("NIACT IMMEDIATE"))
        {
            cable.precedence = Some("NIACT IMMEDIATE".into());
        }
    }
    cable.recipients = env.to.clone();
    cable.info_recipients = env.info.clone();
    cable.exempt_recipients = env.exempt.clone();

    // ---- origin
    let ri_entry = env.de.as_ref().and_then(|d| by_routing_indicator(&d.ri));
    let fm_station = env.from.as_deref().map(station_from_name);
    // The station: the id's when the text named it (classification line or hint),
    // else the classification line's even without a year, else the FM line's, the
    // routing indicator's, or a rebuilt id's.
    let class_station = text_station_serial
        .as_ref()
        .map(|(st, _)| station_code(st))
        .filter(|s| !s.is_empty() && !header_body_mismatch);
    let station = id
        .as_ref()
        .filter(|i| {
            class_line.as_ref().is_some_and(|c| c.station.is_some()) || hint_id.as_ref() == Some(*i)
        })
        .map(|i| i.station.clone())
        .or(class_station)
        .or_else(|| fm_station.clone().filter(|s| !s.is_empty()))
        .or_else(|| ri_entry.map(|(s, _)| s.to_string()))
        .or_else(|| id.as_ref().map(|i| i.station.clone()));
    // The FM line naming another known post than the id (`FM USEU BRUSSELS` on a
    // BRUSSELS id: the mission, not the embassy, sent it) gives the origin; the id
    // stays as written.
    let station = match (&fm_station, &station) {
        (Some(fm), Some(st)) if fm != st && is_known_station(fm) && !header_body_mismatch => {
            Some(fm.clone())
        }
        _ => station,
    };
    cable.origin = Origin {
        routing_indicator: env.de.as_ref().map(|d| d.ri.clone()),
        station: station.clone(),
        name: env
            .from
            .clone()
            .or_else(|| ri_entry.map(|(_, p)| p.to_string())),
    };
    if let Some(de) = &env.de {
        if ri_entry.is_none() {
            diags.push(Diagnostic::new(
                Code::UnknownStation,
                format!("routing indicator {} is not in the station table", de.ri),
            ));
        }
    }
    if let Some(s) = &station {
        if !is_known_station(s) {
            diags.push(Diagnostic::new(
                Code::UnknownStation,
                format!("station {s} is not a known post"),
            ));
        }
    }
    if let (Some(fs), Some(i)) = (&fm_station, &id) {
        if is_known_station(fs) && is_known_station(&i.station) && *fs != i.station {
            diags.push(Diagnostic::new(
                Code::StationMismatch,
                format!("FM line names {fs}, the id names {}", i.station),
            ));
        }
    }
}
