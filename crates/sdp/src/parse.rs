//! The reader: bytes to [`SessionDescription`], bounded and without panics.
//!
//! Lenient where real peers are sloppy: CRLF, LF or a lone CR end a line;
//! trailing spaces and tabs are dropped; blank lines and a leading UTF-8 BOM
//! are skipped; line order inside a section is free; fields may be
//! separated by runs of spaces and tabs; a missing `s=` or `t=` is supplied;
//! attributes are rewritten to their canonical spelling
//! ([`crate::liberal`]). Strict where the grammar matters: `v=0` first,
//! `o=` present, `o=` and `s=` at most once, known line types only,
//! session-only lines refused in media sections, each line's own grammar.

use crate::description::{MediaSection, SessionDescription};
use crate::error::SdpError;
use crate::grammar::FIELD_SEPARATORS;
use crate::liberal;
use crate::limits::{
    MAX_FORMATS, MAX_LINES_PER_SECTION, MAX_LINE_LEN, MAX_MEDIA_SECTIONS, MAX_SDP_LEN,
    MAX_TOTAL_LINES,
};
use crate::lines::{
    Attribute, Bandwidth, Connection, Line, MediaLine, MediaLineError, Origin, Timing,
};

/// Splits `input` into `(line number, line bytes)`, accepting `\r\n`, `\n`
/// and a lone `\r` as line endings.
fn split_lines(input: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut rest = input;
    let mut number = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        number += 1;
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        rest = match tail {
            [b'\r', b'\n', more @ ..] => more,
            [_, more @ ..] => more,
            [] => &[],
        };
        Some((number, line))
    })
}

/// Parses a whole description.
pub(crate) fn parse(input: &[u8]) -> Result<SessionDescription, SdpError> {
    if input.len() > MAX_SDP_LEN {
        return Err(SdpError::TooLarge {
            len: input.len(),
            max: MAX_SDP_LEN,
        });
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut session: Vec<Line> = Vec::new();
    let mut media: Vec<MediaSection> = Vec::new();
    let mut total = 0usize;
    let mut seen = SeenOnce::default();

    for (number, raw) in split_lines(input) {
        if raw.len() > MAX_LINE_LEN {
            return Err(SdpError::LineTooLong {
                line: number,
                len: raw.len(),
                max: MAX_LINE_LEN,
            });
        }
        let untrimmed = std::str::from_utf8(raw).map_err(|_| SdpError::NotUtf8 { line: number })?;
        let text = untrimmed.trim_end_matches(FIELD_SEPARATORS);
        if text.is_empty() {
            continue;
        }
        if text.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(SdpError::ControlCharacter { line: number });
        }
        total += 1;
        if total > MAX_TOTAL_LINES {
            return Err(SdpError::TooManyLines {
                line: number,
                max: MAX_TOTAL_LINES,
            });
        }
        let (letter, value) = match text.as_bytes() {
            [letter @ b'a'..=b'z', b'=', ..] => (char::from(*letter), &text[2..]),
            _ => return Err(SdpError::ExpectedTypeAndEquals { line: number }),
        };

        if total == 1 && letter != 'v' {
            return Err(SdpError::MissingVersion { line: number });
        }

        if letter == 'm' {
            if media.len() >= MAX_MEDIA_SECTIONS {
                return Err(SdpError::TooManyMediaSections {
                    line: number,
                    max: MAX_MEDIA_SECTIONS,
                });
            }
            let media_line = MediaLine::parse(value, MAX_FORMATS).map_err(|e| match e {
                MediaLineError::Syntax(expected) => SdpError::Syntax {
                    line: number,
                    expected,
                },
                MediaLineError::TooManyFormats => SdpError::TooManyFormats {
                    line: number,
                    max: MAX_FORMATS,
                },
            })?;
            media.push(MediaSection::new(media_line));
            continue;
        }

        let line = match letter {
            's' => Line::SessionName(liberal::session_name(value, &untrimmed[2..])),
            _ => parse_line(number, letter, value)?,
        };
        match media.last_mut() {
            Some(section) => {
                if !Line::allowed_in_media(letter) {
                    return Err(SdpError::SessionLineInMedia {
                        line: number,
                        letter,
                    });
                }
                if section.lines.len() >= MAX_LINES_PER_SECTION {
                    return Err(SdpError::TooManyLines {
                        line: number,
                        max: MAX_LINES_PER_SECTION,
                    });
                }
                section.lines.push(line);
            }
            None => {
                seen.check(number, letter)?;
                if session.len() >= MAX_LINES_PER_SECTION {
                    return Err(SdpError::TooManyLines {
                        line: number,
                        max: MAX_LINES_PER_SECTION,
                    });
                }
                session.push(line);
            }
        }
    }

    if total == 0 {
        return Err(SdpError::Empty);
    }
    if !seen.origin {
        return Err(SdpError::MissingOrigin);
    }
    liberal::complete_session(&mut session);
    Ok(SessionDescription { session, media })
}

/// Tracks the session lines that must appear exactly once.
#[derive(Default)]
struct SeenOnce {
    version: bool,
    origin: bool,
    session_name: bool,
}

impl SeenOnce {
    fn check(&mut self, line: usize, letter: char) -> Result<(), SdpError> {
        let flag = match letter {
            'v' => &mut self.version,
            'o' => &mut self.origin,
            's' => &mut self.session_name,
            _ => return Ok(()),
        };
        if *flag {
            return Err(SdpError::DuplicateLine { line, letter });
        }
        *flag = true;
        Ok(())
    }
}

/// Parses one non-`m=` line.
fn parse_line(line: usize, letter: char, value: &str) -> Result<Line, SdpError> {
    let syntax = |expected| SdpError::Syntax { line, expected };
    Ok(match letter {
        'v' => {
            if value != "0" {
                return Err(SdpError::UnsupportedVersion { line });
            }
            Line::Version(0)
        }
        'o' => Line::Origin(Origin::parse(value).map_err(syntax)?),
        'i' => Line::Information(value.to_owned()),
        'u' => Line::Uri(value.to_owned()),
        'e' => Line::Email(value.to_owned()),
        'p' => Line::Phone(value.to_owned()),
        'c' => Line::Connection(Connection::parse(value).map_err(syntax)?),
        'b' => Line::Bandwidth(Bandwidth::parse(value).map_err(syntax)?),
        't' => Line::Timing(Timing::parse(value).map_err(syntax)?),
        'r' => Line::Repeat(value.to_owned()),
        'z' => Line::TimeZones(value.to_owned()),
        'k' => Line::Key(value.to_owned()),
        'a' => Line::Attribute(liberal::attribute(Attribute::parse(value).map_err(syntax)?)),
        other => {
            return Err(SdpError::UnknownLineType {
                line,
                letter: other,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::split_lines;

    #[test]
    fn line_endings_are_crlf_lf_or_cr() {
        let lines: Vec<_> = split_lines(b"a\r\nb\nc\rd").collect();
        assert_eq!(
            lines,
            vec![
                (1, &b"a"[..]),
                (2, &b"b"[..]),
                (3, &b"c"[..]),
                (4, &b"d"[..])
            ]
        );
        let blank: Vec<_> = split_lines(b"a\n\nb\r\n").collect();
        assert_eq!(blank, vec![(1, &b"a"[..]), (2, &b""[..]), (3, &b"b"[..])]);
    }
}
