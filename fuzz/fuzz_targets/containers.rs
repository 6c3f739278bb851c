//! Fuzz target: every container reader. The first byte picks a container format
//! (viewer page 2011/2010, PlusD page, CSV dump, JSON export, body-only text,
//! republished page, telegram) and the rest is its text; the reader and the parser
//! behind it must never panic, and every record must serialise.
#![no_main]

use cablescope_format::containers::{extract, to_cable, Format};
use cablescope_format::decode;
use libfuzzer_sys::fuzz_target;

const FORMATS: [Format; 8] = [
    Format::Telegram,
    Format::WikileaksHtml2011,
    Format::WikileaksHtml2010,
    Format::CablesCsv,
    Format::JsonExport,
    Format::BodyText,
    Format::PlusdHtml,
    Format::RepublishedPage,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let format = FORMATS[pick as usize % FORMATS.len()];
    let Ok(decoded) = decode(rest) else {
        return;
    };
    let items: Vec<_> = extract(format, &decoded.text).into_iter().flatten().collect();
    let several = items.len() > 1;
    for item in items {
        let cable = to_cable(item, Some("fuzz".into()), decoded.encoding, several, &Default::default());
        serde_json::to_string(&cable).expect("a record always serialises");
    }
});
