//! Full intra request, PSFB (206) FMT 4 (RFC 5104 §4.3.1).

use super::common::{be32, finish, PT_PSFB};
use super::feedback::{begin_feedback, read_feedback};
use crate::{RtcpHeader, RtpError};

/// A FIR: requests a decoder refresh point from each listed media sender.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fir {
    /// SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source: RFC 5104 says 0 (the targets are in the
    /// entries); kept as read.
    pub media_ssrc: u32,
    /// The FCI entries.
    pub entries: Vec<FirEntry>,
}

/// One FIR entry: the media sender asked and the request's sequence
/// number (incremented per new request, RFC 5104 §4.3.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FirEntry {
    /// SSRC of the media sender that should send a refresh point.
    pub ssrc: u32,
    /// Command sequence number.
    pub sequence: u8,
}

/// The FMT of a FIR.
pub(crate) const FMT_FIR: u8 = 4;

impl Fir {
    /// Reads a FIR. The 3 reserved bytes of each entry are ignored, as
    /// are bytes after the last whole 8-byte entry.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        let (sender_ssrc, media_ssrc, body) = read_feedback(h, PT_PSFB, FMT_FIR, 8)?;
        let entries = body[8..]
            .chunks_exact(8)
            .map(|e| FirEntry {
                ssrc: be32(e, 0),
                sequence: e[4],
            })
            .collect();
        Ok(Fir {
            sender_ssrc,
            media_ssrc,
            entries,
        })
    }

    /// Appends the packet (reserved bytes 0).
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = begin_feedback(out, PT_PSFB, FMT_FIR, self.sender_ssrc, self.media_ssrc);
        for e in &self.entries {
            out.extend_from_slice(&e.ssrc.to_be_bytes());
            out.extend_from_slice(&[e.sequence, 0, 0, 0]);
        }
        finish(out, start);
    }
}
