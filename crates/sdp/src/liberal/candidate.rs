//! The canonical spelling of an `a=candidate` value read loosely: fields
//! separated by one SP; the `typ` keyword, the candidate type, known
//! extension names and the `tcptype` value in lower case; everything else
//! (foundation, addresses, field order, unknown extensions) as written.

use crate::candidate::{known_field, Candidate};
use crate::candidate_error::CandidateField;

/// The canonical value, or `None` when the candidate does not parse (it is
/// then kept as written and refused by the typed view).
pub(super) fn canonical(value: &str) -> Option<String> {
    let candidate = Candidate::parse_value(value).ok()?;
    let mut out = String::with_capacity(value.len());
    let mut after_tcptype = false;
    for (index, word) in value.split_ascii_whitespace().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        match index {
            2 => out.push_str(candidate.transport_str()),
            6 => out.push_str("typ"),
            7 => out.push_str(candidate.kind.as_str()),
            // Extension names sit at even positions from 8 on.
            i if i >= 8 && i % 2 == 0 => {
                let field = known_field(word);
                after_tcptype = field == Some(CandidateField::TcpType);
                out.push_str(match field {
                    Some(field) => field.name(),
                    None => word,
                });
            }
            i if i >= 8 && after_tcptype => {
                out.push_str(match candidate.tcp_type {
                    Some(tcp_type) => tcp_type.as_str(),
                    None => word,
                });
            }
            _ => out.push_str(word),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn keywords_lower_case_order_and_addresses_kept() {
        assert_eq!(
            canonical("1  1\tTCP 5 2001:DB8::1 9 TYP HOST x-a b TCPTYPE PASSIVE").as_deref(),
            Some("1 1 TCP 5 2001:DB8::1 9 typ host x-a b tcptype passive")
        );
        assert_eq!(
            canonical("1 1 Udp 5 192.0.2.1 9 typ srflx RPORT 1 RADDR 0.0.0.0").as_deref(),
            Some("1 1 udp 5 192.0.2.1 9 typ srflx rport 1 raddr 0.0.0.0")
        );
        assert_eq!(canonical("1 1 udp 5 192.0.2.1 9 typ nope"), None);
    }
}
