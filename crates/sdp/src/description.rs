//! The raw session description: every line in order, grouped into the
//! session part and media sections (RFC 8866 §5).

use std::fmt;
use std::str::FromStr;

use crate::error::SdpError;
use crate::lines::{Attribute, Connection, Line, MediaLine, Origin};

/// A parsed session description. Writing it back (`Display`) gives the text
/// it was parsed from when that text was canonical, with CRLF line
/// endings; looser text (blank lines, trailing white space, runs of spaces
/// and tabs, `SHA-256`, `ACTPASS`, a missing `t=`, …) is written in its
/// canonical form (`docs/sdp.md`, "Liberal reading").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// Session-level lines, in order (starting with `v=`).
    pub session: Vec<Line>,
    /// Media sections, in order.
    pub media: Vec<MediaSection>,
}

/// One media section: its `m=` line and the lines after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSection {
    /// The `m=` line.
    pub media_line: MediaLine,
    /// The lines after `m=`, in order.
    pub lines: Vec<Line>,
}

impl SessionDescription {
    /// Parses a description from bytes: UTF-8 is checked line by line so a
    /// bad byte is reported with its line number.
    pub fn parse_bytes(input: &[u8]) -> Result<Self, SdpError> {
        crate::parse::parse(input)
    }

    /// The `o=` line.
    pub fn origin(&self) -> Option<&Origin> {
        self.session.iter().find_map(|l| match l {
            Line::Origin(o) => Some(o),
            _ => None,
        })
    }

    /// Mutable access to the `o=` line (to bump the session version).
    pub fn origin_mut(&mut self) -> Option<&mut Origin> {
        self.session.iter_mut().find_map(|l| match l {
            Line::Origin(o) => Some(o),
            _ => None,
        })
    }

    /// The session-level `c=` line.
    pub fn connection(&self) -> Option<&Connection> {
        connection_of(&self.session)
    }

    /// Session-level attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        attributes_of(&self.session)
    }

    /// The first session-level attribute named `name` (ASCII case ignored).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.is(name))
    }

    /// The number of text lines [`Display`](fmt::Display) writes.
    pub fn line_count(&self) -> usize {
        self.session.len() + self.media.iter().map(|m| 1 + m.lines.len()).sum::<usize>()
    }

    /// The 1-based line number at which media section `index` (its `m=`
    /// line) is written.
    pub fn media_line_number(&self, index: usize) -> usize {
        self.session.len()
            + 1
            + self
                .media
                .iter()
                .take(index)
                .map(|m| 1 + m.lines.len())
                .sum::<usize>()
    }

    /// Writes the description with `\r\n` line endings (RFC 8866 §5).
    pub fn to_sdp_string(&self) -> String {
        self.to_string()
    }
}

impl MediaSection {
    /// A media section with only its `m=` line.
    pub fn new(media_line: MediaLine) -> Self {
        MediaSection {
            media_line,
            lines: Vec::new(),
        }
    }

    /// The media-level `c=` line.
    pub fn connection(&self) -> Option<&Connection> {
        connection_of(&self.lines)
    }

    /// Media-level attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        attributes_of(&self.lines)
    }

    /// The first attribute named `name` (ASCII case ignored).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.is(name))
    }

    /// Appends an attribute.
    pub fn push_attribute(&mut self, attribute: Attribute) {
        self.lines.push(Line::Attribute(attribute));
    }
}

fn connection_of(lines: &[Line]) -> Option<&Connection> {
    lines.iter().find_map(|l| match l {
        Line::Connection(c) => Some(c),
        _ => None,
    })
}

fn attributes_of(lines: &[Line]) -> impl Iterator<Item = &Attribute> {
    lines.iter().filter_map(|l| match l {
        Line::Attribute(a) => Some(a),
        _ => None,
    })
}

impl fmt::Display for SessionDescription {
    /// Writes every line with a CRLF ending.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.session {
            write!(f, "{line}\r\n")?;
        }
        for media in &self.media {
            write!(f, "{media}")?;
        }
        Ok(())
    }
}

impl fmt::Display for MediaSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m={}\r\n", self.media_line)?;
        for line in &self.lines {
            write!(f, "{line}\r\n")?;
        }
        Ok(())
    }
}

impl FromStr for SessionDescription {
    type Err = SdpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::parse::parse(s.as_bytes())
    }
}
