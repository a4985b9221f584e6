//! Generic NACK, RTPFB (205) FMT 1 (RFC 4585 §6.2.1).

use super::common::{be16, finish, PT_RTPFB};
use super::feedback::{begin_feedback, read_feedback};
use crate::{RtcpHeader, RtpError};

/// A Generic NACK: the RTP packets of one source a receiver lost.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nack {
    /// SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// SSRC of the media source the NACK is about.
    pub media_ssrc: u32,
    /// The FCI entries.
    pub pairs: Vec<NackPair>,
}

/// One FCI entry: a lost packet (PID) and a bitmask of the 16 after it
/// (BLP: bit i set means PID + i + 1 is lost too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NackPair {
    /// Packet ID: a lost sequence number.
    pub pid: u16,
    /// Bitmask of following lost packets.
    pub blp: u16,
}

/// The FMT of a Generic NACK.
pub(crate) const FMT_NACK: u8 = 1;

impl NackPair {
    /// The sequence numbers this entry reports lost, in order (wrapping
    /// past 65535).
    pub fn lost(&self) -> impl Iterator<Item = u16> {
        let (pid, blp) = (self.pid, self.blp);
        std::iter::once(pid).chain(
            (0..16u16)
                .filter(move |i| blp & (1 << i) != 0)
                .map(move |i| pid.wrapping_add(i + 1)),
        )
    }
}

/// Turns lost sequence numbers (any order, duplicates allowed, may wrap
/// past 65535) into PID/BLP pairs. The numbers are put in sequence order
/// starting after the largest gap between them, so a run such as 65534,
/// 65535, 0, 1 is one pair with PID 65534.
pub fn nack_pairs(lost: &[u16]) -> Vec<NackPair> {
    let mut seqs = lost.to_vec();
    seqs.sort_unstable();
    seqs.dedup();
    let Some(&first) = seqs.first() else {
        return Vec::new();
    };
    // Start after the largest forward gap (the wrap gap included).
    let mut start = 0;
    let mut largest = u32::from(first) + 65536 - u32::from(*seqs.last().unwrap_or(&first));
    for (i, w) in seqs.windows(2).enumerate() {
        let gap = u32::from(w[1] - w[0]);
        if gap > largest {
            largest = gap;
            start = i + 1;
        }
    }
    seqs.rotate_left(start);
    let mut pairs: Vec<NackPair> = Vec::new();
    for s in seqs {
        match pairs.last_mut() {
            Some(p) if (1..=16).contains(&s.wrapping_sub(p.pid)) => {
                p.blp |= 1 << (s.wrapping_sub(p.pid) - 1);
            }
            _ => pairs.push(NackPair { pid: s, blp: 0 }),
        }
    }
    pairs
}

impl Nack {
    /// A NACK for `lost` (see [`nack_pairs`]).
    pub fn from_lost(sender_ssrc: u32, media_ssrc: u32, lost: &[u16]) -> Self {
        Nack {
            sender_ssrc,
            media_ssrc,
            pairs: nack_pairs(lost),
        }
    }

    /// Every sequence number the NACK reports lost, pair by pair.
    pub fn lost(&self) -> impl Iterator<Item = u16> + '_ {
        self.pairs.iter().flat_map(NackPair::lost)
    }

    /// Reads a Generic NACK. Bytes after the last whole 4-byte entry are
    /// ignored.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        let (sender_ssrc, media_ssrc, body) = read_feedback(h, PT_RTPFB, FMT_NACK, 8)?;
        let pairs = body[8..]
            .chunks_exact(4)
            .map(|e| NackPair {
                pid: be16(e, 0),
                blp: be16(e, 2),
            })
            .collect();
        Ok(Nack {
            sender_ssrc,
            media_ssrc,
            pairs,
        })
    }

    /// Appends the packet.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = begin_feedback(out, PT_RTPFB, FMT_NACK, self.sender_ssrc, self.media_ssrc);
        for p in &self.pairs {
            out.extend_from_slice(&p.pid.to_be_bytes());
            out.extend_from_slice(&p.blp.to_be_bytes());
        }
        finish(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_across_the_wrap() {
        let pairs = nack_pairs(&[1, 65_534, 0, 65_535, 20]);
        assert_eq!(
            pairs,
            [
                NackPair {
                    pid: 65_534,
                    blp: 0b111
                },
                NackPair { pid: 20, blp: 0 }
            ]
        );
        let lost: Vec<u16> = pairs.iter().flat_map(NackPair::lost).collect();
        assert_eq!(lost, [65_534, 65_535, 0, 1, 20]);
        // Duplicates collapse; the 17th after a PID starts a new pair.
        assert_eq!(
            nack_pairs(&[100, 100, 116, 117]),
            [
                NackPair {
                    pid: 100,
                    blp: 0x8000
                },
                NackPair { pid: 117, blp: 0 }
            ]
        );
        assert_eq!(nack_pairs(&[7]), [NackPair { pid: 7, blp: 0 }]);
    }
}
