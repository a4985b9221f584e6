//! RTP attributes: `rtpmap`, `fmtp` (RFC 8866 §6.6, §6.15), `rtcp-fb`
//! (RFC 4585 §4.2), `extmap` (RFC 8285 §8), `rtcp` (RFC 3605 §2.1) and the
//! direction attributes (RFC 8866 §6.7).

use std::fmt;

use crate::grammar::{is_token, parse_decimal, split_word, words};

/// The media direction attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `sendrecv`.
    SendRecv,
    /// `sendonly`.
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Direction {
    /// The SDP spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Parses an attribute name or an extmap direction.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ]
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(s))
    }

    /// The direction an answerer uses in reply to this offered direction
    /// when it is willing to both send and receive (RFC 3264 §6.1).
    pub fn reversed(self) -> Self {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn parse_payload_type(s: &str) -> Result<u8, &'static str> {
    parse_decimal::<u8>(s, 3)
        .filter(|pt| *pt <= 127)
        .ok_or("a payload type from 0 to 127")
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtpmap {
    /// Payload type.
    pub payload_type: u8,
    /// Encoding name as written (`opus`, `VP8`, `H264`, `rtx`).
    pub encoding: String,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Encoding parameters (channels for audio).
    pub channels: Option<u16>,
}

impl Rtpmap {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<payload type> <encoding>/<clock rate>[/<channels>]`";
        let (pt, rest) = split_word(value).ok_or(EXPECTED)?;
        let payload_type = parse_payload_type(pt)?;
        let mut parts = rest.split('/');
        let encoding = parts.next().filter(|e| is_token(e)).ok_or(EXPECTED)?;
        let clock_rate = parts
            .next()
            .and_then(|c| parse_decimal(c, 10))
            .ok_or(EXPECTED)?;
        let channels = match parts.next() {
            Some(c) => Some(parse_decimal(c, 5).ok_or(EXPECTED)?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(EXPECTED);
        }
        Ok(Rtpmap {
            payload_type,
            encoding: encoding.to_owned(),
            clock_rate,
            channels,
        })
    }
}

impl fmt::Display for Rtpmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding, self.clock_rate
        )?;
        if let Some(channels) = self.channels {
            write!(f, "/{channels}")?;
        }
        Ok(())
    }
}

/// `a=fmtp:<format> <format specific parameters>`. The parameters are kept
/// as written; [`Fmtp::parameters`] splits the common `k=v;k=v` form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fmtp {
    /// The format (payload type for RTP).
    pub format: String,
    /// The parameters as written.
    pub params: String,
}

impl Fmtp {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<format> <parameters>`";
        // A format with no parameters (`a=fmtp:96`, what `a=fmtp:96 ` is
        // once the trailing space is dropped) has empty parameters.
        let (format, params) = split_word(value).unwrap_or((value.trim_start(), ""));
        if !is_token(format) {
            return Err(EXPECTED);
        }
        Ok(Fmtp {
            format: format.to_owned(),
            params: params.to_owned(),
        })
    }

    /// The payload type, if the format is one.
    pub fn payload_type(&self) -> Option<u8> {
        parse_payload_type(&self.format).ok()
    }

    /// The `key=value` pairs of a `;`-separated parameter list (a bare
    /// parameter, like `111/111` for RED, has an empty key).
    pub fn parameters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or(("", p)))
    }

    /// The value of parameter `key` (ASCII case ignored).
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
}

impl fmt::Display for Fmtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format)?;
        if !self.params.is_empty() {
            write!(f, " {}", self.params)?;
        }
        Ok(())
    }
}

/// `a=rtcp-fb:<payload type or *> <type> [<parameter>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpFb {
    /// The payload type, or `None` for `*` (all).
    pub payload_type: Option<u8>,
    /// Feedback type: `nack`, `ccm`, `goog-remb`, `transport-cc`, …
    pub kind: String,
    /// Parameter (`pli`, `fir`, …), kept as written.
    pub parameter: Option<String>,
}

impl RtcpFb {
    /// Feedback for one payload type.
    pub fn new(payload_type: u8, kind: &str, parameter: Option<&str>) -> Self {
        RtcpFb {
            payload_type: Some(payload_type),
            kind: kind.to_owned(),
            parameter: parameter.map(str::to_owned),
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<payload type or *> <feedback type> [<parameter>]`";
        let (pt, rest) = split_word(value).ok_or(EXPECTED)?;
        let payload_type = if pt == "*" {
            None
        } else {
            Some(parse_payload_type(pt)?)
        };
        let (kind, parameter) = match split_word(rest) {
            Some((kind, parameter)) => (kind, Some(parameter.to_owned())),
            None => (rest, None),
        };
        if !is_token(kind) {
            return Err(EXPECTED);
        }
        Ok(RtcpFb {
            payload_type,
            kind: kind.to_owned(),
            parameter,
        })
    }
}

impl fmt::Display for RtcpFb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.payload_type {
            Some(pt) => write!(f, "{pt} {}", self.kind)?,
            None => write!(f, "* {}", self.kind)?,
        }
        if let Some(parameter) = &self.parameter {
            write!(f, " {parameter}")?;
        }
        Ok(())
    }
}

/// `a=extmap:<id>[/<direction>] <URI> [<extension attributes>]` (RFC 8285 §8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extmap {
    /// Extension id: 1 to 14 for one-byte headers, up to 255 for two-byte.
    pub id: u16,
    /// Optional direction.
    pub direction: Option<Direction>,
    /// The extension URI.
    pub uri: String,
    /// Extension attributes, kept as written.
    pub attributes: Option<String>,
}

impl Extmap {
    /// An extension with no direction or attributes.
    pub fn new(id: u16, uri: &str) -> Self {
        Extmap {
            id,
            direction: None,
            uri: uri.to_owned(),
            attributes: None,
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<id>[/<direction>] <uri> [<attributes>]`";
        let (head, rest) = split_word(value).ok_or(EXPECTED)?;
        let (id, direction) = match head.split_once('/') {
            Some((id, dir)) => (id, Some(Direction::parse(dir).ok_or(EXPECTED)?)),
            None => (head, None),
        };
        let id = parse_decimal::<u16>(id, 5)
            .filter(|id| (1..=255).contains(id))
            .ok_or("an extmap id from 1 to 255")?;
        let (uri, attributes) = match split_word(rest) {
            Some((uri, attrs)) => (uri, Some(attrs.to_owned())),
            None => (rest, None),
        };
        if uri.is_empty() {
            return Err(EXPECTED);
        }
        Ok(Extmap {
            id,
            direction,
            uri: uri.to_owned(),
            attributes,
        })
    }
}

impl fmt::Display for Extmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if let Some(direction) = self.direction {
            write!(f, "/{direction}")?;
        }
        write!(f, " {}", self.uri)?;
        if let Some(attributes) = &self.attributes {
            write!(f, " {attributes}")?;
        }
        Ok(())
    }
}

/// `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtcp {
    /// The RTCP port.
    pub port: u16,
    /// Optional `nettype addrtype address`, kept as written.
    pub address: Option<String>,
}

impl Rtcp {
    /// `9 IN IP4 0.0.0.0`, the JSEP placeholder (RFC 9429 §5.2.1).
    pub fn placeholder() -> Self {
        Rtcp {
            port: 9,
            address: Some("IN IP4 0.0.0.0".into()),
        }
    }

    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<port> [IN <addrtype> <address>]`";
        let (port, address) = match split_word(value) {
            Some((port, address)) => {
                if words(address).count() != 3 {
                    return Err(EXPECTED);
                }
                (port, Some(address.to_owned()))
            }
            None => (value, None),
        };
        let port = parse_decimal(port, 5).ok_or(EXPECTED)?;
        Ok(Rtcp { port, address })
    }
}

impl fmt::Display for Rtcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)?;
        if let Some(address) = &self.address {
            write!(f, " {address}")?;
        }
        Ok(())
    }
}
