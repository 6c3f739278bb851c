//! Property tests: the parser never panics and behaves the same whatever the line
//! endings, on arbitrary text and on cable-shaped text assembled from fragments.

use cablescope_format::{decode, parse, parse_id, Hints};
use proptest::prelude::*;

/// Lines that look like the parts of a cable, to steer generated inputs into the
/// parser's interesting paths.
const FRAGMENTS: &[&str] = &[
    "VZCZCXRO1234",
    "PP RUEHWEB",
    "DE RUEHMO #1599/01 1571119",
    "DE RUEHC #0000 3661299",
    "ZNY CCCCC ZZH",
    "R 051119Z JUN 08",
    "O R 311200Z DEC 99",
    "P 310000Z FEB 08",
    "FM AMEMBASSY MOSCOW",
    "TO RUEHC/SECSTATE WASHDC PRIORITY 8123",
    "INFO RUEHBJ/AMEMBASSY BEIJING 4417",
    "RUEKJCS/SECDEF WASHDC//USDP//",
    "XMT AMEMBASSY KHARTOUM",
    "C O N F I D E N T I A L SECTION 01 OF 03 MOSCOW 001599",
    "UNCLAS MOSCOW 001599",
    "S E C R E T",
    "SIPDIS",
    "NOFORN",
    "SENSITIVE",
    "E.O. 12958: DECL: 01/05/2028",
    "E.O. 12958: N/A",
    "TAGS: PREL PGOV RS CH",
    "OVIP (RICE, CONDOLEEZZA)",
    "SUBJECT: (C) A SUBJECT",
    "REF: A. 06 MOSCOW 546 B. STATE 1234 AND 1235",
    "REF: (A) E-MAIL OF MAY 3",
    "Classified By: Ambassador John Doe for reasons 1.4 (b) and (d)",
    "1. (C) Summary: something happened. End summary.",
    "2. (S//NF) More text",
    "3. (SBU) Comment: we think so. End comment.",
    "12.(U) A numbered paragraph",
    "MOSCOW 00001599  002 OF 003",
    "PAGE 02 MOSCOW 01599 051119Z",
    "XXXXXXXXXXXX",
    "-----------------",
    "",
    "   ",
    "DOE",
    "NNNN",
    "\u{00A9} Site Media",
    "Cablegate: A title",
    "This record is a partial extract of the original cable.",
    "Cable dated:2006-01-29T11:49:00",
    "1.4 (b)",
    "(",
    ")",
    "\\",
];

fn cable_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
            1 => "[ -~]{0,80}",
            1 => "\\PC{0,40}",
        ],
        0..60,
    )
    .prop_map(|lines| lines.join("\n"))
}

fn without_source(mut c: cablescope_format::Cable) -> String {
    c.source = Default::default();
    serde_json::to_string(&c).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,2000}") {
        let c = parse(&s, &Hints::default());
        prop_assert!(serde_json::to_string(&c).is_ok());
    }

    #[test]
    fn never_panics_on_cable_shaped_text(s in cable_like(), year in proptest::option::of(1960i32..2030)) {
        let c = parse(&s, &Hints { year, ..Hints::default() });
        // Every paragraph number is unique and increasing.
        let nums: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
        prop_assert!(nums.windows(2).all(|w| w[0] < w[1]), "paragraph numbers {:?}", nums);
        prop_assert!(serde_json::to_string(&c).is_ok());
    }

    #[test]
    fn line_endings_do_not_matter(s in cable_like()) {
        let lf = parse(&s, &Hints::default());
        let crlf = parse(&s.replace('\n', "\r\n"), &Hints::default());
        prop_assert_eq!(without_source(lf), without_source(crlf));
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..4000)) {
        if let Ok(d) = decode(&bytes) {
            let _ = parse(&d.text, &Hints::default());
        }
    }

    #[test]
    fn canonical_ids_are_fixed_points(yy in 0u32..100, station in "(MOSCOW|STATE|BUENOSAIRES|USUNNEWYORK|PARIS)", serial in 1u64..999_999) {
        let written = format!("{yy:02} {station} {serial:06}");
        let id = parse_id(&written, None).unwrap().to_string();
        prop_assert_eq!(parse_id(&id, None).unwrap().to_string(), id.clone());
        let c = parse("", &Hints { id: Some(written), ..Hints::default() });
        prop_assert_eq!(c.id, Some(id));
    }
}

/// Found by the property above: prose before a number that cannot be paragraph 1
/// used to give two unnumbered paragraphs.
#[test]
fn prose_before_an_unaccepted_number_is_one_opening() {
    let c = parse("a.\n4.\u{a0}", &Hints::default());
    let nums: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
    assert_eq!(nums, vec![0]);
    assert!(c.paragraphs[0].text.starts_with("a."));
}
