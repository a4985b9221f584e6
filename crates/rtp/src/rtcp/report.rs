//! What sender and receiver reports share (RFC 3550 §6.4): a fixed part,
//! up to 31 report blocks, a profile-specific extension after them, and
//! the blocks past the 31st in further RR packets.

use super::common::{begin, expect, finish, need, payload, MAX_COUNT, PT_RR};
use super::ReportBlock;
use crate::{RtcpHeader, RtpError};

/// An SR or RR as read.
pub(crate) struct ReportParts<'a> {
    /// The fixed part: the SSRC and, for an SR, the sender info.
    pub fixed: &'a [u8],
    /// The report blocks.
    pub blocks: Vec<ReportBlock>,
    /// The profile-specific extension after the blocks, without the
    /// packet's padding.
    pub extension: Vec<u8>,
}

/// Reads an SR or RR whose fixed part is `fixed` bytes long.
pub(crate) fn read_report<'a>(
    h: &RtcpHeader<'a>,
    packet_type: u8,
    fixed: usize,
) -> Result<ReportParts<'a>, RtpError> {
    expect(h, packet_type, None)?;
    let body = payload(h)?;
    need(packet_type, body, fixed)?;
    let (fixed, rest) = body.split_at(fixed);
    let len = usize::from(h.count()) * ReportBlock::LEN;
    if len > rest.len() {
        return Err(RtpError::RtcpCountOverrun {
            packet_type,
            what: "report block count",
        });
    }
    let blocks = rest[..len]
        .chunks_exact(ReportBlock::LEN)
        .filter_map(ReportBlock::parse)
        .collect();
    Ok(ReportParts {
        fixed,
        blocks,
        extension: rest[len..].to_vec(),
    })
}

/// Appends an SR or RR: `ssrc`, what `sender_info` writes (nothing for an
/// RR), the first 31 blocks and `extension`. Blocks past the 31st follow
/// in RR packets from the same SSRC (RFC 3550 §6.4.2), which a reader gets
/// back as separate packets.
pub(crate) fn write_report(
    out: &mut Vec<u8>,
    packet_type: u8,
    ssrc: u32,
    sender_info: &dyn Fn(&mut Vec<u8>),
    blocks: &[ReportBlock],
    extension: &[u8],
) {
    let (first, more) = blocks.split_at(blocks.len().min(MAX_COUNT));
    let start = begin(out, first.len() as u8, packet_type);
    out.extend_from_slice(&ssrc.to_be_bytes());
    sender_info(out);
    for b in first {
        b.write(out);
    }
    out.extend_from_slice(extension);
    finish(out, start);
    for group in more.chunks(MAX_COUNT) {
        write_report(out, PT_RR, ssrc, &|_| {}, group, &[]);
    }
}
