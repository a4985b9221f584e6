//! Send-side state of one RTP stream (one SSRC): sequence numbers with
//! their rollover count, the timestamp offset, and the packet and octet
//! counts of the sender report (RFC 3550 §5.1, §6.4.1).

use std::time::{Duration, Instant};

/// The numbers [`SendStream::next`] gives one outgoing packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NextPacket {
    /// The 16-bit sequence number for the RTP header.
    pub sequence_number: u16,
    /// The sequence number extended to 64 bits: rollover count << 16 |
    /// sequence number (the SRTP packet index of RFC 3711 §3.3.1 is its
    /// low 48 bits; RTX keeps it to find packets to resend).
    pub extended_sequence: u64,
    /// The RTP timestamp for the header (media timestamp + offset).
    pub timestamp: u32,
}

impl NextPacket {
    /// The rollover counter (ROC) of SRTP: how many times the 16-bit
    /// sequence number has wrapped.
    pub fn rollover_count(&self) -> u32 {
        (self.extended_sequence >> 16) as u32
    }
}

/// Per-SSRC send state (RFC 3550): the sequence number and timestamp
/// start from caller-chosen random values, and the counts feed the sender
/// report. Times are passed in; nothing reads a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendStream {
    ssrc: u32,
    clock_rate: u32,
    timestamp_offset: u32,
    /// The extended sequence number of the next packet.
    next_extended: u64,
    packets: u64,
    octets: u64,
    /// The RTP timestamp of the last packet sent and its capture time.
    last: Option<(u32, Instant)>,
}

impl SendStream {
    /// A stream for `ssrc` whose media clock runs at `clock_rate` Hz, the
    /// first packet numbered `initial_sequence` and every timestamp
    /// shifted by `timestamp_offset` (both random, RFC 3550 §5.1).
    pub fn new(ssrc: u32, clock_rate: u32, initial_sequence: u16, timestamp_offset: u32) -> Self {
        SendStream {
            ssrc,
            clock_rate,
            timestamp_offset,
            next_extended: u64::from(initial_sequence),
            packets: 0,
            octets: 0,
            last: None,
        }
    }

    /// The SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The media clock rate, in Hz.
    pub fn clock_rate(&self) -> u32 {
        self.clock_rate
    }

    /// The offset added to every media timestamp.
    pub fn timestamp_offset(&self) -> u32 {
        self.timestamp_offset
    }

    /// The extended sequence number the next packet will get.
    pub fn next_extended_sequence(&self) -> u64 {
        self.next_extended
    }

    /// The RTP timestamp of the media timestamp `media_timestamp` (in clock
    /// units from the caller's media clock): plus the offset, wrapping.
    pub fn rtp_timestamp(&self, media_timestamp: u32) -> u32 {
        media_timestamp.wrapping_add(self.timestamp_offset)
    }

    /// Numbers the next packet: its media was sampled at `media_timestamp`
    /// (clock units) which is the instant `capture`, and it carries
    /// `payload_len` payload bytes (headers and padding excluded, RFC 3550
    /// §6.4.1). Counts it for the sender report.
    pub fn next(
        &mut self,
        media_timestamp: u32,
        capture: Instant,
        payload_len: usize,
    ) -> NextPacket {
        let extended_sequence = self.next_extended;
        self.next_extended = self.next_extended.wrapping_add(1);
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload_len as u64);
        let timestamp = self.rtp_timestamp(media_timestamp);
        self.last = Some((timestamp, capture));
        NextPacket {
            sequence_number: extended_sequence as u16,
            extended_sequence,
            timestamp,
        }
    }

    /// Packets sent, modulo 2^32: the SR's sender's packet count.
    pub fn packet_count(&self) -> u32 {
        self.packets as u32
    }

    /// Payload octets sent, modulo 2^32: the SR's sender's octet count.
    pub fn octet_count(&self) -> u32 {
        self.octets as u32
    }

    /// Packets sent, not wrapped.
    pub fn total_packets(&self) -> u64 {
        self.packets
    }

    /// Payload octets sent, not wrapped.
    pub fn total_octets(&self) -> u64 {
        self.octets
    }

    /// The RTP timestamp of the instant `at` (the SR's NTP timestamp, as
    /// the caller's monotonic clock sees it): the last sent packet's
    /// timestamp extrapolated by the time since its capture at the clock
    /// rate (backwards if `at` is earlier), rounded to the nearest unit,
    /// wrapping. `None` before any packet was sent.
    pub fn rtp_timestamp_at(&self, at: Instant) -> Option<u32> {
        let (timestamp, capture) = self.last?;
        Some(if at >= capture {
            timestamp.wrapping_add(self.ticks(at - capture))
        } else {
            timestamp.wrapping_sub(self.ticks(capture - at))
        })
    }

    /// `elapsed` in clock units, rounded, modulo 2^32.
    fn ticks(&self, elapsed: Duration) -> u32 {
        let units =
            (elapsed.as_nanos() * u128::from(self.clock_rate) + 500_000_000) / 1_000_000_000;
        units as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_wraps_into_the_rollover_count() {
        let t0 = Instant::now();
        let mut s = SendStream::new(7, 90_000, 65534, 0);
        let a = s.next(0, t0, 10);
        let b = s.next(0, t0, 10);
        let c = s.next(3000, t0, 10);
        assert_eq!(
            [a.sequence_number, b.sequence_number, c.sequence_number],
            [65534, 65535, 0]
        );
        assert_eq!(
            [a.rollover_count(), b.rollover_count(), c.rollover_count()],
            [0, 0, 1]
        );
        assert_eq!(c.extended_sequence, 65536);
        assert_eq!(s.next_extended_sequence(), 65537);
    }

    #[test]
    fn extrapolated_timestamp() {
        let t0 = Instant::now();
        let mut s = SendStream::new(7, 48_000, 0, u32::MAX - 10);
        assert_eq!(s.rtp_timestamp_at(t0), None);
        let p = s.next(960, t0 + Duration::from_millis(20), 100);
        assert_eq!(p.timestamp, 949);
        assert_eq!(
            s.rtp_timestamp_at(t0 + Duration::from_millis(520)),
            Some(949 + 24_000)
        );
        assert_eq!(s.rtp_timestamp_at(t0), Some(949u32.wrapping_sub(960)));
        assert_eq!(
            s.rtp_timestamp_at(t0 + Duration::from_micros(20_010)),
            Some(949)
        );
        assert_eq!(
            s.rtp_timestamp_at(t0 + Duration::from_micros(20_011)),
            Some(950)
        );
    }
}
