//! What kind of name a machine asked to resolve
//! (`sansrtc::PeerEvent::Resolve`): the one decision both runtimes' DNS
//! and mDNS glue share.

use std::net::IpAddr;

/// How a name is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameKind {
    /// A literal address (`192.0.2.1`, `::1`, `[::1]`): itself, at once.
    Literal(IpAddr),
    /// A multicast DNS name (under `.local`, RFC 6762): the mDNS resolver.
    Mdns,
    /// Anything else: DNS, through the runtime's resolver.
    Dns,
    /// Not a name at all (empty, over 253 bytes, a control character): no
    /// address, without asking anybody.
    Invalid,
}

/// The longest DNS name in text form (RFC 1035 §2.3.4: 255 bytes on the
/// wire).
pub const MAX_NAME_LEN: usize = 253;

/// Classifies `name`.
pub fn classify_name(name: &str) -> NameKind {
    let literal = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return NameKind::Literal(ip);
    }
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty()
        || trimmed.len() > MAX_NAME_LEN
        || trimmed.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return NameKind::Invalid;
    }
    let lower = trimmed.to_ascii_lowercase();
    if lower.ends_with(".local") {
        NameKind::Mdns
    } else {
        NameKind::Dns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_local_names_and_the_rest() {
        assert_eq!(
            classify_name("127.0.0.1"),
            NameKind::Literal("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            classify_name("[::1]"),
            NameKind::Literal("::1".parse().unwrap())
        );
        assert_eq!(
            classify_name("::1"),
            NameKind::Literal("::1".parse().unwrap())
        );
        assert_eq!(
            classify_name("6c5fe1a8-3b5d-4c4e-9b4d-2a1f0e9d8c7b.LOCAL."),
            NameKind::Mdns
        );
        assert_eq!(classify_name("stun.example.org"), NameKind::Dns);
        assert_eq!(classify_name("local"), NameKind::Dns);
        assert_eq!(classify_name(""), NameKind::Invalid);
        assert_eq!(classify_name("."), NameKind::Invalid);
        assert_eq!(classify_name("a b.example"), NameKind::Invalid);
        assert_eq!(classify_name("a\u{0}.local"), NameKind::Invalid);
        assert_eq!(classify_name(&"a".repeat(254)), NameKind::Invalid);
    }
}
