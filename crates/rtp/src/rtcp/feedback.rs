//! The common part of the RFC 4585 feedback packets (§6.1): the header's
//! FMT, then the SSRC of the packet's sender and of the media source.
//! PLI, FIR, Generic NACK, REMB and transport-wide feedback start so.

use super::common::{be32, begin, expect, need, payload};
use crate::{RtcpHeader, RtpError};

/// Reads a feedback packet of `packet_type` and `fmt` whose body (without
/// padding) has at least `min` bytes (8 or more): returns the sender's
/// SSRC, the media source's SSRC and the whole body (the FCI from byte 8).
pub(crate) fn read_feedback<'a>(
    h: &RtcpHeader<'a>,
    packet_type: u8,
    fmt: u8,
    min: usize,
) -> Result<(u32, u32, &'a [u8]), RtpError> {
    expect(h, packet_type, Some(fmt))?;
    let body = payload(h)?;
    need(packet_type, body, min.max(8))?;
    Ok((be32(body, 0), be32(body, 4), body))
}

/// Starts a feedback packet: the header and both SSRCs; returns where the
/// packet starts, for [`super::common::finish`].
pub(crate) fn begin_feedback(
    out: &mut Vec<u8>,
    packet_type: u8,
    fmt: u8,
    sender_ssrc: u32,
    media_ssrc: u32,
) -> usize {
    let start = begin(out, fmt, packet_type);
    out.extend_from_slice(&sender_ssrc.to_be_bytes());
    out.extend_from_slice(&media_ssrc.to_be_bytes());
    start
}
