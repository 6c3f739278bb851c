//! Fuzz target: arbitrary bytes through the decoder and the parser must never
//! panic, and every record must serialise.
#![no_main]

use cablescope_format::{decode, parse, Hints};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(decoded) = decode(data) {
        let hints = Hints { year: Some(2008), ..Hints::default() };
        let cable = parse(&decoded.text, &hints);
        serde_json::to_string(&cable).expect("a record always serialises");
    }
});
