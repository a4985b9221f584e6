//! Receiver estimated maximum bitrate, PSFB (206) FMT 15 with the unique
//! identifier "REMB" (draft-alvestrand-rmcat-remb-03 §2.2).

use super::common::{be32, finish, PT_PSFB};
use super::feedback::{begin_feedback, read_feedback};
use crate::{RtcpHeader, RtpError};

/// A REMB: the receiver's estimate of the total bitrate it can take for
/// the listed media sources, as an 18-bit mantissa and a 6-bit exponent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Remb {
    /// SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source: 0 per the draft; kept as read.
    pub media_ssrc: u32,
    /// BR Exp (6 bits).
    pub exponent: u8,
    /// BR Mantissa (18 bits).
    pub mantissa: u32,
    /// The SSRCs the estimate applies to (at most 255 are written).
    pub ssrcs: Vec<u32>,
}

/// The FMT of application layer feedback, REMB's.
pub(crate) const FMT_AFB: u8 = 15;
/// REMB's unique identifier.
const REMB: &[u8; 4] = b"REMB";
/// The largest 18-bit mantissa.
const MAX_MANTISSA: u64 = 0x3ffff;

impl Remb {
    /// A REMB for `bitrate_bps`: the smallest exponent whose mantissa fits
    /// 18 bits, the mantissa rounded down (as libwebrtc does).
    pub fn new(sender_ssrc: u32, bitrate_bps: u64, ssrcs: Vec<u32>) -> Self {
        let mut mantissa = bitrate_bps;
        let mut exponent = 0;
        while mantissa > MAX_MANTISSA {
            mantissa >>= 1;
            exponent += 1;
        }
        Remb {
            sender_ssrc,
            media_ssrc: 0,
            exponent,
            mantissa: mantissa as u32,
            ssrcs,
        }
    }

    /// The bitrate, mantissa × 2^exponent bits per second, saturating at
    /// `u64::MAX` (an exponent near 63 can say more than 64 bits hold).
    pub fn bitrate_bps(&self) -> u64 {
        let m = u64::from(self.mantissa & MAX_MANTISSA as u32);
        let e = u32::from(self.exponent & 0x3f);
        if m == 0 {
            0
        } else if m.leading_zeros() < e {
            u64::MAX
        } else {
            m << e
        }
    }

    /// Whether an application layer feedback body (after padding removal)
    /// carries the "REMB" identifier.
    pub(crate) fn is_remb(body: &[u8]) -> bool {
        body.get(8..12) == Some(&REMB[..])
    }

    /// Reads a REMB. A body without the "REMB" identifier is an error here
    /// ([`super::RtcpPacket::parse`] returns it as unknown instead); so is
    /// an SSRC count running past the packet. Bytes after the SSRCs are
    /// ignored.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        let (sender_ssrc, media_ssrc, body) = read_feedback(h, PT_PSFB, FMT_AFB, 16)?;
        if !Self::is_remb(body) {
            return Err(RtpError::RtcpMalformed {
                packet_type: PT_PSFB,
                reason: "application layer feedback without the REMB identifier",
            });
        }
        let n = usize::from(body[12]);
        let ssrcs = body
            .get(16..16 + 4 * n)
            .ok_or(RtpError::RtcpCountOverrun {
                packet_type: PT_PSFB,
                what: "REMB SSRC count",
            })?
            .chunks_exact(4)
            .map(|s| be32(s, 0))
            .collect();
        Ok(Remb {
            sender_ssrc,
            media_ssrc,
            exponent: body[13] >> 2,
            mantissa: be32(body, 12) & MAX_MANTISSA as u32,
            ssrcs,
        })
    }

    /// Appends the packet.
    pub fn write(&self, out: &mut Vec<u8>) {
        let ssrcs = &self.ssrcs[..self.ssrcs.len().min(255)];
        let start = begin_feedback(out, PT_PSFB, FMT_AFB, self.sender_ssrc, self.media_ssrc);
        out.extend_from_slice(REMB);
        let word = (ssrcs.len() as u32) << 24
            | u32::from(self.exponent & 0x3f) << 18
            | (self.mantissa & MAX_MANTISSA as u32);
        out.extend_from_slice(&word.to_be_bytes());
        for s in ssrcs {
            out.extend_from_slice(&s.to_be_bytes());
        }
        finish(out, start);
    }
}
