//! Picture loss indication, PSFB (206) FMT 1 (RFC 4585 §6.3.1).

use super::common::{be32, begin, expect, finish, need, payload, PT_PSFB};
use crate::{RtcpHeader, RtpError};

/// A PLI: the receiver lost an undefined amount of coded video of the
/// media source and asks for a way to resynchronise (a keyframe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Pli {
    /// SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source.
    pub media_ssrc: u32,
}

/// The FMT of a PLI.
pub(crate) const FMT_PLI: u8 = 1;

impl Pli {
    /// Reads a PLI (it has no FCI; bytes after the two SSRCs are ignored).
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        expect(h, PT_PSFB, Some(FMT_PLI))?;
        let body = payload(h)?;
        need(PT_PSFB, body, 8)?;
        Ok(Pli {
            sender_ssrc: be32(body, 0),
            media_ssrc: be32(body, 4),
        })
    }

    /// Appends the 12-byte packet.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = begin(out, FMT_PLI, PT_PSFB);
        out.extend_from_slice(&self.sender_ssrc.to_be_bytes());
        out.extend_from_slice(&self.media_ssrc.to_be_bytes());
        finish(out, start);
    }
}
