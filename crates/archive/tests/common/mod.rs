//! Fixture helpers shared by the archive tests; the telegram builder itself is
//! `cablescope_testkit::Telegram`.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use cablescope_testkit::Telegram;

/// A plain unclassified cable with one paragraph.
pub fn simple(station: &str, serial: u32, words: &str) -> String {
    Telegram::new(station, serial).para("U", words).text()
}

/// 08MOSCOW1599, SECRET: a (U), an (S/NF) and a (C) paragraph, TAGS, and a REF
/// list citing one cable of the fixtures and one absent cable.
pub fn widget() -> Telegram {
    Telegram::new("MOSCOW", 1599)
        .class("SECRET")
        .tags("PREL, PGOV, RS")
        .subject("(C) WIDGET TALKS WITH THE MINISTRY")
        .refs("A. 08 MOSCOW 1500 B. 08 STATE 12345")
        .para("U", "The widget delegation arrived on Tuesday.")
        .para("S/NF", "The canarysecret word appears only here.")
        .para("C", "Confidential paragraph about zebra crossings.")
}
