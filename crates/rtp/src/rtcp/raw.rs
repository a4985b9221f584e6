//! Packets kept as bytes: APP (204), XR (207) and every type or feedback
//! format this module does not read.

use super::common::{begin, finish, payload};
use crate::{RtcpHeader, RtpError};

/// An RTCP packet kept as its type, count/FMT field and body, for callers
/// to skip (or read themselves).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawPacket {
    /// The packet type.
    pub packet_type: u8,
    /// The 5-bit count/FMT field.
    pub count: u8,
    /// The bytes after the 4-byte header, without the padding.
    pub body: Vec<u8>,
}

impl RawPacket {
    /// Keeps any packet as bytes (its padding checked and removed).
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        Ok(RawPacket {
            packet_type: h.packet_type(),
            count: h.count(),
            body: payload(h)?.to_vec(),
        })
    }

    /// Appends the packet (padded to 32 bits with the P bit when the body
    /// is not aligned).
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = begin(out, self.count, self.packet_type);
        out.extend_from_slice(&self.body);
        finish(out, start);
    }
}
