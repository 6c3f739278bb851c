//! Declassification under E.O. 13526: the archive's policy (is it honoured, which
//! exemption codes keep a cable classified past 25 years), set by curators and
//! audited ([`crate::Admin::set_declass_policy`]), and applied to every read: a
//! cable released at the reader's `as_of` date is readable in full by everyone,
//! its controls lifted ([`crate::Access::judge`], and inside the index through
//! `cablescope_archive::gating::Scope`).
//!
//! The release rule itself (the DECL date, else December 31 of the 25th year after
//! creation, and the exemption codes on the DECL line) is computed from the record
//! alone and indexed (`cablescope_archive::declass::schedule`), so switching the
//! policy needs no reindexing.

pub use cablescope_archive::declass::{
    exemption_codes, is_released, parse_date, release_date, schedule, today, Date, DeclassPolicy,
    ReleaseRule, Schedule, EXEMPTION_CODES,
};
pub use cablescope_archive::due::Due;
