//! The one error type of the query language.

/// A query that cannot be parsed: where, and why.
///
/// `position` is a 0-based offset in **characters** (not bytes) into the query as the
/// user typed it, pointing at the token that made the query invalid (for an unclosed
/// quote, parenthesis or range: the opening character). It is at most the query's
/// length in characters (the length itself means "at the end").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("query syntax error at position {position}: {message}")]
pub struct QuerySyntaxError {
    /// 0-based character offset of the offending token.
    pub position: usize,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl QuerySyntaxError {
    /// Creates an error at `position` (a character offset).
    pub fn new(position: usize, message: impl Into<String>) -> Self {
        QuerySyntaxError {
            position,
            message: message.into(),
        }
    }

    /// Renders the query with a caret under the error position and the message below,
    /// for terminal output:
    ///
    /// ```text
    /// created:[2008-13 TO 2009]
    ///          ^
    /// bad date `2008-13`: the month must be 01 to 12
    /// ```
    ///
    /// Control characters in the query are shown as spaces so the caret stays aligned.
    pub fn render(&self, query: &str) -> String {
        let line: String = query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let caret = " ".repeat(self.position.min(line.chars().count()));
        format!("{line}\n{caret}^\n{}", self.message)
    }
}
