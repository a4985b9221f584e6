//! Receiver report, packet type 201 (RFC 3550 §6.4.2).

use super::common::{be32, PT_RR};
use super::report::{read_report, write_report};
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
        let r = read_report(h, PT_RR, 4)?;
        Ok(ReceiverReport {
            ssrc: be32(r.fixed, 0),
            reports: r.blocks,
            profile_extensions: r.extension,
        })
    }

    /// Appends the packet; blocks past the 31st go into further RR packets
    /// (RFC 3550 §6.4.2), the extension stays in the first.
    pub fn write(&self, out: &mut Vec<u8>) {
        write_report(
            out,
            PT_RR,
            self.ssrc,
            &|_| {},
            &self.reports,
            &self.profile_extensions,
        );
    }
}
