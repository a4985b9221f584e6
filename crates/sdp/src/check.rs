//! The check behind `examples/sdp_check.rs`: parse, build the typed view,
//! write back and compare line by line (line endings aside).

use std::fmt;

use crate::description::SessionDescription;
use crate::error::SdpError;
use crate::view::SessionView;

/// Why a description failed the check: the 1-based line and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// Line number (0 when the failure is not tied to a line).
    pub line: usize,
    /// What was wrong.
    pub reason: String,
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl SdpError {
    /// The line number the error names, if it names one.
    pub fn line(&self) -> Option<usize> {
        match self {
            SdpError::NotUtf8 { line }
            | SdpError::ControlCharacter { line }
            | SdpError::LineTooLong { line, .. }
            | SdpError::TooManyLines { line, .. }
            | SdpError::TooManyMediaSections { line, .. }
            | SdpError::ExpectedTypeAndEquals { line }
            | SdpError::UnknownLineType { line, .. }
            | SdpError::SessionLineInMedia { line, .. }
            | SdpError::MissingVersion { line }
            | SdpError::UnsupportedVersion { line }
            | SdpError::DuplicateLine { line, .. }
            | SdpError::Syntax { line, .. }
            | SdpError::TooManyFormats { line, .. }
            | SdpError::InvalidAttribute { line, .. }
            | SdpError::Candidate { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl From<SdpError> for CheckFailure {
    fn from(error: SdpError) -> Self {
        let text = error.to_string();
        // Drop the "line N: " prefix the error's Display carries.
        let reason = match text.split_once(": ") {
            Some((head, rest)) if head.starts_with("line ") => rest.to_owned(),
            _ => text,
        };
        CheckFailure {
            line: error.line().unwrap_or(0),
            reason,
        }
    }
}

/// The lines of `bytes`, split at CRLF, LF or CR, without a final empty one.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        out.push(line);
        rest = match tail {
            [b'\r', b'\n', more @ ..] => more,
            [_, more @ ..] => more,
            [] => &[],
        };
    }
    out
}

/// Parses `bytes`, builds the typed view and checks that writing the
/// description back gives the same lines. Returns the number of media
/// sections.
pub fn check_round_trip(bytes: &[u8]) -> Result<usize, CheckFailure> {
    let description = SessionDescription::parse_bytes(bytes)?;
    SessionView::new(&description)?;
    let written = description.to_string();
    let original = lines(bytes);
    let rewritten = lines(written.as_bytes());
    for i in 0..original.len().max(rewritten.len()) {
        let reason = match (original.get(i), rewritten.get(i)) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(_), Some(b)) => format!(
                "round-trip differs: written back as `{}`",
                String::from_utf8_lossy(b)
            ),
            (Some(_), None) => "round-trip dropped this line".to_owned(),
            (None, _) => "round-trip added a line".to_owned(),
        };
        return Err(CheckFailure {
            line: i + 1,
            reason,
        });
    }
    Ok(description.media.len())
}
