//! # cablescope-testkit
//!
//! Support code shared by the workspace's tests, so each test file states only
//! what its fixtures are about. It is a dev-dependency only and never published.
//!
//! - [`fixture::Telegram`]: a builder for hand-written raw telegram fixtures, with
//!   defaults for every part a test does not care about.
//! - [`fixture::write`]: writes a fixture file below a folder, creating folders.
//! - [`shared::shared_dir`]: the real data in `../shared` beside the checkout, with
//!   the rule that CI fails when it is missing and a local run skips.
//! - [`files::files_under`]: every file below a folder, sorted.
//! - [`pg::database_for`]: a PostgreSQL database of a test's own on the throwaway
//!   cluster of `CABLESCOPE_TEST_DATABASE`, with the same CI rule.
//!
//! ```
//! use cablescope_testkit::Telegram;
//!
//! let text = Telegram::new("MOSCOW", 1599)
//!     .dtg("051119Z JUN 08")
//!     .class("CONFIDENTIAL")
//!     .tags("PREL, RS")
//!     .subject("(C) WIDGET TALKS")
//!     .para("C", "The widget delegation arrived.")
//!     .text();
//! assert!(text.contains("C O N F I D E N T I A L MOSCOW 001599\n"));
//! assert!(text.contains("\n1. (C) The widget delegation arrived.\n"));
//! ```
//!
//! Fixtures are written by hand here, never copied from the real corpus.

#![warn(missing_docs)]

pub mod files;
pub mod fixture;
pub mod pg;
pub mod shared;

pub use files::files_under;
pub use fixture::{write, Telegram};
pub use shared::shared_dir;
