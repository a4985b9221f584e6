//! What can be wrong with an ICE candidate attribute (RFC 8839 §5.1).

use std::fmt;

/// A field of the candidate grammar, used to say which one was missing,
/// repeated or malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateField {
    /// `foundation`.
    Foundation,
    /// `component-id`.
    Component,
    /// `transport` (`udp`, `tcp`).
    Transport,
    /// `priority`.
    Priority,
    /// `connection-address`.
    Address,
    /// `port`.
    Port,
    /// The `typ` keyword and the candidate type after it.
    Type,
    /// `raddr` (related address).
    RelatedAddress,
    /// `rport` (related port).
    RelatedPort,
    /// `tcptype` (RFC 6544).
    TcpType,
    /// `generation` (libwebrtc extension).
    Generation,
    /// `ufrag` (trickle ICE extension).
    Ufrag,
    /// `network-id` (libwebrtc extension).
    NetworkId,
    /// `network-cost` (libwebrtc extension).
    NetworkCost,
}

impl CandidateField {
    /// The name the grammar gives this field.
    pub fn name(self) -> &'static str {
        match self {
            CandidateField::Foundation => "foundation",
            CandidateField::Component => "component-id",
            CandidateField::Transport => "transport",
            CandidateField::Priority => "priority",
            CandidateField::Address => "connection-address",
            CandidateField::Port => "port",
            CandidateField::Type => "typ",
            CandidateField::RelatedAddress => "raddr",
            CandidateField::RelatedPort => "rport",
            CandidateField::TcpType => "tcptype",
            CandidateField::Generation => "generation",
            CandidateField::Ufrag => "ufrag",
            CandidateField::NetworkId => "network-id",
            CandidateField::NetworkCost => "network-cost",
        }
    }
}

impl fmt::Display for CandidateField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a candidate attribute was refused. Each variant names one cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CandidateError {
    /// The text is longer than the parser accepts.
    #[error("candidate is {len} bytes long, more than the {max} accepted")]
    TooLong {
        /// Length of the input in bytes.
        len: usize,
        /// The limit ([`crate::limits::MAX_CANDIDATE_LEN`]).
        max: usize,
    },
    /// The text does not start with `candidate:` (or `a=candidate:`).
    #[error("expected `candidate:` at the start")]
    MissingPrefix,
    /// A mandatory field is absent, or an extension name has no value.
    #[error("missing {0}")]
    Missing(CandidateField),
    /// A field that may appear once appears twice.
    #[error("{0} given more than once")]
    Duplicate(CandidateField),
    /// The foundation is empty, too long or has a character outside
    /// ALPHA / DIGIT / `+` / `/`.
    #[error("foundation must be 1 to 32 characters of ALPHA, DIGIT, `+` or `/`")]
    InvalidFoundation,
    /// The component id is not a number from 1 to 256.
    #[error("component-id must be a number from 1 to 256")]
    InvalidComponent,
    /// The transport is neither `udp` nor `tcp`.
    #[error("transport must be `udp` or `tcp`")]
    UnknownTransport,
    /// The priority is not a decimal number up to 4294967295.
    #[error("priority must be a decimal number up to 4294967295")]
    InvalidPriority,
    /// The connection address is neither an IP address nor a host name.
    #[error("connection-address must be an IPv4/IPv6 address or a host name")]
    InvalidAddress,
    /// The port is not a decimal number from 0 to 65535.
    #[error("port must be a decimal number from 0 to 65535")]
    InvalidPort,
    /// The word after the port is not `typ`.
    #[error("expected `typ` after the port")]
    ExpectedTyp,
    /// The candidate type is not `host`, `srflx`, `prflx` or `relay`.
    #[error("candidate type must be host, srflx, prflx or relay")]
    UnknownType,
    /// The `raddr` value is neither an IP address nor a host name.
    #[error("raddr must be an IPv4/IPv6 address or a host name")]
    InvalidRelatedAddress,
    /// The `rport` value is not a port number.
    #[error("rport must be a decimal number from 0 to 65535")]
    InvalidRelatedPort,
    /// The `tcptype` value is not `active`, `passive` or `so`.
    #[error("tcptype must be active, passive or so")]
    UnknownTcpType,
    /// A `tcptype` on a UDP candidate (RFC 6544 §4.5 defines it for TCP only).
    #[error("tcptype given on a udp candidate")]
    TcpTypeOnUdp,
    /// `generation` is not a 32-bit decimal number.
    #[error("generation must be a decimal number")]
    InvalidGeneration,
    /// `network-id` is not a 32-bit decimal number.
    #[error("network-id must be a decimal number")]
    InvalidNetworkId,
    /// `network-cost` is not a 32-bit decimal number.
    #[error("network-cost must be a decimal number")]
    InvalidNetworkCost,
    /// `ufrag` is not 1 to 256 characters of ALPHA / DIGIT / `+` / `/`.
    #[error("ufrag must be 1 to 256 characters of ALPHA, DIGIT, `+` or `/`")]
    InvalidUfrag,
    /// An extension name is not a token (RFC 8866 §9).
    #[error("extension name is not a token")]
    InvalidExtensionName,
    /// An extension value has a byte outside VCHAR (0x21..=0x7E).
    #[error("extension value has a character outside VCHAR")]
    InvalidExtensionValue,
    /// An extension name is given without a value.
    #[error("extension `{0}` has no value")]
    ExtensionWithoutValue(String),
    /// More extension pairs than the parser keeps.
    #[error("more than {max} extension pairs")]
    TooManyExtensions {
        /// The limit ([`crate::limits::MAX_CANDIDATE_EXTENSIONS`]).
        max: usize,
    },
}
