//! Transport-wide congestion control feedback, RTPFB (205) FMT 15
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
//!
//! The packet keeps its chunks and receive deltas as they are on the wire,
//! so writing a parsed packet gives the same chunks back;
//! [`TransportCc::packets`] decodes them into (sequence number, arrival
//! time), and [`TransportCc::from_arrivals`] encodes arrivals the way
//! libwebrtc does (run-length chunks where a status repeats, else the
//! densest status vector).

use super::common::{be16, be32, finish, PT_RTPFB};
use super::feedback::{begin_feedback, read_feedback};
use crate::{RtcpHeader, RtpError};

/// A transport-wide feedback packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransportCc {
    /// SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source (libwebrtc sets the first media SSRC).
    pub media_ssrc: u32,
    /// Transport-wide sequence number of the first packet reported.
    pub base_sequence: u16,
    /// Number of packets reported, from `base_sequence` on.
    pub status_count: u16,
    /// Reference time, 24 bits, in multiples of 64 ms.
    pub reference_time: u32,
    /// Feedback packet count: a sequence number of feedback packets.
    pub feedback_count: u8,
    /// The packet status chunks, in order.
    pub chunks: Vec<StatusChunk>,
    /// One receive delta per received packet, in 250 µs units: 0..=255
    /// for packets whose status is [`TwccStatus::SmallDelta`], any
    /// 16-bit value for [`TwccStatus::LargeDelta`].
    pub deltas: Vec<i16>,
}

/// The status of one reported packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TwccStatus {
    /// Not received (symbol 0).
    NotReceived,
    /// Received, with a one-byte delta of 0..=63.75 ms (symbol 1).
    SmallDelta,
    /// Received, with a two-byte signed delta (symbol 2).
    LargeDelta,
}

/// One packet status chunk (draft §3.1.1-§3.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusChunk {
    /// `length` (13 bits) packets with the same status.
    RunLength {
        /// The status of every packet in the run.
        status: TwccStatus,
        /// How many packets (0..=8191).
        length: u16,
    },
    /// A one-bit status vector: the low 14 bits are 14 symbols, the first
    /// packet in bit 13 (0 not received, 1 small delta).
    OneBit(u16),
    /// A two-bit status vector: the low 14 bits are 7 symbols, the first
    /// packet in bits 13-12 (0 not received, 1 small, 2 large delta;
    /// 3 is reserved and refused where it applies to a reported packet).
    TwoBit(u16),
}

/// Why [`TransportCc::from_arrivals`] could not encode its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TwccBuildError {
    /// No packets given.
    #[error("no packets to report")]
    Empty,
    /// Entry `index`'s sequence number does not come after the previous
    /// one (it must be 1 to 32767 ahead, wrapping).
    #[error("entry {index}: sequence number not after the previous one")]
    OutOfOrder {
        /// Index in the input.
        index: usize,
    },
    /// More than 65535 packets to report (gaps included).
    #[error("more than 65535 packet statuses")]
    TooManyPackets,
    /// Entry `index` arrived more than 8191.75 ms before or after the
    /// previous received packet (or, for the first, its reference time).
    #[error("entry {index}: receive delta does not fit 16 bits of 250 µs")]
    DeltaOutOfRange {
        /// Index in the input.
        index: usize,
    },
}

/// The FMT of transport-wide feedback.
pub(crate) const FMT_TWCC: u8 = 15;
/// Microseconds per receive delta unit.
const DELTA_US: i64 = 250;
/// Microseconds per reference time unit.
const REFERENCE_US: i64 = 64_000;

impl TwccStatus {
    fn from_symbol(symbol: u8) -> Option<Self> {
        match symbol {
            0 => Some(TwccStatus::NotReceived),
            1 => Some(TwccStatus::SmallDelta),
            2 => Some(TwccStatus::LargeDelta),
            _ => None,
        }
    }

    fn symbol(self) -> u8 {
        match self {
            TwccStatus::NotReceived => 0,
            TwccStatus::SmallDelta => 1,
            TwccStatus::LargeDelta => 2,
        }
    }
}

impl StatusChunk {
    /// Decodes a chunk; `None` for a run of the reserved symbol 3.
    fn from_raw(raw: u16) -> Option<Self> {
        if raw & 0x8000 == 0 {
            Some(StatusChunk::RunLength {
                status: TwccStatus::from_symbol((raw >> 13) as u8 & 3)?,
                length: raw & 0x1fff,
            })
        } else if raw & 0x4000 == 0 {
            Some(StatusChunk::OneBit(raw & 0x3fff))
        } else {
            Some(StatusChunk::TwoBit(raw & 0x3fff))
        }
    }

    /// The chunk's 16 bits.
    pub fn to_raw(self) -> u16 {
        match self {
            StatusChunk::RunLength { status, length } => {
                u16::from(status.symbol()) << 13 | (length & 0x1fff)
            }
            StatusChunk::OneBit(bits) => 0x8000 | (bits & 0x3fff),
            StatusChunk::TwoBit(bits) => 0xc000 | (bits & 0x3fff),
        }
    }

    /// How many packets the chunk covers (7 or 14 for the vectors).
    pub fn len(self) -> usize {
        match self {
            StatusChunk::RunLength { length, .. } => usize::from(length & 0x1fff),
            StatusChunk::OneBit(_) => 14,
            StatusChunk::TwoBit(_) => 7,
        }
    }

    /// Whether the chunk covers no packet (a run of length 0).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The raw symbols of the chunk, in packet order.
    fn symbols(self) -> impl Iterator<Item = u8> {
        (0..self.len()).map(move |i| match self {
            StatusChunk::RunLength { status, .. } => status.symbol(),
            StatusChunk::OneBit(bits) => (bits >> (13 - i)) as u8 & 1,
            StatusChunk::TwoBit(bits) => (bits >> (12 - 2 * i)) as u8 & 3,
        })
    }
}

/// The raw symbols of the first `count` packets the chunks cover.
fn symbols(chunks: &[StatusChunk], count: u16) -> impl Iterator<Item = u8> + '_ {
    chunks
        .iter()
        .flat_map(|c| c.symbols())
        .take(usize::from(count))
}

impl TransportCc {
    /// Reads a transport-wide feedback packet. Chunks are read until they
    /// cover the status count, then one delta per received packet; a count
    /// the chunks or deltas cannot fill is an error (nothing is allocated
    /// beyond what the packet's bytes hold), as is the reserved symbol 3
    /// for a reported packet. Bytes after the last delta (zero padding)
    /// are ignored.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        let (sender_ssrc, media_ssrc, body) = read_feedback(h, PT_RTPFB, FMT_TWCC, 16)?;
        let status_count = be16(body, 10);
        let overrun = |what| RtpError::RtcpCountOverrun {
            packet_type: PT_RTPFB,
            what,
        };
        let reserved = RtpError::RtcpMalformed {
            packet_type: PT_RTPFB,
            reason: "reserved packet status symbol",
        };
        let mut pos = 16;
        let mut chunks = Vec::new();
        let mut covered = 0;
        while covered < usize::from(status_count) {
            if pos + 2 > body.len() {
                return Err(overrun("packet status count"));
            }
            let chunk = StatusChunk::from_raw(be16(body, pos)).ok_or(reserved)?;
            pos += 2;
            covered += chunk.len();
            chunks.push(chunk);
        }
        let mut deltas = Vec::new();
        for symbol in symbols(&chunks, status_count) {
            match symbol {
                0 => {}
                1 => {
                    let &d = body.get(pos).ok_or(overrun("receive deltas"))?;
                    deltas.push(i16::from(d));
                    pos += 1;
                }
                2 => {
                    if pos + 2 > body.len() {
                        return Err(overrun("receive deltas"));
                    }
                    deltas.push(be16(body, pos) as i16);
                    pos += 2;
                }
                _ => return Err(reserved),
            }
        }
        Ok(TransportCc {
            sender_ssrc,
            media_ssrc,
            base_sequence: be16(body, 8),
            status_count,
            reference_time: be32(body, 12) >> 8,
            feedback_count: body[15],
            chunks,
            deltas,
        })
    }

    /// Appends the packet: the chunks as they are, one delta per received
    /// packet among the first `status_count` (a missing delta is written
    /// as 0, a small one is clamped to 0..=255), and RFC 3550 padding to
    /// the 32-bit boundary with the P bit, as libwebrtc does.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = begin_feedback(out, PT_RTPFB, FMT_TWCC, self.sender_ssrc, self.media_ssrc);
        out.extend_from_slice(&self.base_sequence.to_be_bytes());
        out.extend_from_slice(&self.status_count.to_be_bytes());
        let word = (self.reference_time & 0xff_ffff) << 8 | u32::from(self.feedback_count);
        out.extend_from_slice(&word.to_be_bytes());
        for c in &self.chunks {
            out.extend_from_slice(&c.to_raw().to_be_bytes());
        }
        let mut deltas = self.deltas.iter().copied();
        for symbol in symbols(&self.chunks, self.status_count) {
            match symbol {
                1 => out.push(deltas.next().unwrap_or(0).clamp(0, 255) as u8),
                2 => out.extend_from_slice(&deltas.next().unwrap_or(0).to_be_bytes()),
                _ => {}
            }
        }
        finish(out, start);
    }

    /// The bytes [`TransportCc::write`] appends (padding included),
    /// without writing them.
    pub(crate) fn wire_len(&self) -> usize {
        let deltas: usize = symbols(&self.chunks, self.status_count)
            .map(|symbol| match symbol {
                1 => 1,
                2 => 2,
                _ => 0,
            })
            .sum();
        // Header and SSRCs (12), base, count, reference and feedback
        // count (8), the chunks, the deltas, padded to 32 bits.
        (20 + 2 * self.chunks.len() + deltas).next_multiple_of(4)
    }

    /// The reported packets in order: transport sequence number and, when
    /// received, the arrival time in µs (reference time × 64 ms plus the
    /// deltas so far, in the sender of the feedback's clock, modulo the
    /// 24-bit reference time's wrap).
    pub fn packets(&self) -> impl Iterator<Item = (u16, Option<i64>)> + '_ {
        let mut time = i64::from(self.reference_time & 0xff_ffff) * REFERENCE_US;
        let mut deltas = self.deltas.iter();
        let base = self.base_sequence;
        symbols(&self.chunks, self.status_count)
            .enumerate()
            .map(move |(i, symbol)| {
                let seq = base.wrapping_add(i as u16);
                if symbol == 0 {
                    (seq, None)
                } else {
                    time += i64::from(deltas.next().copied().unwrap_or(0)) * DELTA_US;
                    (seq, Some(time))
                }
            })
    }

    /// Encodes a feedback packet for `packets`: (transport sequence
    /// number, arrival time in µs or `None` when lost), in sequence order;
    /// sequence numbers skipped between entries are reported lost. The
    /// reference time is the first arrival's, rounded down to 64 ms;
    /// deltas are rounded to 250 µs without drift (each is taken from the
    /// previous delta's rounded time, as libwebrtc does). Chunks are chosen
    /// as libwebrtc does: a run-length chunk while the status repeats, else
    /// a two-bit vector of 7 when a large delta needs it, else a one-bit
    /// vector of 14.
    pub fn from_arrivals(
        sender_ssrc: u32,
        media_ssrc: u32,
        feedback_count: u8,
        packets: &[(u16, Option<u64>)],
    ) -> Result<Self, TwccBuildError> {
        let &(base_sequence, _) = packets.first().ok_or(TwccBuildError::Empty)?;
        let reference = packets
            .iter()
            .find_map(|p| p.1)
            .map_or(0, |t| t / REFERENCE_US as u64);
        let mut last = i128::from(reference) * i128::from(REFERENCE_US);
        let mut statuses = Vec::with_capacity(packets.len());
        let mut deltas = Vec::new();
        let mut previous = base_sequence;
        for (index, &(seq, arrival)) in packets.iter().enumerate() {
            if index > 0 {
                let gap = seq.wrapping_sub(previous);
                if gap == 0 || gap >= 0x8000 {
                    return Err(TwccBuildError::OutOfOrder { index });
                }
                statuses.extend(std::iter::repeat(0u8).take(usize::from(gap) - 1));
            }
            previous = seq;
            match arrival {
                None => statuses.push(0),
                Some(t) => {
                    let delta = delta_units(i128::from(t) - last)
                        .ok_or(TwccBuildError::DeltaOutOfRange { index })?;
                    statuses.push(if (0..=255).contains(&delta) { 1 } else { 2 });
                    deltas.push(delta);
                    last += i128::from(delta) * i128::from(DELTA_US);
                }
            }
            if statuses.len() > usize::from(u16::MAX) {
                return Err(TwccBuildError::TooManyPackets);
            }
        }
        Ok(TransportCc {
            sender_ssrc,
            media_ssrc,
            base_sequence,
            status_count: statuses.len() as u16,
            reference_time: (reference & 0xff_ffff) as u32,
            feedback_count,
            chunks: encode_chunks(&statuses),
            deltas,
        })
    }
}

/// `diff` µs in receive delta units of 250 µs, rounded half away from
/// zero, if that fits the 16-bit delta. 64-bit arithmetic (a 128-bit
/// division is a library call): a difference beyond 2^40 µs is far out of
/// range anyway.
pub(crate) fn delta_units(diff: i128) -> Option<i16> {
    let diff = i64::try_from(diff)
        .ok()
        .filter(|d| d.unsigned_abs() <= 1 << 40)?;
    let half = DELTA_US / 2;
    let rounded = if diff < 0 { diff - half } else { diff + half };
    i16::try_from(rounded / DELTA_US).ok()
}

/// libwebrtc's chunk encoder (`TransportFeedback::LastChunk`): statuses
/// collect in a pending chunk as long as some chunk kind can hold them.
fn encode_chunks(statuses: &[u8]) -> Vec<StatusChunk> {
    let mut out = Vec::new();
    let mut pending = Pending::default();
    for &s in statuses {
        if !pending.can_add(s) {
            out.push(pending.emit());
        }
        pending.add(s);
    }
    if pending.size > 0 {
        out.push(pending.last());
    }
    out
}

/// The chunk being filled.
#[derive(Default)]
struct Pending {
    symbols: [u8; 14],
    size: usize,
    all_same: bool,
    has_large: bool,
}

impl Pending {
    fn can_add(&self, s: u8) -> bool {
        self.size < 7
            || (self.size < 14 && !self.has_large && s != 2)
            || (self.size < 0x1fff && self.all_same && self.symbols[0] == s)
    }

    fn add(&mut self, s: u8) {
        if self.size == 0 {
            self.all_same = true;
            self.has_large = false;
        }
        if self.size < 14 {
            self.symbols[self.size] = s;
        }
        self.size += 1;
        self.all_same &= s == self.symbols[0];
        self.has_large |= s == 2;
    }

    fn run_length(&self) -> StatusChunk {
        StatusChunk::RunLength {
            status: TwccStatus::from_symbol(self.symbols[0]).unwrap_or(TwccStatus::NotReceived),
            length: self.size as u16,
        }
    }

    fn one_bit(&self) -> StatusChunk {
        let bits = (0..self.size).fold(0u16, |b, i| b | u16::from(self.symbols[i]) << (13 - i));
        StatusChunk::OneBit(bits)
    }

    fn two_bit(&self, n: usize) -> StatusChunk {
        let bits = (0..n).fold(0u16, |b, i| b | u16::from(self.symbols[i]) << (12 - 2 * i));
        StatusChunk::TwoBit(bits)
    }

    /// Emits a full chunk (the pending one cannot take the next status).
    fn emit(&mut self) -> StatusChunk {
        if self.all_same {
            let c = self.run_length();
            self.size = 0;
            return c;
        }
        if self.size == 14 {
            let c = self.one_bit();
            self.size = 0;
            return c;
        }
        // 7..14 statuses with a large delta among them: the first 7 go.
        let c = self.two_bit(7);
        let rest = self.symbols[7..self.size].to_vec();
        self.size = 0;
        for s in rest {
            self.add(s);
        }
        c
    }

    /// The final, possibly partial chunk.
    fn last(&self) -> StatusChunk {
        if self.all_same {
            self.run_length()
        } else if self.size <= 7 {
            self.two_bit(self.size)
        } else {
            self.one_bit()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(statuses: &[u8]) -> Vec<u16> {
        encode_chunks(statuses)
            .into_iter()
            .map(StatusChunk::to_raw)
            .collect()
    }

    #[test]
    fn libwebrtc_chunk_choices() {
        // All the same: one run, up to 8191, then another.
        assert_eq!(encode(&[1; 20]), [0x2014]);
        assert_eq!(encode(&vec![0; 8192]), [0x1fff, 0x0001]);
        // Mixed small/lost: one-bit vectors of 14, the last partial one a
        // two-bit vector when it holds 7 or fewer.
        assert_eq!(encode(&[1, 0, 1]), [0xc000 | 0b01_00_01_00_00_00_00]);
        let mixed = [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0];
        assert_eq!(
            encode(&mixed),
            [
                0x8000 | 0b10_1111_1111_1110,
                0xc000 | 0b01_00_00_00_00_00_00
            ]
        );
        // A large delta among the first 7: a two-bit vector of 7.
        let large = [2, 1, 1, 1, 1, 1, 1, 0, 1];
        assert_eq!(
            encode(&large),
            [
                0xc000 | 0b10_01_01_01_01_01_01,
                0xc000 | 0b00_01_00_00_00_00_00
            ]
        );
        // A run after a vector's worth of mixed statuses.
        let mut then_run = vec![1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
        then_run.extend([1; 30]);
        assert_eq!(
            encode(&then_run),
            [0x8000 | 0b10_1010_1010_1010, 0x2000 | 30]
        );
    }

    #[test]
    fn chunk_raw_values() {
        for raw in [
            0x0000u16, 0x1fff, 0x2001, 0x5fff, 0x8000, 0xbfff, 0xc000, 0xffff,
        ] {
            let c = StatusChunk::from_raw(raw).unwrap();
            assert_eq!(c.to_raw(), raw);
        }
        assert_eq!(StatusChunk::from_raw(0x6001), None);
        assert!(StatusChunk::from_raw(0x0000).unwrap().is_empty());
        assert_eq!(StatusChunk::TwoBit(0).len(), 7);
    }

    #[test]
    fn delta_units_round_as_the_128_bit_formula() {
        let reference = |diff: i128| {
            let rounded = if diff < 0 { diff - 125 } else { diff + 125 };
            i16::try_from(rounded / 250).ok()
        };
        let edges = [
            0,
            124,
            125,
            126,
            249,
            250,
            375,
            63_999,
            8_191_874,
            8_191_875,
            8_191_876,
            8_192_124,
            8_192_125,
            1 << 40,
            (1 << 40) + 1,
            i128::from(i64::MAX),
            i128::from(i64::MAX) + 1,
            i128::from(u64::MAX),
        ];
        for edge in edges {
            for diff in [edge, -edge, edge - 1, -edge + 1] {
                assert_eq!(delta_units(diff), reference(diff), "{diff}");
            }
        }
        for diff in (-9_000_000..9_000_000).step_by(97) {
            assert_eq!(delta_units(diff), reference(diff), "{diff}");
        }
    }

    #[test]
    fn wire_len_is_what_write_writes() {
        // Small, large and negative deltas, losses, runs and vectors, every
        // padding remainder.
        let mut arrivals = Vec::new();
        let mut t = 100_000u64;
        for i in 0..60u16 {
            let step = match i % 7 {
                0 => 80_000, // a large delta (two bytes)
                3 => 0,
                _ => 1_000,
            };
            t += step;
            arrivals.push((i * 2 + u16::from(i % 5 == 0), (i % 4 != 1).then_some(t)));
        }
        for n in 1..arrivals.len() {
            let p = TransportCc::from_arrivals(1, 2, 3, &arrivals[..n]).unwrap();
            let mut out = Vec::new();
            p.write(&mut out);
            assert_eq!(p.wire_len(), out.len(), "{n} packets");
        }
    }
}
