//! Fixture helpers shared by the archive tests; the telegram builder itself is
//! `cablescope_testkit::Telegram`.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use cablescope_testkit::Telegram;

/// A plain unclassified cable with one paragraph.
pub fn simple(station: &str, serial: u32, words: &str) -> String {
    Telegram::new(station, serial).para("U", words).text()
}
