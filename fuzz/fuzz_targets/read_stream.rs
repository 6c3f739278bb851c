//! Fuzz target: arbitrary bytes through `read_stream`, the entry point `parse` and
//! `ingest` use (format detection from the content, CSV dumps streamed row by row).
//! It must never panic; every record must serialise.
//!
//! The file name matters to format detection. A leading byte below 4 chooses one of
//! the names below (and is not part of the content); any other input is read as
//! `input`, so plain seed files work unchanged. One read per execution, rather than
//! one per name, lets the fuzzer steer each name and runs four times as many inputs.
#![no_main]

use cablescope_format::containers::{read_stream, ReadOptions};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["input", "cables.csv", "page.html", "export.json"];

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        max_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let (name, mut input) = match data.split_first() {
        Some((&b, rest)) if usize::from(b) < NAMES.len() => (NAMES[usize::from(b)], rest),
        _ => ("input", data),
    };
    let _ = read_stream(name, &mut input, &opts, &mut |r| {
        if let Ok(cable) = r {
            serde_json::to_string(&cable).expect("a record always serialises");
        }
    });
});
