//! The crate error: what was wrong with a session description, and where.

use crate::candidate_error::CandidateError;

/// Why a session description (or one of its attributes) was refused.
///
/// `line` is the 1-based line number in the text that was parsed. For
/// descriptions checked after construction (the typed view), it is the line
/// number in the text this crate writes for them, which is the same as the
/// input's when the input had no blank lines and no `s=`/`t=` line had to
/// be supplied.
///
/// [`dom_name`](SdpError::dom_name) and
/// [`error_detail`](SdpError::error_detail) give the W3C name of the
/// failure (see [`crate::dom`]); [`line`](SdpError::line) gives
/// `RTCError.sdpLineNumber`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// The whole description is larger than [`crate::limits::MAX_SDP_LEN`].
    #[error("description is {len} bytes, more than the {max} accepted")]
    TooLarge {
        /// Size of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The description holds no line at all.
    #[error("description is empty")]
    Empty,
    /// A line is not valid UTF-8.
    #[error("line {line}: not valid UTF-8")]
    NotUtf8 {
        /// Line number.
        line: usize,
    },
    /// A line holds a NUL or another control character (RFC 8866 §9 `text`).
    #[error("line {line}: control character in the text")]
    ControlCharacter {
        /// Line number.
        line: usize,
    },
    /// A line is longer than [`crate::limits::MAX_LINE_LEN`].
    #[error("line {line}: {len} bytes long, more than the {max} accepted")]
    LineTooLong {
        /// Line number.
        line: usize,
        /// Length of the line.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More lines than [`crate::limits::MAX_TOTAL_LINES`] or, in one
    /// section, [`crate::limits::MAX_LINES_PER_SECTION`].
    #[error("line {line}: more than {max} lines")]
    TooManyLines {
        /// Line number of the first line over the limit.
        line: usize,
        /// The limit that was hit.
        max: usize,
    },
    /// More `m=` sections than [`crate::limits::MAX_MEDIA_SECTIONS`].
    #[error("line {line}: more than {max} media sections")]
    TooManyMediaSections {
        /// Line number of the first `m=` over the limit.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// The line does not start with a type letter and `=`.
    #[error("line {line}: expected `<type>=<value>`")]
    ExpectedTypeAndEquals {
        /// Line number.
        line: usize,
    },
    /// A type letter RFC 8866 does not define (§5: such a description must
    /// be refused).
    #[error("line {line}: unknown line type `{letter}`")]
    UnknownLineType {
        /// Line number.
        line: usize,
        /// The letter.
        letter: char,
    },
    /// A session-level line (`v=`, `o=`, `s=`, `u=`, `e=`, `p=`, `t=`, `r=`,
    /// `z=`) inside a media section.
    #[error("line {line}: `{letter}=` is not allowed in a media section")]
    SessionLineInMedia {
        /// Line number.
        line: usize,
        /// The letter.
        letter: char,
    },
    /// The first line is not `v=`.
    #[error("line {line}: expected `v=0` as the first line")]
    MissingVersion {
        /// Line number of the first line.
        line: usize,
    },
    /// `v=` holds something other than `0`.
    #[error("line {line}: unsupported version, expected `v=0`")]
    UnsupportedVersion {
        /// Line number.
        line: usize,
    },
    /// No `o=` line in the session part.
    #[error("missing the `o=` line")]
    MissingOrigin,
    /// No `s=` line in the session part. No longer produced by the reader,
    /// which supplies `s=-` for a missing one (see `docs/sdp.md`, "Liberal
    /// reading"); kept so that code matching on it still compiles.
    #[error("missing the `s=` line")]
    MissingSessionName,
    /// `v=`, `o=` or `s=` given twice in the session part.
    #[error("line {line}: second `{letter}=` line")]
    DuplicateLine {
        /// Line number of the second one.
        line: usize,
        /// The letter.
        letter: char,
    },
    /// A line's value does not follow its grammar.
    #[error("line {line}: expected {expected}")]
    Syntax {
        /// Line number.
        line: usize,
        /// What the grammar asks for there.
        expected: &'static str,
    },
    /// An `m=` line lists more formats than [`crate::limits::MAX_FORMATS`].
    #[error("line {line}: more than {max} formats on the m= line")]
    TooManyFormats {
        /// Line number.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// A known WebRTC attribute's value does not follow its grammar.
    #[error("line {line}: a={name}: expected {expected}")]
    InvalidAttribute {
        /// Line number.
        line: usize,
        /// The attribute name.
        name: &'static str,
        /// What the grammar asks for.
        expected: &'static str,
    },
    /// An `a=candidate` line was refused.
    #[error("line {line}: a=candidate: {source}")]
    Candidate {
        /// Line number.
        line: usize,
        /// What was wrong with the candidate.
        source: CandidateError,
    },
    /// The builder was asked for something JSEP does not allow.
    #[error("cannot build the description: {0}")]
    Build(crate::jsep::BuildError),
}
