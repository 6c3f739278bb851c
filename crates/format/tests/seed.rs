//! The cable that started the project: Embassy Moscow's 08MOSCOW1599 as a news site
//! republished it (header half gone, lines lost, site boilerplate appended).

mod shared;

use cablescope_format::{decode, parse, Code, Hints};

#[test]
fn seed_comes_out_right() {
    let Some(seed) = shared::shared_dir("seed") else {
        return;
    };
    let bytes = std::fs::read(seed.join("08MOSCOW1599-scoop.txt")).expect("seed file");
    let text = decode(&bytes).expect("seed decodes").text.into_owned();
    let c = parse(&text, &Hints::default());

    assert_eq!(c.id.as_deref(), Some("08MOSCOW1599"));
    assert_eq!(c.created.as_deref(), Some("2008-06-05T11:19:00Z"));
    assert_eq!(c.precedence.as_deref(), Some("ROUTINE"));
    assert_eq!(c.origin.station.as_deref(), Some("MOSCOW"));
    assert_eq!(c.origin.routing_indicator.as_deref(), Some("RUEHMO"));

    let refs: Vec<_> = c
        .references
        .iter()
        .filter_map(|r| r.id.as_deref())
        .collect();
    assert_eq!(refs, vec!["08MOSCOW1430"]);

    let numbers: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
    assert_eq!(numbers, (1..=13).collect::<Vec<_>>());
    for p in &c.paragraphs {
        let expected = if matches!(p.number, 10 | 12 | 13) {
            "U"
        } else {
            "SBU"
        };
        assert_eq!(
            p.marking.as_deref(),
            Some(expected),
            "paragraph {}",
            p.number
        );
    }
    let p13 = &c.paragraphs[12].text;
    assert!(p13.contains("Joint Statement of the PRC and the Russian Federation"));
    assert!(p13.contains("23 May 2008 in Beijing."));

    assert_eq!(
        c.classification.as_deref(),
        Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY")
    );
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.code == Code::ClassificationImplied));

    match c.subject.as_deref() {
        None => {}
        Some(s) => {
            assert_eq!(s, "President Medvedev's Visit to China");
            assert!(c
                .diagnostics
                .iter()
                .any(|d| d.code == Code::SubjectFromTitle));
        }
    }

    let json = serde_json::to_string(&c).unwrap();
    for junk in [
        "Scoop Media",
        "World Headlines",
        "Gordon Campbell",
        "Werewolf",
        "More>>",
        "Cablegate:",
    ] {
        assert!(
            !json.contains(junk),
            "site text {junk:?} leaked into the record"
        );
    }

    for n in [5, 8, 11] {
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.code == Code::TruncatedParagraph && d.paragraph == Some(n)),
            "no truncated_paragraph diagnostic for paragraph {n}"
        );
    }
    // Paragraphs that end properly are not flagged.
    for n in [1, 2, 3, 4, 6, 7, 9, 10] {
        assert!(
            !c.diagnostics
                .iter()
                .any(|d| d.code == Code::TruncatedParagraph && d.paragraph == Some(n)),
            "paragraph {n} wrongly flagged as truncated"
        );
    }
}
