//! RTP retransmission (RFC 4588 §4, SSRC multiplexing as WebRTC uses it):
//! the RTX packet of an original packet, the original packet back from an
//! RTX packet, the RTX stream's numbering, and a limiter that resends a
//! packet at most once per round-trip time.
//!
//! An RTX packet is the original with the RTX stream's SSRC, payload type
//! and sequence number, the original sequence number (OSN, 2 bytes) before
//! the payload, and everything else — marker, timestamp, CSRCs, the header
//! extension block byte for byte — as in the original. The original's
//! padding is not resent (it is not payload), so an original with padding
//! comes back without it. Extensions the RTX stream must change (a new
//! transport-wide sequence number, RID to repaired RID) are the caller's
//! to rewrite in place, e.g. with [`crate::set_transport_sequence`].
//!
//! Answering a NACK, with the [`crate::SendHistory`] of the stream:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sansrtc_rtp::rtcp::Nack;
//! use sansrtc_rtp::{original_from_rtx, ResendLimiter, RtpHeader, RtpWriter, RtxSender, SendHistory};
//!
//! let t0 = Instant::now(); // in a real stack: the caller's clock
//! let rtt = Duration::from_millis(40);
//! let mut history = SendHistory::default();
//! let mut original = Vec::new();
//! RtpWriter { payload_type: 96, sequence_number: 7, ssrc: 1, payload: b"frame", ..RtpWriter::default() }
//!     .write(&mut original)?;
//! history.insert(&original, t0).unwrap();
//!
//! let mut rtx_stream = RtxSender::new(2, 0x4000); // RTX SSRC, random first sequence number
//! let mut limiter = ResendLimiter::default();
//! let nack = Nack::from_lost(9, 1, &[7, 7]);
//! let mut sent = Vec::new();
//! for seq in nack.lost() {
//!     if let Some(packet) = history.get(seq, t0) {
//!         if limiter.allow(seq, t0, rtt) {
//!             let mut out = Vec::new();
//!             rtx_stream.resend(packet, 97, &mut out).unwrap(); // apt: 97 -> 96
//!             sent.push(out);
//!         }
//!     }
//! }
//! assert_eq!(sent.len(), 1); // the second request within the RTT is refused
//!
//! let mut back = Vec::new();
//! let r = original_from_rtx(&sent[0], 1, &[(97, 96)], &mut back).unwrap();
//! assert_eq!((r.original_sequence, r.rtx_sequence), (7, 0x4000));
//! assert_eq!(back, original);
//! # Ok::<(), sansrtc_rtp::RtpWriteError>(())
//! ```

use std::time::{Duration, Instant};

use crate::{RtpError, RtpHeader};

/// Why an RTX packet could not be written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtxError {
    /// The packet is not a valid RTP packet.
    #[error("not an RTP packet: {0}")]
    Rtp(#[from] RtpError),
    /// The payload type does not fit its 7 bits.
    #[error("payload type {0} is larger than 127")]
    PayloadType(u8),
    /// The RTX packet has no payload: a padding-only packet (bandwidth
    /// probing), which carries no original packet.
    #[error("padding-only RTX packet")]
    PaddingOnly,
    /// The RTX payload is 1 byte: too short for the 2-byte original
    /// sequence number.
    #[error("RTX payload of 1 byte has no room for the original sequence number")]
    MissingOsn,
    /// No `apt` mapping for the RTX packet's payload type.
    #[error("no apt mapping for RTX payload type {0}")]
    UnknownPayloadType(u8),
}

/// What [`original_from_rtx`] read from an RTX packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecoveredPacket {
    /// The original sequence number (OSN).
    pub original_sequence: u16,
    /// The original payload type (from the `apt` mapping).
    pub original_payload_type: u8,
    /// The RTX packet's own sequence number.
    pub rtx_sequence: u16,
    /// The length of the original packet appended.
    pub len: usize,
}

/// Appends the RTX packet of the RTP packet `original` to `out`: SSRC
/// `rtx_ssrc`, payload type `rtx_payload_type`, sequence number
/// `rtx_sequence`, the original sequence number before the original
/// payload; marker, timestamp, CSRCs and the extension block as in the
/// original, no padding. Returns the original sequence number. On error
/// `out` is left as it was.
pub fn write_rtx(
    original: &[u8],
    rtx_ssrc: u32,
    rtx_payload_type: u8,
    rtx_sequence: u16,
    out: &mut Vec<u8>,
) -> Result<u16, RtxError> {
    let h = RtpHeader::parse(original)?;
    if rtx_payload_type > 127 {
        return Err(RtxError::PayloadType(rtx_payload_type));
    }
    let osn = h.sequence_number();
    let payload = h.payload();
    out.reserve(h.header_len() + 2 + payload.len());
    let start = out.len();
    out.extend_from_slice(&original[..h.header_len()]);
    rewrite_fixed(&mut out[start..], rtx_payload_type, rtx_sequence, rtx_ssrc);
    out.extend_from_slice(&osn.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(osn)
}

/// Clears the P bit and sets the payload type (keeping the marker), the
/// sequence number and the SSRC of the copied header `header`.
fn rewrite_fixed(header: &mut [u8], payload_type: u8, sequence: u16, ssrc: u32) {
    header[0] &= !0x20;
    header[1] = (header[1] & 0x80) | payload_type;
    header[2..4].copy_from_slice(&sequence.to_be_bytes());
    header[8..12].copy_from_slice(&ssrc.to_be_bytes());
}

/// Appends the original packet carried by the RTX packet `rtx` to `out`:
/// SSRC `original_ssrc`, the payload type that `apt` maps the RTX payload
/// type to (pairs of RTX payload type and original payload type, as
/// `a=fmtp:<rtx> apt=<original>` gives them), the OSN as sequence number,
/// the payload after the OSN; marker, timestamp, CSRCs and extension block
/// as in the RTX packet, no padding. A padding-only RTX packet, a payload
/// too short for the OSN, an RTX payload type without a mapping (or one
/// mapping to a value over 127) are refused and leave `out` as it was.
pub fn original_from_rtx(
    rtx: &[u8],
    original_ssrc: u32,
    apt: &[(u8, u8)],
    out: &mut Vec<u8>,
) -> Result<RecoveredPacket, RtxError> {
    let h = RtpHeader::parse(rtx)?;
    let rtx_pt = h.payload_type();
    let &(_, original_pt) = apt
        .iter()
        .find(|&&(r, _)| r == rtx_pt)
        .ok_or(RtxError::UnknownPayloadType(rtx_pt))?;
    if original_pt > 127 {
        return Err(RtxError::PayloadType(original_pt));
    }
    let (osn, payload) = match h.payload() {
        [] => return Err(RtxError::PaddingOnly),
        [_] => return Err(RtxError::MissingOsn),
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
    };
    let start = out.len();
    out.reserve(h.header_len() + payload.len());
    out.extend_from_slice(&rtx[..h.header_len()]);
    rewrite_fixed(&mut out[start..], original_pt, osn, original_ssrc);
    out.extend_from_slice(payload);
    Ok(RecoveredPacket {
        original_sequence: osn,
        original_payload_type: original_pt,
        rtx_sequence: h.sequence_number(),
        len: out.len() - start,
    })
}

/// What [`RtxSender::resend`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RtxPacket {
    /// The RTX packet's sequence number (the RTX stream's).
    pub sequence_number: u16,
    /// The original sequence number it carries.
    pub original_sequence: u16,
    /// The RTX packet's length.
    pub len: usize,
}

/// The RTX stream of one media stream: its SSRC, its own sequence numbers
/// (from a random first one, RFC 4588 §4) and its packet and octet counts
/// (for its sender report).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtxSender {
    ssrc: u32,
    next_sequence: u16,
    packets: u64,
    octets: u64,
}

impl RtxSender {
    /// The RTX stream with SSRC `ssrc` whose first packet is numbered
    /// `initial_sequence` (chosen at random by the caller).
    pub fn new(ssrc: u32, initial_sequence: u16) -> Self {
        RtxSender {
            ssrc,
            next_sequence: initial_sequence,
            packets: 0,
            octets: 0,
        }
    }

    /// The RTX SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The sequence number the next RTX packet gets.
    pub fn next_sequence(&self) -> u16 {
        self.next_sequence
    }

    /// RTX packets written.
    pub fn packet_count(&self) -> u64 {
        self.packets
    }

    /// RTX payload octets written (OSN included, RFC 3550 §6.4.1 counts
    /// the RTP payload).
    pub fn octet_count(&self) -> u64 {
        self.octets
    }

    /// Appends the RTX packet of `original` with payload type
    /// `rtx_payload_type` (see [`write_rtx`]) and takes the next sequence
    /// number; on error nothing is numbered or written.
    pub fn resend(
        &mut self,
        original: &[u8],
        rtx_payload_type: u8,
        out: &mut Vec<u8>,
    ) -> Result<RtxPacket, RtxError> {
        let start = out.len();
        let sequence_number = self.next_sequence;
        let original_sequence =
            write_rtx(original, self.ssrc, rtx_payload_type, sequence_number, out)?;
        self.next_sequence = sequence_number.wrapping_add(1);
        let len = out.len() - start;
        self.packets += 1;
        // The header is the original's, P bit cleared: parse cannot fail.
        let payload_len = RtpHeader::parse(&out[start..]).map_or(0, |h| h.payload().len());
        self.octets += payload_len as u64;
        Ok(RtxPacket {
            sequence_number,
            original_sequence,
            len,
        })
    }
}

/// The most sequence numbers a [`ResendLimiter`] remembers.
pub const MAX_LIMITER_CAPACITY: usize = 1 << 15;

/// Resends a packet at most once per round-trip time: a NACK repeated (or
/// duplicated) before the previous retransmission could have arrived is
/// not answered again. Remembers the last resend of `capacity` sequence
/// numbers (a power of two; older ones are forgotten, as the send history
/// forgets their packets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendLimiter {
    slots: Vec<Option<(u16, Instant)>>,
    refused: u64,
}

impl Default for ResendLimiter {
    /// 1024 sequence numbers.
    fn default() -> Self {
        ResendLimiter::new(1024)
    }
}

impl ResendLimiter {
    /// A limiter remembering `capacity` sequence numbers (rounded up to a
    /// power of two, 1 to [`MAX_LIMITER_CAPACITY`]).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, MAX_LIMITER_CAPACITY).next_power_of_two();
        ResendLimiter {
            slots: vec![None; capacity],
            refused: 0,
        }
    }

    /// Whether `seq` may be resent at `now`: not resent within the last
    /// `rtt`. When allowed, the resend is recorded.
    pub fn allow(&mut self, seq: u16, now: Instant, rtt: Duration) -> bool {
        let i = usize::from(seq) & (self.slots.len() - 1);
        if let Some((s, at)) = self.slots[i] {
            let recent = match now.checked_duration_since(at) {
                Some(since) => since < rtt,
                None => true,
            };
            if s == seq && recent {
                self.refused += 1;
                return false;
            }
        }
        self.slots[i] = Some((seq, now));
        true
    }

    /// Resends refused.
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// Forgets every resend.
    pub fn clear(&mut self) {
        self.slots.fill(None);
    }
}
