//! The session lines real peers leave out or leave blank: `s=` and `t=`.

use crate::lines::{Line, Timing};

/// The session name written for a blank `s=` line or a missing one.
///
/// `s= ` (a single space) is what RFC 8866 §5.3 recommends for a session
/// with no meaningful name, so a value of only white space is kept as one
/// space (and written back as `s= `, the one line this crate writes with
/// trailing white space). An empty `s=` (which RFC 8866 forbids) and a
/// missing one become `s=-`, what JSEP (RFC 9429 §5.2.1) and every browser
/// write.
pub(crate) fn session_name(trimmed: &str, untrimmed: &str) -> String {
    if !trimmed.is_empty() {
        trimmed.to_owned()
    } else if !untrimmed.is_empty() {
        " ".to_owned()
    } else {
        "-".to_owned()
    }
}

/// Adds the lines RFC 8866 requires that the input left out: `s=-` after
/// `o=`, and `t=0 0` (an unbounded session) after the session's
/// `s=`/`i=`/`u=`/`e=`/`p=`/`c=`/`b=` lines, before its first
/// `r=`/`z=`/`k=`/`a=`.
pub(crate) fn complete_session(session: &mut Vec<Line>) {
    if !session.iter().any(|l| matches!(l, Line::SessionName(_))) {
        let at = session
            .iter()
            .position(|l| matches!(l, Line::Origin(_)))
            .map_or(session.len(), |i| i + 1);
        session.insert(at, Line::SessionName(session_name("", "")));
    }
    if !session.iter().any(|l| matches!(l, Line::Timing(_))) {
        let name = session
            .iter()
            .position(|l| matches!(l, Line::SessionName(_)))
            .map_or(0, |i| i + 1);
        let at = session
            .iter()
            .enumerate()
            .skip(name)
            .find(|(_, l)| matches!(l.letter(), 'r' | 'z' | 'k' | 'a'))
            .map_or(session.len(), |(i, _)| i);
        session.insert(at, Line::Timing(Timing::unbounded()));
    }
}
