//! # cablescope-format
//!
//! The diplomatic cable record ([`Cable`]) and the parser that fills it from the
//! text of a State Department telegram, however damaged the copy.
//!
//! ```
//! use cablescope_format::{parse, Hints};
//!
//! let text = "R 051119Z JUN 08\nFM AMEMBASSY MOSCOW\nTO RUEHC/SECSTATE WASHDC 8123\n\
//!             UNCLAS MOSCOW 001599\n\nSUBJECT: TEST\n\n1. (U) Hello.\n";
//! let cable = parse(text, &Hints::default());
//! assert_eq!(cable.id.as_deref(), Some("08MOSCOW1599"));
//! assert_eq!(cable.created.as_deref(), Some("2008-06-05T11:19:00Z"));
//! assert_eq!(cable.classification.as_deref(), Some("UNCLASSIFIED"));
//! ```
//!
//! The crate is pure: it reads bytes and text, never files or the network.
#![warn(missing_docs)]

pub mod assemble;
pub mod containers;
pub mod decode;
pub mod diagnostics;
pub mod dtg;
pub mod id;
pub mod marking;
mod parse;
pub mod public_url;
pub mod record;
pub mod station;

pub use decode::{decode, DecodeError, Decoded};
pub use diagnostics::{Code, Diagnostic};
pub use id::{parse_id, CableId};
pub use parse::{parse, parse_references, read_classification_line, Citing, ClassLine, Hints};
pub use record::{
    Cable, Origin, Paragraph, Published, Recipient, Reference, ReferenceKind, Section, Source,
};
