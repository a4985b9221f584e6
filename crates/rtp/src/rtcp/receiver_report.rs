//! Receiver report, packet type 201 (RFC 3550 §6.4.2).

use super::common::{be32, begin, expect, finish, need, payload, MAX_COUNT, PT_RR};
use super::sender_report::{read_blocks, write_overflow_rrs};
use super::ReportBlock;
use crate::{RtcpHeader, RtpError};

/// An RR: reception report blocks from a receiver that sent no RTP since
/// its last report, and any profile-specific extension (kept as bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiverReport {
    /// SSRC of the packet's sender.
    pub ssrc: u32,
    /// Reception report blocks.
    pub reports: Vec<ReportBlock>,
    /// Profile-specific extension after the blocks, without the packet's
    /// padding; empty when there is none.
    pub profile_extensions: Vec<u8>,
}

impl ReceiverReport {
    /// Reads an RR packet.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        expect(h, PT_RR, None)?;
        let body = payload(h)?;
        need(PT_RR, body, 4)?;
        let (reports, rest) = read_blocks(PT_RR, h.count(), &body[4..])?;
        Ok(ReceiverReport {
            ssrc: be32(body, 0),
            reports,
            profile_extensions: rest.to_vec(),
        })
    }

    /// Appends the packet; blocks past the 31st go into further RR packets
    /// (RFC 3550 §6.4.2), the extension stays in the first.
    pub fn write(&self, out: &mut Vec<u8>) {
        let (first, more) = self.reports.split_at(self.reports.len().min(MAX_COUNT));
        let start = begin(out, first.len() as u8, PT_RR);
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for b in first {
            b.write(out);
        }
        out.extend_from_slice(&self.profile_extensions);
        finish(out, start);
        write_overflow_rrs(self.ssrc, more, out);
    }
}
