//! Sender report, packet type 200 (RFC 3550 §6.4.1).

use super::common::{be32, PT_SR};
use super::report::{read_report, write_report};
use super::ReportBlock;
use crate::{RtcpHeader, RtpError};

/// An SR: the sender's clocks and counters, reception report blocks, and
/// any profile-specific extension after them (kept as bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SenderReport {
    /// SSRC of the sender.
    pub ssrc: u32,
    /// NTP timestamp of the report (seconds << 32 | fraction).
    pub ntp_timestamp: u64,
    /// RTP timestamp of the same instant.
    pub rtp_timestamp: u32,
    /// Packets sent.
    pub packet_count: u32,
    /// Payload octets sent.
    pub octet_count: u32,
    /// Reception report blocks.
    pub reports: Vec<ReportBlock>,
    /// Profile-specific extension after the blocks (RFC 3550 §6.4.1),
    /// without the packet's padding; empty when there is none.
    pub profile_extensions: Vec<u8>,
}

/// Bytes of the sender info plus the SSRC.
const FIXED: usize = 24;

impl SenderReport {
    /// Reads an SR packet (the header from [`crate::rtcp_packets`]).
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        let r = read_report(h, PT_SR, FIXED)?;
        let info = r.fixed;
        Ok(SenderReport {
            ssrc: be32(info, 0),
            ntp_timestamp: u64::from(be32(info, 4)) << 32 | u64::from(be32(info, 8)),
            rtp_timestamp: be32(info, 12),
            packet_count: be32(info, 16),
            octet_count: be32(info, 20),
            reports: r.blocks,
            profile_extensions: r.extension,
        })
    }

    /// Appends the packet. More than 31 report blocks do not fit one SR:
    /// the rest follow in RR packets from the same SSRC (RFC 3550 §6.4.2),
    /// which a reader gets back as separate packets.
    pub fn write(&self, out: &mut Vec<u8>) {
        let sender_info = |out: &mut Vec<u8>| {
            out.extend_from_slice(&self.ntp_timestamp.to_be_bytes());
            out.extend_from_slice(&self.rtp_timestamp.to_be_bytes());
            out.extend_from_slice(&self.packet_count.to_be_bytes());
            out.extend_from_slice(&self.octet_count.to_be_bytes());
        };
        write_report(
            out,
            PT_SR,
            self.ssrc,
            &sender_info,
            &self.reports,
            &self.profile_extensions,
        );
    }
}
