//! The ICE candidate attribute (RFC 8839 §5.1, RFC 6544 §4.5 for TCP), the one
//! grammar shared by `a=candidate:` lines in SDP and trickled candidates given
//! to `addIceCandidate`.
//!
//! ```text
//! candidate-attribute = "candidate" ":" foundation SP component-id SP
//!                       transport SP priority SP connection-address SP port
//!                       SP cand-type [SP rel-addr] [SP rel-port]
//!                       *(SP cand-extension)
//! ```
//!
//! The writer puts the fields in the order libwebrtc writes them:
//! `raddr`, `rport`, `tcptype`, `generation`, `ufrag`, `network-id`,
//! `network-cost`, then unknown extensions in the order they were read.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::candidate_error::{CandidateError, CandidateField};
use crate::grammar::{is_host_name, is_ice_char, is_token, is_vchar, parse_decimal};
use crate::limits::{MAX_CANDIDATE_EXTENSIONS, MAX_CANDIDATE_LEN};

/// Longest foundation accepted (RFC 8839: `1*32ice-char`).
pub const MAX_FOUNDATION_LEN: usize = 32;
/// Longest `ufrag` extension accepted (RFC 8839: `ice-ufrag` is `4*256ice-char`).
pub const MAX_UFRAG_LEN: usize = 256;

/// The transport of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateTransport {
    /// `udp` (RFC 8445).
    Udp,
    /// `tcp` (RFC 6544).
    Tcp,
}

/// Where a candidate is: an IP address, or a name (an mDNS `….local` name
/// hiding a host address, or a DNS name), kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateAddress {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A host name, e.g. `1f4712db-ea17-4bcf-a596-105139dfd8bf.local`.
    Fqdn(String),
}

impl CandidateAddress {
    /// Whether this is an mDNS name (ends in `.local`, RFC 8839 / draft-ietf-mmusic-mdns-ice-candidates).
    pub fn is_mdns(&self) -> bool {
        match self {
            CandidateAddress::Ip(_) => false,
            CandidateAddress::Fqdn(name) => {
                let name = name.strip_suffix('.').unwrap_or(name);
                name.len() > 6
                    && name
                        .get(name.len() - 6..)
                        .is_some_and(|tail| tail.eq_ignore_ascii_case(".local"))
            }
        }
    }

    /// The IP address, if this is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            CandidateAddress::Ip(ip) => Some(*ip),
            CandidateAddress::Fqdn(_) => None,
        }
    }
}

impl FromStr for CandidateAddress {
    type Err = CandidateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            Ok(CandidateAddress::Ip(ip))
        } else if is_host_name(s) {
            Ok(CandidateAddress::Fqdn(s.to_owned()))
        } else {
            Err(CandidateError::InvalidAddress)
        }
    }
}

impl fmt::Display for CandidateAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CandidateAddress::Ip(ip) => write!(f, "{ip}"),
            CandidateAddress::Fqdn(name) => f.write_str(name),
        }
    }
}

impl From<IpAddr> for CandidateAddress {
    fn from(ip: IpAddr) -> Self {
        CandidateAddress::Ip(ip)
    }
}

/// The candidate type (`typ`), RFC 8445 §5.1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// `host`.
    Host,
    /// `srflx`.
    ServerReflexive,
    /// `prflx`.
    PeerReflexive,
    /// `relay`.
    Relay,
}

impl CandidateKind {
    /// The SDP spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateKind::Host => "host",
            CandidateKind::ServerReflexive => "srflx",
            CandidateKind::PeerReflexive => "prflx",
            CandidateKind::Relay => "relay",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            CandidateKind::Host,
            CandidateKind::ServerReflexive,
            CandidateKind::PeerReflexive,
            CandidateKind::Relay,
        ]
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for CandidateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The role of a TCP candidate (RFC 6544 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// `active`: opens connections, does not accept them.
    Active,
    /// `passive`: accepts connections.
    Passive,
    /// `so`: simultaneous open.
    So,
}

impl TcpType {
    /// The SDP spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TcpType::Active => "active",
            TcpType::Passive => "passive",
            TcpType::So => "so",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [TcpType::Active, TcpType::Passive, TcpType::So]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for TcpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ICE candidate, as carried by `a=candidate:` or by `addIceCandidate`.
///
/// ```
/// use sansrtc_sdp::{Candidate, CandidateKind, CandidateTransport};
///
/// let c: Candidate = "candidate:2227116758 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 50"
///     .parse()
///     .unwrap();
/// assert_eq!(c.transport, CandidateTransport::Tcp);
/// assert_eq!(c.kind, CandidateKind::Host);
/// assert_eq!(c.network_cost, Some(50));
/// assert_eq!(
///     c.to_string(),
///     "candidate:2227116758 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 50"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Foundation: 1 to 32 ice-chars.
    pub foundation: String,
    /// Component id: 1 (RTP) or 2 (RTCP), at most 256.
    pub component: u16,
    /// Transport.
    pub transport: CandidateTransport,
    /// Priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// Address: IP or (mDNS) name.
    pub address: CandidateAddress,
    /// Port.
    pub port: u16,
    /// Candidate type.
    pub kind: CandidateKind,
    /// `raddr`: the related address.
    pub related_address: Option<CandidateAddress>,
    /// `rport`: the related port.
    pub related_port: Option<u16>,
    /// `tcptype` for TCP candidates.
    pub tcp_type: Option<TcpType>,
    /// `generation` (libwebrtc).
    pub generation: Option<u32>,
    /// `ufrag`: the ICE username fragment this candidate belongs to.
    pub ufrag: Option<String>,
    /// `network-id` (libwebrtc).
    pub network_id: Option<u32>,
    /// `network-cost` (libwebrtc).
    pub network_cost: Option<u32>,
    /// Unknown extension pairs, kept in the order read.
    pub extensions: Vec<(String, String)>,
    /// Whether the transport was written in upper case (`UDP`, as Firefox
    /// writes it) rather than lower case (`udp`, as libwebrtc writes it);
    /// kept so a parsed candidate is written back byte for byte.
    pub transport_uppercase: bool,
}

impl Candidate {
    /// A candidate with the mandatory fields and no optional ones.
    pub fn new(
        foundation: impl Into<String>,
        component: u16,
        transport: CandidateTransport,
        priority: u32,
        address: CandidateAddress,
        port: u16,
        kind: CandidateKind,
    ) -> Self {
        Candidate {
            foundation: foundation.into(),
            component,
            transport,
            priority,
            address,
            port,
            kind,
            related_address: None,
            related_port: None,
            tcp_type: None,
            generation: None,
            ufrag: None,
            network_id: None,
            network_cost: None,
            extensions: Vec::new(),
            transport_uppercase: false,
        }
    }

    /// Parses the value of an `a=candidate` attribute, the part after
    /// `candidate:` (what the SDP attribute parser holds).
    pub fn parse_value(value: &str) -> Result<Self, CandidateError> {
        if value.len() > MAX_CANDIDATE_LEN {
            return Err(CandidateError::TooLong {
                len: value.len(),
                max: MAX_CANDIDATE_LEN,
            });
        }
        let mut words = value.split_ascii_whitespace();
        let mut next = |field| words_next(&mut words, field);

        let foundation = next(CandidateField::Foundation)?;
        if foundation.len() > MAX_FOUNDATION_LEN || !foundation.bytes().all(is_ice_char) {
            return Err(CandidateError::InvalidFoundation);
        }
        let component = parse_decimal::<u16>(next(CandidateField::Component)?, 3)
            .filter(|c| (1..=256).contains(c))
            .ok_or(CandidateError::InvalidComponent)?;
        let transport_text = next(CandidateField::Transport)?;
        let transport = if transport_text.eq_ignore_ascii_case("udp") {
            CandidateTransport::Udp
        } else if transport_text.eq_ignore_ascii_case("tcp") {
            CandidateTransport::Tcp
        } else {
            return Err(CandidateError::UnknownTransport);
        };
        let transport_uppercase = transport_text.bytes().all(|b| b.is_ascii_uppercase());
        let priority = parse_decimal::<u32>(next(CandidateField::Priority)?, 10)
            .ok_or(CandidateError::InvalidPriority)?;
        let address: CandidateAddress = next(CandidateField::Address)?.parse()?;
        let port = parse_port(next(CandidateField::Port)?).ok_or(CandidateError::InvalidPort)?;
        if !next(CandidateField::Type)?.eq_ignore_ascii_case("typ") {
            return Err(CandidateError::ExpectedTyp);
        }
        let kind =
            CandidateKind::parse(next(CandidateField::Type)?).ok_or(CandidateError::UnknownType)?;

        let mut candidate = Candidate::new(
            foundation, component, transport, priority, address, port, kind,
        );
        candidate.transport_uppercase = transport_uppercase;

        while let Some(name) = words.next() {
            let value = words.next();
            candidate.set_extension(name, value)?;
        }
        if candidate.tcp_type.is_some() && candidate.transport == CandidateTransport::Udp {
            return Err(CandidateError::TcpTypeOnUdp);
        }
        Ok(candidate)
    }

    /// Applies one `name value` pair that follows the candidate type.
    fn set_extension(&mut self, name: &str, value: Option<&str>) -> Result<(), CandidateError> {
        let field = known_field(name);
        let Some(value) = value else {
            return Err(match field {
                Some(field) => CandidateError::Missing(field),
                None => CandidateError::ExtensionWithoutValue(name.to_owned()),
            });
        };
        let Some(field) = field else {
            if !is_token(name) {
                return Err(CandidateError::InvalidExtensionName);
            }
            if !value.bytes().all(is_vchar) {
                return Err(CandidateError::InvalidExtensionValue);
            }
            if self.extensions.len() >= MAX_CANDIDATE_EXTENSIONS {
                return Err(CandidateError::TooManyExtensions {
                    max: MAX_CANDIDATE_EXTENSIONS,
                });
            }
            self.extensions.push((name.to_owned(), value.to_owned()));
            return Ok(());
        };
        let duplicate = match field {
            CandidateField::RelatedAddress => self.related_address.is_some(),
            CandidateField::RelatedPort => self.related_port.is_some(),
            CandidateField::TcpType => self.tcp_type.is_some(),
            CandidateField::Generation => self.generation.is_some(),
            CandidateField::Ufrag => self.ufrag.is_some(),
            CandidateField::NetworkId => self.network_id.is_some(),
            _ => self.network_cost.is_some(),
        };
        if duplicate {
            return Err(CandidateError::Duplicate(field));
        }
        match field {
            CandidateField::RelatedAddress => {
                self.related_address = Some(
                    value
                        .parse()
                        .map_err(|_| CandidateError::InvalidRelatedAddress)?,
                );
            }
            CandidateField::RelatedPort => {
                self.related_port =
                    Some(parse_port(value).ok_or(CandidateError::InvalidRelatedPort)?);
            }
            CandidateField::TcpType => {
                self.tcp_type = Some(TcpType::parse(value).ok_or(CandidateError::UnknownTcpType)?);
            }
            CandidateField::Generation => {
                self.generation =
                    Some(parse_decimal(value, 10).ok_or(CandidateError::InvalidGeneration)?);
            }
            CandidateField::Ufrag => {
                if value.len() > MAX_UFRAG_LEN || !value.bytes().all(is_ice_char) {
                    return Err(CandidateError::InvalidUfrag);
                }
                self.ufrag = Some(value.to_owned());
            }
            CandidateField::NetworkId => {
                self.network_id =
                    Some(parse_decimal(value, 10).ok_or(CandidateError::InvalidNetworkId)?);
            }
            _ => {
                self.network_cost =
                    Some(parse_decimal(value, 10).ok_or(CandidateError::InvalidNetworkCost)?);
            }
        }
        Ok(())
    }

    /// The transport as written (`udp`/`tcp`, or `UDP`/`TCP`).
    pub(crate) fn transport_str(&self) -> &'static str {
        match (self.transport, self.transport_uppercase) {
            (CandidateTransport::Udp, false) => "udp",
            (CandidateTransport::Udp, true) => "UDP",
            (CandidateTransport::Tcp, false) => "tcp",
            (CandidateTransport::Tcp, true) => "TCP",
        }
    }

    /// Writes the attribute value (everything after `candidate:`).
    pub fn write_value(&self, f: &mut impl fmt::Write) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport_str(),
            self.priority,
            self.address,
            self.port,
            self.kind
        )?;
        if let Some(raddr) = &self.related_address {
            write!(f, " raddr {raddr}")?;
        }
        if let Some(rport) = self.related_port {
            write!(f, " rport {rport}")?;
        }
        if let Some(tcp_type) = self.tcp_type {
            write!(f, " tcptype {tcp_type}")?;
        }
        if let Some(generation) = self.generation {
            write!(f, " generation {generation}")?;
        }
        if let Some(ufrag) = &self.ufrag {
            write!(f, " ufrag {ufrag}")?;
        }
        if let Some(id) = self.network_id {
            write!(f, " network-id {id}")?;
        }
        if let Some(cost) = self.network_cost {
            write!(f, " network-cost {cost}")?;
        }
        for (name, value) in &self.extensions {
            write!(f, " {name} {value}")?;
        }
        Ok(())
    }
}

fn words_next<'a>(
    words: &mut impl Iterator<Item = &'a str>,
    field: CandidateField,
) -> Result<&'a str, CandidateError> {
    words.next().ok_or(CandidateError::Missing(field))
}

fn parse_port(s: &str) -> Option<u16> {
    parse_decimal(s, 5)
}

/// The known extension field named `name` (ASCII case ignored).
pub(crate) fn known_field(name: &str) -> Option<CandidateField> {
    [
        CandidateField::RelatedAddress,
        CandidateField::RelatedPort,
        CandidateField::TcpType,
        CandidateField::Generation,
        CandidateField::Ufrag,
        CandidateField::NetworkId,
        CandidateField::NetworkCost,
    ]
    .into_iter()
    .find(|f| f.name().eq_ignore_ascii_case(name))
}

/// Strips `a=` (optional) and `candidate:` from the start, case-insensitively.
fn strip_prefix(s: &str) -> Option<&str> {
    let s = match s.get(..2) {
        Some(p) if p.eq_ignore_ascii_case("a=") => &s[2..],
        _ => s,
    };
    match s.get(..10) {
        Some(p) if p.eq_ignore_ascii_case("candidate:") => Some(&s[10..]),
        _ => None,
    }
}

impl FromStr for Candidate {
    type Err = CandidateError;

    /// Accepts `candidate:…` (as `addIceCandidate` gives it) and
    /// `a=candidate:…` (an SDP line), with surrounding white space or a line
    /// ending.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_CANDIDATE_LEN + 16 {
            return Err(CandidateError::TooLong {
                len: s.len(),
                max: MAX_CANDIDATE_LEN,
            });
        }
        let value = strip_prefix(s.trim()).ok_or(CandidateError::MissingPrefix)?;
        Candidate::parse_value(value)
    }
}

impl fmt::Display for Candidate {
    /// Writes `candidate:…` (no `a=`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("candidate:")?;
        self.write_value(f)
    }
}
