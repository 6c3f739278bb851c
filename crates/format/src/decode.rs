//! Turning input bytes into text: encoding detection and input limits.
//!
//! Cables arrive as UTF-8, Windows-1252 or Latin-1 (the raw telegrams carry the
//! byte 0xB6 for `¶`). We try UTF-8 first and fall back to Windows-1252, which is a
//! superset of the printable Latin-1 range; the encoding used is reported so that
//! the record can say how its text was read.

use std::borrow::Cow;

/// Largest input the parser accepts, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Longest line the parser accepts, in bytes.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Why bytes could not be read as cable text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input is larger than [`MAX_INPUT_BYTES`].
    #[error("input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A line is longer than [`MAX_LINE_BYTES`].
    #[error("line {line} is {length} bytes long, over the limit of {limit} bytes")]
    LineTooLong {
        /// One-based line number.
        line: usize,
        /// Length of the line.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// The input looks like binary data, not text.
    #[error("binary data, not text ({reason})")]
    Binary {
        /// What gave it away.
        reason: String,
    },
}

/// Text decoded from bytes, with the name of the encoding used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text.
    pub text: Cow<'a, str>,
    /// `utf-8` or `windows-1252`.
    pub encoding: &'static str,
}

/// Checks the limits and decodes `bytes` as UTF-8, else Windows-1252.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    check_limits(bytes)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Decoded {
            text: Cow::Borrowed(s),
            encoding: "utf-8",
        }),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok(Decoded {
                text,
                encoding: "windows-1252",
            })
        }
    }
}

/// Rejects inputs that are too large, have over-long lines, or look binary.
pub fn check_limits(bytes: &[u8]) -> Result<(), DecodeError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(DecodeError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    // One branch-free pass counts the control bytes (NUL among them); it compiles
    // to a vectorised loop, unlike the search for line ends. The checks below
    // still run in the original order, so the same error is reported.
    let control = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if control > 0 {
        if let Some(pos) = memchr_nul(bytes) {
            return Err(DecodeError::Binary {
                reason: format!("NUL byte at offset {pos}"),
            });
        }
    }
    // No line can be too long in a text shorter than the limit.
    if bytes.len() > MAX_LINE_BYTES {
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.len() > MAX_LINE_BYTES {
                return Err(DecodeError::LineTooLong {
                    line: i + 1,
                    length: line.len(),
                    limit: MAX_LINE_BYTES,
                });
            }
        }
    }
    // A few stray control bytes occur in real copies; a text that is mostly control
    // bytes is not a cable.
    if bytes.len() >= 16 && control * 10 > bytes.len() {
        return Err(DecodeError::Binary {
            reason: format!("{control} control bytes in {} bytes", bytes.len()),
        });
    }
    Ok(())
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept() {
        let d = decode("¶1. (C) text".as_bytes()).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert_eq!(d.text, "¶1. (C) text");
    }

    #[test]
    fn latin1_pilcrow_and_cp1252_quotes_decode() {
        let d = decode(b"\xB61. (C) \x93quoted\x94").unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, "¶1. (C) \u{201C}quoted\u{201D}");
    }

    #[test]
    fn binary_is_rejected() {
        assert!(matches!(
            decode(b"abc\0def"),
            Err(DecodeError::Binary { .. })
        ));
        let junk: Vec<u8> = (0..100u8).map(|i| i % 8 + 1).collect();
        assert!(matches!(decode(&junk), Err(DecodeError::Binary { .. })));
    }

    #[test]
    fn long_lines_are_rejected() {
        let long = vec![b'A'; MAX_LINE_BYTES + 1];
        assert!(matches!(
            decode(&long),
            Err(DecodeError::LineTooLong { line: 1, .. })
        ));
    }
}
