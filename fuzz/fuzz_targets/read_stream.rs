//! Fuzz target: arbitrary bytes through `read_stream`, the entry point `parse` and
//! `ingest` use (format detection from the content, CSV dumps streamed row by row).
//! It must never panic; every record must serialise.
#![no_main]

use cablescope_format::containers::{read_stream, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        max_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    for name in ["input", "cables.csv", "page.html", "export.json"] {
        let mut input = data;
        let _ = read_stream(name, &mut input, &opts, &mut |r| {
            if let Ok(cable) = r {
                serde_json::to_string(&cable).expect("a record always serialises");
            }
        });
    }
});
