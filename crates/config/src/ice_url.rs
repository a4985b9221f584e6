//! ICE server URLs (RFC 7064 `stun:`/`stuns:`, RFC 7065 `turn:`/`turns:`),
//! validated as webrtc-pc's "validate an ICE server URL" does: with the WHATWG
//! URL parser (the `url` crate), then `https://` + the opaque path for the host
//! and port.

use core::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::error::UrlSyntaxError;

/// Default port of `stun:` and `turn:` (RFC 7064 §3.1, RFC 7065 §3.1).
pub const DEFAULT_PORT: u16 = 3478;
/// Default port of `stuns:` and `turns:` (TLS/DTLS).
pub const DEFAULT_SECURE_PORT: u16 = 5349;

/// The four ICE URL schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceScheme {
    /// `stun:`
    Stun,
    /// `stuns:` (STUN over TLS/DTLS)
    Stuns,
    /// `turn:`
    Turn,
    /// `turns:` (TURN over TLS/DTLS)
    Turns,
}

impl IceScheme {
    /// The lower-case scheme name.
    pub fn as_str(self) -> &'static str {
        match self {
            IceScheme::Stun => "stun",
            IceScheme::Stuns => "stuns",
            IceScheme::Turn => "turn",
            IceScheme::Turns => "turns",
        }
    }

    /// `stuns` or `turns`.
    pub fn is_secure(self) -> bool {
        matches!(self, IceScheme::Stuns | IceScheme::Turns)
    }

    /// `turn` or `turns`.
    pub fn is_turn(self) -> bool {
        matches!(self, IceScheme::Turn | IceScheme::Turns)
    }

    /// 5349 for the secure schemes, 3478 otherwise.
    pub fn default_port(self) -> u16 {
        if self.is_secure() {
            DEFAULT_SECURE_PORT
        } else {
            DEFAULT_PORT
        }
    }

    fn from_url_scheme(scheme: &str) -> Option<Self> {
        // The URL parser has already lower-cased the scheme.
        match scheme {
            "stun" => Some(IceScheme::Stun),
            "stuns" => Some(IceScheme::Stuns),
            "turn" => Some(IceScheme::Turn),
            "turns" => Some(IceScheme::Turns),
            _ => None,
        }
    }
}

/// The `?transport=` of a TURN URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceTransportProtocol {
    /// `transport=udp`
    Udp,
    /// `transport=tcp`
    Tcp,
}

impl IceTransportProtocol {
    /// `"udp"` or `"tcp"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IceTransportProtocol::Udp => "udp",
            IceTransportProtocol::Tcp => "tcp",
        }
    }
}

/// The host of an ICE server URL, after WHATWG host parsing (lower-cased,
/// IDNA to punycode, percent-decoded, IPv4 shorthand normalised).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IceHost {
    /// A domain name (ASCII, possibly punycode).
    Domain(String),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (written in brackets in the URL).
    Ipv6(Ipv6Addr),
}

impl fmt::Display for IceHost {
    /// The WHATWG host serialisation: IPv6 bracketed and compressed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IceHost::Domain(d) => f.write_str(d),
            IceHost::Ipv4(a) => write!(f, "{a}"),
            IceHost::Ipv6(a) => {
                f.write_str("[")?;
                write_whatwg_ipv6(f, a)?;
                f.write_str("]")
            }
        }
    }
}

/// WHATWG IPv6 serialiser: lower-case hex, the first longest run of two or
/// more zero pieces compressed to `::`, never the dotted IPv4 form.
fn write_whatwg_ipv6(f: &mut fmt::Formatter<'_>, addr: &Ipv6Addr) -> fmt::Result {
    let pieces = addr.segments();
    let (mut best_start, mut best_len) = (None, 1usize);
    let mut i = 0;
    while i < pieces.len() {
        if pieces[i] == 0 {
            let start = i;
            while i < pieces.len() && pieces[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_start = Some(start);
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut ignore0 = false;
    for (index, piece) in pieces.iter().enumerate() {
        if ignore0 && *piece == 0 {
            continue;
        }
        ignore0 = false;
        if best_start == Some(index) {
            f.write_str(if index == 0 { "::" } else { ":" })?;
            ignore0 = true;
            continue;
        }
        write!(f, "{piece:x}")?;
        if index != 7 {
            f.write_str(":")?;
        }
    }
    Ok(())
}

/// A validated ICE server URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IceServerUrl {
    /// The scheme.
    pub scheme: IceScheme,
    /// `stuns`/`turns`.
    pub secure: bool,
    /// The host.
    pub host: IceHost,
    /// The port written in the URL, if any (an explicit `:443` is kept).
    pub port: Option<u16>,
    /// The TURN `?transport=`, if any.
    pub transport: Option<IceTransportProtocol>,
}

impl IceServerUrl {
    /// Parses and validates one URL: every `SyntaxError` check of the
    /// webrtc-pc algorithm, in its order. The TURN credential check is not
    /// here (it needs the server's username and credential); see
    /// [`crate::RtcConfigurationState`].
    pub fn parse(input: &str) -> Result<Self, UrlSyntaxError> {
        // 2.a
        let parsed = Url::parse(input).map_err(|_| UrlSyntaxError::Unparseable)?;
        // 2.b
        let scheme =
            IceScheme::from_url_scheme(parsed.scheme()).ok_or(UrlSyntaxError::SchemeNotIce)?;
        // 2.c
        if !parsed.cannot_be_a_base() {
            return Err(UrlSyntaxError::NoOpaquePath);
        }
        let path = parsed.path();
        // 2.d
        if path.contains(['/', '@']) {
            return Err(UrlSyntaxError::PathHasSlashOrAt);
        }
        // D1: the WHATWG parser would turn `\` into a path separator in the
        // https URL below; the RFC host grammar and WPT reject it.
        if path.contains('\\') {
            return Err(UrlSyntaxError::PathHasBackslash);
        }
        // 2.e
        if parsed.fragment().is_some() {
            return Err(UrlSyntaxError::Fragment);
        }
        // 2.f
        if !scheme.is_turn() && parsed.query().is_some() {
            return Err(UrlSyntaxError::QueryOnStun);
        }
        // 3: every ICE scheme is implemented, so no NotSupportedError.
        // 4-5
        let host_and_port =
            Url::parse(&format!("https://{path}")).map_err(|_| UrlSyntaxError::HostAndPort)?;
        if host_and_port.path() != "/"
            || !host_and_port.username().is_empty()
            || host_and_port.password().is_some()
            || host_and_port.query().is_some()
            || host_and_port.fragment().is_some()
        {
            return Err(UrlSyntaxError::HostAndPort);
        }
        let host = match host_and_port.host() {
            Some(Host::Domain(d)) => IceHost::Domain(d.to_owned()),
            Some(Host::Ipv4(a)) => IceHost::Ipv4(a),
            Some(Host::Ipv6(a)) => IceHost::Ipv6(a),
            None => return Err(UrlSyntaxError::HostAndPort),
        };
        let port = match host_and_port.port() {
            Some(port) => Some(port),
            // S2: https elides an explicit :443; read it back from the text.
            None => explicit_port(path),
        };
        // 6
        let transport = match parsed.query() {
            None => None,
            Some("transport=udp") => Some(IceTransportProtocol::Udp),
            Some("transport=tcp") => Some(IceTransportProtocol::Tcp),
            Some(_) => return Err(UrlSyntaxError::TurnQuery),
        };
        Ok(IceServerUrl {
            scheme,
            secure: scheme.is_secure(),
            host,
            port,
            transport,
        })
    }

    /// The port to connect to: the explicit one, else the scheme's default.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.scheme.default_port())
    }
}

/// The port digits after the host in an opaque path the https parse has
/// already accepted (so the digits, if any, are a valid port).
fn explicit_port(path: &str) -> Option<u16> {
    let after_host = if path.starts_with('[') {
        &path[path.find(']')? + 1..]
    } else {
        &path[path.rfind(':')?..]
    };
    let digits = after_host.strip_prefix(':')?;
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

impl fmt::Display for IceServerUrl {
    /// The normalised form: `scheme:host[:port][?transport=…]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme.as_str(), self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(t) = self.transport {
            write!(f, "?transport={}", t.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> IceServerUrl {
        IceServerUrl::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_each_scheme_with_default_ports() {
        let u = ok("stun:example.net");
        assert_eq!(
            (u.scheme, u.secure, u.port, u.effective_port()),
            (IceScheme::Stun, false, None, 3478)
        );
        let u = ok("stuns:example.net");
        assert_eq!(
            (u.scheme, u.secure, u.effective_port()),
            (IceScheme::Stuns, true, 5349)
        );
        let u = ok("turn:example.net?transport=udp");
        assert_eq!(
            (u.scheme, u.transport, u.effective_port()),
            (IceScheme::Turn, Some(IceTransportProtocol::Udp), 3478)
        );
        let u = ok("turns:[2001:db8::1]:443?transport=tcp");
        assert_eq!(u.host, IceHost::Ipv6("2001:db8::1".parse().unwrap()));
        assert_eq!((u.port, u.effective_port()), (Some(443), 443));
        assert_eq!(u.to_string(), "turns:[2001:db8::1]:443?transport=tcp");
    }

    #[test]
    fn hosts_serialise_as_whatwg() {
        assert_eq!(
            ok("stun:[::ffff:192.0.2.128]").host.to_string(),
            "[::ffff:c000:280]"
        );
        assert_eq!(
            ok("stun:[1:0:0:2:0:0:0:3]").host.to_string(),
            "[1:0:0:2::3]"
        );
        assert_eq!(ok("stun:[::1]").host.to_string(), "[::1]");
        assert_eq!(ok("stun:[1::]").host.to_string(), "[1::]");
        assert_eq!(
            ok("stun:127.1").host,
            IceHost::Ipv4(Ipv4Addr::new(127, 0, 0, 1))
        );
        assert_eq!(
            ok("STUN:Example.NET").host,
            IceHost::Domain("example.net".into())
        );
    }

    #[test]
    fn each_syntax_check_has_its_cause() {
        use UrlSyntaxError::*;
        for (url, cause) in [
            ("", Unparseable),
            ("relative", Unparseable),
            ("http://example.com", SchemeNotIce),
            ("turn://example.org", NoOpaquePath),
            ("stun:/example.org", NoOpaquePath),
            ("stun:a@b", PathHasSlashOrAt),
            ("stun:a/b", PathHasSlashOrAt),
            ("stun:a\\", PathHasBackslash),
            ("stun:a#f", Fragment),
            ("stun:a?", QueryOnStun),
            ("stuns:a?transport=tcp", QueryOnStun),
            ("stun:", HostAndPort),
            ("stun:a:65536", HostAndPort),
            ("stun:2001:db8::1", HostAndPort),
            ("turn:a?transport=sctp", TurnQuery),
            ("turn:a?transport=udp&x=1", TurnQuery),
        ] {
            assert_eq!(IceServerUrl::parse(url), Err(cause), "{url}");
        }
    }

    #[test]
    fn explicit_port_reads_the_text() {
        assert_eq!(explicit_port("a:443"), Some(443));
        assert_eq!(explicit_port("a:"), None);
        assert_eq!(explicit_port("a"), None);
        assert_eq!(explicit_port("[::1]:0443"), Some(443));
        assert_eq!(explicit_port("[::1]"), None);
    }
}
