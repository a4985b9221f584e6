//! Picture loss indication, PSFB (206) FMT 1 (RFC 4585 §6.3.1).

use super::common::{finish, PT_PSFB};
use super::feedback::{begin_feedback, read_feedback};
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
        let (sender_ssrc, media_ssrc, _) = read_feedback(h, PT_PSFB, FMT_PLI, 8)?;
        Ok(Pli {
            sender_ssrc,
            media_ssrc,
        })
    }

    /// Appends the 12-byte packet.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = begin_feedback(out, PT_PSFB, FMT_PLI, self.sender_ssrc, self.media_ssrc);
        finish(out, start);
    }
}
