//! Parses each SDP file given, checks its WebRTC attributes and that writing
//! it back gives the same lines (line endings aside).
//!
//! ```text
//! cargo run -p sansrtc-sdp --example sdp_check -- FILE...
//! ```
//!
//! Prints one line per file, `OK FILE: N media sections, round-trip
//! identical` or `FAIL FILE: line L: reason`, and exits non-zero if any file
//! fails.

use std::process::ExitCode;

use sansrtc_sdp::{SdpError, SessionDescription, SessionView};

/// The lines of `bytes`, split at CRLF, LF or CR, without a final empty one.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        out.push(&rest[..end]);
        rest = match &rest[end..] {
            [b'\r', b'\n', more @ ..] => more,
            [_, more @ ..] => more,
            [] => &[],
        };
    }
    out
}

/// The first line number where `original` and `written` differ.
fn first_difference(original: &[u8], written: &[u8]) -> Option<(usize, String)> {
    let a = lines(original);
    let b = lines(written);
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(_), Some(y)) => {
                return Some((
                    i + 1,
                    format!(
                        "round-trip differs: written back as `{}`",
                        String::from_utf8_lossy(y)
                    ),
                ))
            }
            (Some(_), None) => return Some((i + 1, "round-trip dropped this line".into())),
            (None, _) => return Some((i + 1, "round-trip added a line".into())),
        }
    }
    None
}

fn line_of(error: &SdpError) -> usize {
    match error {
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
        | SdpError::Candidate { line, .. } => *line,
        _ => 0,
    }
}

/// The reason without the `line N: ` prefix the error's Display carries.
fn reason(error: &SdpError) -> String {
    let text = error.to_string();
    match text.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest.to_owned(),
        _ => text,
    }
}

fn check(bytes: &[u8]) -> Result<usize, (usize, String)> {
    let description =
        SessionDescription::parse_bytes(bytes).map_err(|e| (line_of(&e), reason(&e)))?;
    SessionView::new(&description).map_err(|e| (line_of(&e), reason(&e)))?;
    if let Some(difference) = first_difference(bytes, description.to_string().as_bytes()) {
        return Err(difference);
    }
    Ok(description.media.len())
}

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: sdp_check FILE...");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for file in &files {
        let result = std::fs::read(file)
            .map_err(|e| (0, format!("cannot read the file: {e}")))
            .and_then(|bytes| check(&bytes));
        match result {
            Ok(n) => println!("OK {file}: {n} media sections, round-trip identical"),
            Err((line, reason)) => {
                failed = true;
                println!("FAIL {file}: line {line}: {reason}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
