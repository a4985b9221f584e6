//! Sender report, packet type 200 (RFC 3550 §6.4.1).

use super::common::{be32, begin, expect, finish, need, payload, MAX_COUNT, PT_RR, PT_SR};
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
        expect(h, PT_SR, None)?;
        let body = payload(h)?;
        need(PT_SR, body, FIXED)?;
        let (reports, rest) = read_blocks(PT_SR, h.count(), &body[FIXED..])?;
        Ok(SenderReport {
            ssrc: be32(body, 0),
            ntp_timestamp: u64::from(be32(body, 4)) << 32 | u64::from(be32(body, 8)),
            rtp_timestamp: be32(body, 12),
            packet_count: be32(body, 16),
            octet_count: be32(body, 20),
            reports,
            profile_extensions: rest.to_vec(),
        })
    }

    /// Appends the packet. More than 31 report blocks do not fit one SR:
    /// the rest follow in RR packets from the same SSRC (RFC 3550 §6.4.2),
    /// which a reader gets back as separate packets.
    pub fn write(&self, out: &mut Vec<u8>) {
        let (first, more) = self.reports.split_at(self.reports.len().min(MAX_COUNT));
        let start = begin(out, first.len() as u8, PT_SR);
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.ntp_timestamp.to_be_bytes());
        out.extend_from_slice(&self.rtp_timestamp.to_be_bytes());
        out.extend_from_slice(&self.packet_count.to_be_bytes());
        out.extend_from_slice(&self.octet_count.to_be_bytes());
        for b in first {
            b.write(out);
        }
        out.extend_from_slice(&self.profile_extensions);
        finish(out, start);
        write_overflow_rrs(self.ssrc, more, out);
    }
}

/// Reads `count` report blocks from the front of `bytes`; returns them and
/// the bytes after them (the profile-specific extension).
pub(crate) fn read_blocks(
    packet_type: u8,
    count: u8,
    bytes: &[u8],
) -> Result<(Vec<ReportBlock>, &[u8]), RtpError> {
    let len = usize::from(count) * ReportBlock::LEN;
    if len > bytes.len() {
        return Err(RtpError::RtcpCountOverrun {
            packet_type,
            what: "report block count",
        });
    }
    let blocks = bytes[..len]
        .chunks_exact(ReportBlock::LEN)
        .filter_map(ReportBlock::parse)
        .collect();
    Ok((blocks, &bytes[len..]))
}

/// Writes `blocks` as RR packets of at most 31 blocks each.
pub(crate) fn write_overflow_rrs(ssrc: u32, blocks: &[ReportBlock], out: &mut Vec<u8>) {
    for group in blocks.chunks(MAX_COUNT) {
        let start = begin(out, group.len() as u8, PT_RR);
        out.extend_from_slice(&ssrc.to_be_bytes());
        for b in group {
            b.write(out);
        }
        finish(out, start);
    }
}
