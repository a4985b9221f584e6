//! Data channel attributes: `sctp-port` and `max-message-size` (RFC 8841
//! §5, §6) and the legacy `sctpmap` (draft-ietf-mmusic-sctp-sdp-05).

use std::fmt;

use crate::grammar::{is_token, parse_decimal};

/// Parses `sctp-port`: a port from 0 to 65535.
pub(crate) fn parse_sctp_port(value: &str) -> Result<u16, &'static str> {
    parse_decimal(value.trim(), 5).ok_or("a port from 0 to 65535")
}

/// Parses `max-message-size`: a decimal size in bytes (0 means no limit).
pub(crate) fn parse_max_message_size(value: &str) -> Result<u64, &'static str> {
    parse_decimal(value.trim(), 20).ok_or("a size in bytes")
}

/// The legacy `a=sctpmap:<port> <app> [<streams>]`, written by old
/// browsers with `m=application <port> DTLS/SCTP <port>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sctpmap {
    /// The SCTP port (also the m= format).
    pub port: u16,
    /// The application: `webrtc-datachannel`.
    pub app: String,
    /// The number of streams, if given.
    pub streams: Option<u32>,
}

impl Sctpmap {
    pub(crate) fn parse(value: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str = "`<port> <app> [<streams>]`";
        let mut words = crate::grammar::words(value);
        let port = words
            .next()
            .and_then(|p| parse_decimal(p, 5))
            .ok_or(EXPECTED)?;
        let app = words.next().filter(|a| is_token(a)).ok_or(EXPECTED)?;
        let streams = match words.next() {
            Some(s) => Some(parse_decimal(s, 10).ok_or(EXPECTED)?),
            None => None,
        };
        if words.next().is_some() {
            return Err(EXPECTED);
        }
        Ok(Sctpmap {
            port,
            app: app.to_owned(),
            streams,
        })
    }
}

impl fmt::Display for Sctpmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.port, self.app)?;
        if let Some(streams) = self.streams {
            write!(f, " {streams}")?;
        }
        Ok(())
    }
}
