//! Small pieces of the SDP ABNF (RFC 8866 §9, RFC 8839 §5.1) shared by the
//! parsers.

/// `token-char` of RFC 8866 §9.
pub(crate) fn is_token_char(b: u8) -> bool {
    matches!(b,
        b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'^'..=b'~')
}

/// A non-empty `token`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// `ice-char` of RFC 8839 §5.1: ALPHA / DIGIT / "+" / "/".
pub(crate) fn is_ice_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// `VCHAR`: visible ASCII, 0x21..=0x7E.
pub(crate) fn is_vchar(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// A decimal number made only of ASCII digits (no sign, no spaces), at most
/// `max_digits` long, that fits in `T`.
pub(crate) fn parse_decimal<T: std::str::FromStr>(s: &str, max_digits: usize) -> Option<T> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The white space that separates fields on a line: SP, and HTAB, which
/// real peers sometimes write where RFC 8866 asks for a single SP.
pub(crate) const FIELD_SEPARATORS: [char; 2] = [' ', '\t'];

/// The fields of `s`: split at runs of SP/HTAB, empty fields dropped (so
/// leading, trailing and repeated separators are all accepted).
pub(crate) fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(FIELD_SEPARATORS).filter(|w| !w.is_empty())
}

/// The first field of `s` and the rest after the separator run that
/// follows it (leading separators of `s` skipped). `None` when `s` has a
/// single field.
pub(crate) fn split_word(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(FIELD_SEPARATORS);
    let (head, rest) = s.split_once(FIELD_SEPARATORS)?;
    Some((head, rest.trim_start_matches(FIELD_SEPARATORS)))
}

/// `s` with every run of SP/HTAB replaced by one SP and none at either end.
pub(crate) fn collapse_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in words(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A host name as written in SDP: letters, digits, `-`, `.` and `_`, at most
/// 253 bytes, not starting with `-` or `.`. mDNS names (`….local`) qualify.
pub(crate) fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && !s.starts_with(['-', '.'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_refuses_signs_spaces_and_overflow() {
        assert_eq!(parse_decimal::<u32>("42", 10), Some(42));
        assert_eq!(parse_decimal::<u32>("+42", 10), None);
        assert_eq!(parse_decimal::<u32>(" 42", 10), None);
        assert_eq!(parse_decimal::<u32>("4294967296", 10), None);
        assert_eq!(parse_decimal::<u32>("00000000001", 10), None);
        assert_eq!(parse_decimal::<u16>("", 5), None);
    }

    #[test]
    fn fields_split_at_runs_of_spaces_and_tabs() {
        assert_eq!(words(" a \t b  c\t").collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(split_word("\t96 \t apt=100 x"), Some(("96", "apt=100 x")));
        assert_eq!(split_word("96"), None);
        assert_eq!(collapse_words("  BUNDLE\t0   1 "), "BUNDLE 0 1");
        assert_eq!(collapse_words(""), "");
    }

    #[test]
    fn tokens_and_host_names() {
        assert!(is_token("webrtc-datachannel"));
        assert!(!is_token("a b"));
        assert!(!is_token(""));
        assert!(is_host_name("4b3c1a2e-1111-2222-3333-444455556666.local"));
        assert!(!is_host_name("-bad"));
        assert!(!is_host_name("fe80::1%eth0"));
    }
}
