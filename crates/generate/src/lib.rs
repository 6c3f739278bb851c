//! # cablescope-generate
//!
//! A deterministic generator of synthetic diplomatic cables at Cablegate scale:
//! real posts with their routing indicators, date-time groups and DE lines that
//! agree, Cablegate's classification mix and date distribution, portion-marked
//! paragraphs, REF lists that cite earlier generated cables, section breaks,
//! signatures and a share of damage, written as telegram files, one `cables.csv`
//! dump or viewer pages, with a `truth.jsonl` sidecar of every generated field.
//!
//! ```
//! use cablescope_generate::{Generator, OutputFormat};
//!
//! let g = Generator::new(10, 42);
//! let cable = g.cable(3, OutputFormat::Telegram);
//! assert!(cable.telegram().contains(&cable.truth.subject.split(' ').next().unwrap().to_string()));
//! ```
//!
//! The same count and seed give the same corpus, byte for byte, on any machine
//! and thread count: each cable's text comes from its own random stream, keyed
//! by the seed and its chronological index.
#![warn(missing_docs)]

pub mod compose;
pub mod output;
pub mod plan;
pub mod rng;
pub mod tables;
pub mod truth;

pub use compose::{Cable, LineKind};
pub use output::{generate, OutputFormat, Stats};
pub use plan::Plan;
pub use truth::Truth;

/// The default seed of `cablescope generate`.
pub const DEFAULT_SEED: u64 = 20_101_128;

/// A planned corpus from which any cable can be written on demand.
#[derive(Debug)]
pub struct Generator {
    plan: Plan,
}

impl Generator {
    /// Plans a corpus of `count` cables with `seed`.
    pub fn new(count: usize, seed: u64) -> Generator {
        Generator {
            plan: Plan::new(count, seed),
        }
    }

    /// Number of cables.
    pub fn len(&self) -> usize {
        self.plan.slots.len()
    }

    /// True for an empty corpus.
    pub fn is_empty(&self) -> bool {
        self.plan.slots.is_empty()
    }

    /// The plan (dates, posts, serials) of the corpus.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Writes cable `index` (chronological order, from 0) for a container format.
    /// The truth's `file` is left empty; [`generate`] fills it.
    pub fn cable(&self, index: usize, format: OutputFormat) -> Cable {
        compose::compose(&self.plan, index, format.container())
    }
}
