//! Liberal reading: the loose spellings real peers write, rewritten as they
//! are read into the canonical form this crate writes.
//!
//! Each rule is the identity on canonical input, so a canonical description
//! still round-trips byte for byte, and each is idempotent, so what the
//! crate writes reads back unchanged. What a rule does not recognise (an
//! unknown attribute, a value its typed parser refuses) is kept as written:
//! the typed view reports the refusal with its line.
//!
//! Per attribute (names are matched without case and written in their
//! registered spelling, `a=MID` → `a=mid`; an empty value, `a=x-foo:`, is
//! written as the property attribute `a=x-foo`):
//!
//! | attribute | read | written |
//! | --- | --- | --- |
//! | `candidate` | fields separated by runs of SP/HTAB; `TYP`, `HOST`, `RADDR`, `TCPTYPE ACTIVE`, … in any case | one SP; keywords, type and `tcptype` lower case; the transport as `udp`/`UDP` (see below); field order and addresses as written |
//! | `fingerprint` | `SHA-256`, lower-case hex, runs of SP/HTAB | `sha-256 AB:CD:…` (RFC 8122 `UHEX`) |
//! | `setup` | `ACTPASS`, surrounding white space | `actpass` |
//! | `ice-options` | runs of SP/HTAB, `TRICKLE` | `trickle ice2` |
//! | `sctp-port`, `max-message-size` | surrounding white space | the number |
//! | `rtpmap` | runs of SP/HTAB after the payload type | `111 opus/48000/2` |
//! | `group` | runs of SP/HTAB, `bundle` | `BUNDLE 0 1` (registered semantics upper case) |
//! | `mid`, `ice-ufrag`, `ice-pwd` | white space after the colon | the value |
//! | `msid`, `ssrc-group`, `rtcp-fb`, `rtcp`, `sctpmap`, `rid`, `simulcast` | runs of SP/HTAB | one SP |
//! | `fmtp`, `ssrc` | runs of SP/HTAB after the first field | one SP there; the parameters as written |
//! | `extmap` | runs of SP/HTAB after the id and after the URI | one SP there; the extension attributes as written |
//!
//! A candidate's transport keeps its case when it is all upper or all lower
//! case (`UDP` is how Firefox writes it and how RFC 8839 spells it; `udp` is
//! libwebrtc's); mixed case (`Udp`) is written in lower case.
//! `msid-semantic` and unknown attributes keep their value byte for byte
//! (Chromium's `a=msid-semantic: WMS` included).

mod candidate;
mod session;

pub(crate) use session::{complete_session, session_name};

use crate::attributes::{canonical_name, ice, sctp, Fingerprint, Group, Rtpmap, Setup};
use crate::grammar::{collapse_words, split_word, FIELD_SEPARATORS};
use crate::lines::Attribute;

/// The `a=group` semantics registered with IANA, written in their
/// registered (upper) case.
const GROUP_SEMANTICS: &[&str] = &[
    "BUNDLE", "LS", "FID", "SRF", "ANAT", "FEC", "FEC-FR", "CS", "DDP", "DUP",
];

/// Rewrites an attribute as read into its canonical spelling.
pub(crate) fn attribute(mut attribute: Attribute) -> Attribute {
    if let Some(name) = canonical_name(&attribute.name) {
        if attribute.name != name {
            attribute.name = name.to_owned();
        }
    }
    if let Some(value) = attribute.value.take() {
        let value = canonical_value(&attribute.name, value);
        attribute.value = (!value.is_empty()).then_some(value);
    }
    attribute
}

/// The canonical value of attribute `name` (already in its canonical
/// spelling), or `value` unchanged.
fn canonical_value(name: &str, value: String) -> String {
    let canonical = match name {
        "candidate" => candidate::canonical(&value),
        "fingerprint" => Fingerprint::parse(&value).ok().map(|f| f.to_string()),
        "setup" => Setup::parse(&value).ok().map(|s| s.as_str().to_owned()),
        "ice-options" => ice::parse_options(&value)
            .ok()
            .map(|options| ice::write_options(&options)),
        "sctp-port" => sctp::parse_sctp_port(&value).ok().map(|p| p.to_string()),
        "max-message-size" => sctp::parse_max_message_size(&value)
            .ok()
            .map(|s| s.to_string()),
        "rtpmap" => Rtpmap::parse(&value).ok().map(|r| r.to_string()),
        "group" => group(&value),
        "mid" | "ice-ufrag" | "ice-pwd" => {
            Some(value.trim_start_matches(FIELD_SEPARATORS).to_owned())
        }
        "msid" | "ssrc-group" | "rtcp-fb" | "rtcp" | "sctpmap" | "rid" | "simulcast" => {
            Some(collapse_words(&value))
        }
        "fmtp" | "ssrc" => Some(head_fields(&value, 1)),
        "extmap" => Some(head_fields(&value, 2)),
        _ => None,
    };
    canonical.unwrap_or(value)
}

/// `a=group` with single spaces and the registered spelling of its
/// semantics (mids are case-sensitive and kept).
fn group(value: &str) -> Option<String> {
    let mut group = Group::parse(value).ok()?;
    if let Some(known) = GROUP_SEMANTICS
        .iter()
        .find(|s| s.eq_ignore_ascii_case(&group.semantics))
    {
        group.semantics = (*known).to_owned();
    }
    Some(group.to_string())
}

/// The first `count` fields separated by one SP, then the rest as written
/// (after the white space that precedes it).
fn head_fields(value: &str, count: usize) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    for _ in 0..count {
        let Some((field, tail)) = split_word(rest) else {
            break;
        };
        out.push_str(field);
        out.push(' ');
        rest = tail;
    }
    out.push_str(rest.trim_start_matches(FIELD_SEPARATORS));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(name: &str, value: &str) -> String {
        attribute(Attribute::new(name, value)).to_string()
    }

    #[test]
    fn head_fields_keep_the_tail_as_written() {
        assert_eq!(head_fields("96\t  apt=100;x=1 2", 1), "96 apt=100;x=1 2");
        assert_eq!(head_fields(" 96", 1), "96");
        assert_eq!(head_fields("1  urn:x  a  b", 2), "1 urn:x a  b");
    }

    #[test]
    fn rules_are_idempotent_and_keep_what_they_do_not_know() {
        for (name, value) in [
            ("Fingerprint", "SHA-256 ab:cd"),
            ("fingerprint", "sha-256 zz:zz"),
            ("group", "bundle  a\tb"),
            ("x-unknown", "  kept   as  is"),
            ("msid-semantic", " WMS"),
            ("candidate", "1 1 Udp 1 192.0.2.1 9 TYP Host TcpType x"),
            ("fmtp", "96   a=b;  c=d"),
        ] {
            let once = canonical(name, value);
            let (n, v) = once.split_once(':').unwrap();
            assert_eq!(canonical(n, v), once, "{name}:{value}");
        }
        assert_eq!(canonical("group", "bundle  a\tb"), "group:BUNDLE a b");
        assert_eq!(
            canonical("fingerprint", "sha-256 zz:zz"),
            "fingerprint:sha-256 zz:zz"
        );
        assert_eq!(
            canonical("x-unknown", "  kept   as  is"),
            "x-unknown:  kept   as  is"
        );
        assert_eq!(canonical("X-Empty", ""), "X-Empty");
    }
}
