//! The reception report block of SR and RR packets (RFC 3550 §6.4.1).

/// One reception report block: what a receiver saw of one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// SSRC of the source this block reports on.
    pub ssrc: u32,
    /// Fraction of packets lost since the previous report, in 1/256.
    pub fraction_lost: u8,
    /// Cumulative packets lost: a signed 24-bit value (RFC 3550 A.3),
    /// clamped to -0x80_0000..=0x7f_ffff when written.
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles << 16 | highest).
    pub extended_highest_sequence: u32,
    /// Interarrival jitter, in RTP timestamp units (RFC 3550 A.8).
    pub jitter: u32,
    /// LSR: the middle 32 bits of the NTP timestamp of the last SR from
    /// this source, 0 when none was received.
    pub last_sender_report: u32,
    /// DLSR: the delay since that SR was received, in 1/65536 seconds.
    pub delay_since_last_sender_report: u32,
}

impl ReportBlock {
    /// Bytes of one block on the wire.
    pub const LEN: usize = 24;

    /// Reads a block from exactly [`ReportBlock::LEN`] bytes or more (the
    /// rest is ignored); `None` when fewer.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let b = bytes.get(..Self::LEN)?;
        let word = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let lost = u32::from_be_bytes([0, b[5], b[6], b[7]]);
        // Sign-extend the 24-bit field.
        let cumulative_lost = ((lost << 8) as i32) >> 8;
        Some(ReportBlock {
            ssrc: word(0),
            fraction_lost: b[4],
            cumulative_lost,
            extended_highest_sequence: word(8),
            jitter: word(12),
            last_sender_report: word(16),
            delay_since_last_sender_report: word(20),
        })
    }

    /// Appends the block's 24 bytes to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.push(self.fraction_lost);
        let lost = self.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32;
        out.extend_from_slice(&lost.to_be_bytes()[1..]);
        out.extend_from_slice(&self.extended_highest_sequence.to_be_bytes());
        out.extend_from_slice(&self.jitter.to_be_bytes());
        out.extend_from_slice(&self.last_sender_report.to_be_bytes());
        out.extend_from_slice(&self.delay_since_last_sender_report.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_clamped_losses() {
        let block = ReportBlock {
            ssrc: 0x0102_0304,
            fraction_lost: 25,
            cumulative_lost: -3,
            extended_highest_sequence: 0x0001_0005,
            jitter: 77,
            last_sender_report: 0xdead_beef,
            delay_since_last_sender_report: 65536,
        };
        let mut out = Vec::new();
        block.write(&mut out);
        assert_eq!(out.len(), ReportBlock::LEN);
        assert_eq!(&out[4..8], &[25, 0xff, 0xff, 0xfd]);
        assert_eq!(ReportBlock::parse(&out), Some(block));
        let big = ReportBlock {
            cumulative_lost: i32::MAX,
            ..block
        };
        out.clear();
        big.write(&mut out);
        assert_eq!(&out[5..8], &[0x7f, 0xff, 0xff]);
        assert_eq!(ReportBlock::parse(&out).unwrap().cumulative_lost, 0x7f_ffff);
        assert_eq!(ReportBlock::parse(&out[..23]), None);
    }
}
