//! Receive statistics of one RTP source (RFC 3550 Appendix A): sequence
//! number validation (A.1), loss (A.3), interarrival jitter (A.8), and
//! the reception report block with LSR/DLSR; and the round-trip time from
//! a report block about our own stream (§6.4.1).
//!
//! Every counter is a fixed-size integer and all sequence arithmetic wraps:
//! any sequence of packets, however hostile, is accepted without panic.

use std::time::{Duration, Instant};

use crate::rtcp::ReportBlock;
use crate::NtpTime;

/// Sequential packets needed before a source is valid (RFC 3550 A.1).
pub const MIN_SEQUENTIAL: u32 = 2;
/// The largest forward jump still taken as in order (RFC 3550 A.1).
pub const MAX_DROPOUT: u16 = 3000;
/// How far behind the highest sequence number a packet may be and still
/// count as reordered rather than a jump (RFC 3550 A.1).
pub const MAX_MISORDER: u16 = 100;

/// Sequence numbers behind the highest one whose reception is remembered
/// for duplicate detection; covers [`MAX_MISORDER`].
const HISTORY: u16 = 128;

/// What [`ReceiveStats::on_packet`] made of a packet (RFC 3550 A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketStatus {
    /// The source is still on probation: the packet is not counted (A.1
    /// returns 0).
    Probation,
    /// In order, possibly after a gap of fewer than [`MAX_DROPOUT`].
    InOrder,
    /// Behind the highest sequence number by less than [`MAX_MISORDER`]
    /// and not seen before: late.
    Reordered,
    /// Seen before (within the last 128 sequence numbers). Counted as
    /// received, as RFC 3550 §6.4.1 counts duplicates, and in
    /// [`ReceiveStats::duplicates`].
    Duplicate,
    /// A large jump (or a very old packet): not counted. If the next
    /// packet follows it, the source is taken to have restarted.
    Jump,
    /// The second of two sequential packets after a large jump: the
    /// statistics restarted from this packet (A.1 `init_seq`).
    Restarted,
}

impl PacketStatus {
    /// Whether A.1 accepts the packet (returns 1): not on probation, not a
    /// jump.
    pub fn is_valid(self) -> bool {
        !matches!(self, PacketStatus::Probation | PacketStatus::Jump)
    }
}

/// The statistics of one RTP source, as a receiver keeps them to write its
/// reception report block (RFC 3550 §6.4.1, Appendix A).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveStats {
    ssrc: u32,
    clock_rate: u32,
    min_sequential: u32,
    /// Whether any packet arrived (`max_seq` is meaningful).
    started: bool,
    max_seq: u16,
    /// Wrap count << 16 (A.1 `cycles`), 64 bits wide.
    cycles: u64,
    base_seq: u16,
    /// The last 'bad' sequence number + 1; `None` for A.1's
    /// `RTP_SEQ_MOD + 1`.
    bad_seq: Option<u16>,
    probation: u32,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    duplicates: u64,
    /// Bit k: `max_seq - k` was received.
    history: u128,
    /// Arrival times are measured in clock units from this instant.
    arrival_base: Option<Instant>,
    /// Relative transit time of the previous packet (A.8 `transit`).
    transit: Option<u32>,
    /// Jitter × 16 (A.8's integer form).
    jitter16: u64,
    /// Compact NTP time of the last SR from this source and its arrival.
    last_sr: Option<(u32, Instant)>,
}

/// `elapsed` in units of `clock_rate` Hz, rounded down, modulo 2^32: the
/// whole seconds and the nanoseconds apart, in 64-bit arithmetic (the same
/// as `nanos × rate / 10^9` in 128 bits, without its division call).
fn clock_units(elapsed: std::time::Duration, clock_rate: u32) -> u32 {
    let rate = u64::from(clock_rate);
    let whole = elapsed.as_secs().wrapping_mul(rate);
    // Below 10^9 × 2^32: fits 64 bits.
    let part = u64::from(elapsed.subsec_nanos()) * rate / 1_000_000_000;
    whole.wrapping_add(part) as u32
}

impl ReceiveStats {
    /// Statistics for the source `ssrc`, whose RTP clock runs at
    /// `clock_rate` Hz, with the probation of RFC 3550 A.1
    /// ([`MIN_SEQUENTIAL`] sequential packets).
    pub fn new(ssrc: u32, clock_rate: u32) -> Self {
        ReceiveStats {
            ssrc,
            clock_rate,
            min_sequential: MIN_SEQUENTIAL,
            started: false,
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: None,
            probation: MIN_SEQUENTIAL,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            duplicates: 0,
            history: 0,
            arrival_base: None,
            transit: None,
            jitter16: 0,
            last_sr: None,
        }
    }

    /// The same with `min_sequential` sequential packets of probation
    /// instead (1 or 0: the first packet is valid, for authenticated SRTP
    /// streams where a stray packet cannot pass). Call before the first
    /// packet.
    pub fn with_min_sequential(mut self, min_sequential: u32) -> Self {
        self.min_sequential = min_sequential.max(1);
        self.probation = self.min_sequential;
        self
    }

    /// The source's SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// A.1 `init_seq`.
    fn init_seq(&mut self, seq: u16) {
        self.base_seq = seq;
        self.max_seq = seq;
        self.bad_seq = None;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
        self.duplicates = 0;
        self.history = 1;
        self.transit = None;
        self.jitter16 = 0;
    }

    /// A.1 `update_seq`, with duplicate detection over the last 128
    /// sequence numbers.
    fn update_seq(&mut self, seq: u16) -> PacketStatus {
        if !self.started {
            self.started = true;
            self.init_seq(seq);
            self.max_seq = seq.wrapping_sub(1);
            self.history = 0;
            self.probation = self.min_sequential;
        }
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if udelta == 1 {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init_seq(seq);
                    self.received = 1;
                    return PacketStatus::InOrder;
                }
            } else {
                self.probation = self.min_sequential - 1;
                self.max_seq = seq;
            }
            return PacketStatus::Probation;
        }
        let status = if udelta < MAX_DROPOUT {
            if udelta == 0 {
                self.duplicates = self.duplicates.wrapping_add(1);
                PacketStatus::Duplicate
            } else {
                if seq < self.max_seq {
                    self.cycles = self.cycles.wrapping_add(1 << 16);
                }
                self.max_seq = seq;
                self.history = if udelta < HISTORY {
                    self.history << udelta | 1
                } else {
                    1
                };
                PacketStatus::InOrder
            }
        } else if udelta <= u16::MAX - MAX_MISORDER + 1 {
            // A.1: udelta <= RTP_SEQ_MOD - MAX_MISORDER: a very large jump.
            if Some(seq) == self.bad_seq {
                self.init_seq(seq);
                PacketStatus::Restarted
            } else {
                self.bad_seq = Some(seq.wrapping_add(1));
                return PacketStatus::Jump;
            }
        } else {
            // Behind by 1..MAX_MISORDER: duplicate or reordered.
            let behind = self.max_seq.wrapping_sub(seq);
            let bit = 1u128 << behind;
            if self.history & bit != 0 {
                self.duplicates = self.duplicates.wrapping_add(1);
                PacketStatus::Duplicate
            } else {
                self.history |= bit;
                PacketStatus::Reordered
            }
        };
        self.received = self.received.wrapping_add(1);
        status
    }

    /// Takes in one received packet: its sequence number, its RTP
    /// timestamp, and the instant it arrived. Updates the sequence state
    /// (A.1) and, for valid packets that are not duplicates, the jitter
    /// (A.8). The caller may drop packets whose status is not
    /// [valid](PacketStatus::is_valid).
    pub fn on_packet(
        &mut self,
        sequence_number: u16,
        rtp_timestamp: u32,
        arrival: Instant,
    ) -> PacketStatus {
        let status = self.update_seq(sequence_number);
        if status.is_valid() && status != PacketStatus::Duplicate {
            self.update_jitter(rtp_timestamp, arrival);
        }
        status
    }

    /// A.8, in clock units and integers: `J += |D| - (J + 8) / 16` with J
    /// scaled by 16.
    fn update_jitter(&mut self, rtp_timestamp: u32, arrival: Instant) {
        let base = *self.arrival_base.get_or_insert(arrival);
        let elapsed = arrival.saturating_duration_since(base);
        // In clock units, modulo 2^32 like the RTP timestamp.
        let arrival_units = clock_units(elapsed, self.clock_rate);
        let transit = arrival_units.wrapping_sub(rtp_timestamp);
        if let Some(previous) = self.transit.replace(transit) {
            let d = u64::from((transit.wrapping_sub(previous) as i32).unsigned_abs());
            // (J + 8) >> 4 <= J for every J >= 0: no underflow; J stays
            // below 16 * 2^31 + 16.
            self.jitter16 = self.jitter16 - ((self.jitter16 + 8) >> 4) + d;
        }
    }

    /// Takes in a sender report from this source: its NTP timestamp and
    /// the instant it arrived, for the LSR and DLSR of the next report
    /// blocks.
    pub fn on_sender_report(&mut self, ntp: NtpTime, arrival: Instant) {
        self.last_sr = Some((ntp.compact(), arrival));
    }

    /// Whether the source has passed probation.
    pub fn is_valid(&self) -> bool {
        self.started && self.probation == 0
    }

    /// The extended highest sequence number received (cycles << 16 |
    /// highest), 64 bits wide; the report block carries its low 32 bits.
    pub fn extended_highest_sequence(&self) -> u64 {
        self.cycles | u64::from(self.max_seq)
    }

    /// How many times the sequence number wrapped.
    pub fn cycles(&self) -> u64 {
        self.cycles >> 16
    }

    /// Packets expected since the first valid one (A.3).
    pub fn expected(&self) -> u64 {
        if !self.is_valid() {
            return 0;
        }
        self.extended_highest_sequence()
            .wrapping_sub(u64::from(self.base_seq))
            .wrapping_add(1)
    }

    /// Valid packets received, duplicates and late packets included (A.1).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Duplicate packets received (since the first valid packet or the
    /// last restart, like [`ReceiveStats::received`]).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Packets lost: expected minus received, negative when duplicates
    /// outnumber losses (A.3).
    pub fn cumulative_lost(&self) -> i64 {
        // Both counts fit in i64 for any realistic run; saturate anyway.
        let expected = i64::try_from(self.expected()).unwrap_or(i64::MAX);
        let received = i64::try_from(self.received).unwrap_or(i64::MAX);
        expected.saturating_sub(received)
    }

    /// The interarrival jitter, in RTP timestamp units (A.8).
    pub fn jitter(&self) -> u32 {
        u32::try_from(self.jitter16 >> 4).unwrap_or(u32::MAX)
    }

    /// The reception report block about this source at `now`, starting a
    /// new interval for the fraction lost (A.3); `None` while the source
    /// is on probation. LSR and DLSR come from the last sender report
    /// (0 without one).
    pub fn report_block(&mut self, now: Instant) -> Option<ReportBlock> {
        if !self.is_valid() {
            return None;
        }
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        self.expected_prior = expected;
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.received_prior = self.received;
        let fraction_lost = if expected_interval == 0 || received_interval >= expected_interval {
            0
        } else {
            let lost_interval = u128::from(expected_interval - received_interval);
            // All lost gives 256/256: the field's largest value is 255.
            let fraction = (lost_interval << 8) / u128::from(expected_interval);
            u8::try_from(fraction).unwrap_or(u8::MAX)
        };
        let cumulative_lost =
            i32::try_from(self.cumulative_lost().clamp(-0x80_0000, 0x7f_ffff)).unwrap_or_default();
        let (last_sender_report, delay_since_last_sender_report) = match self.last_sr {
            Some((lsr, arrival)) => (
                lsr,
                NtpTime::duration_to_compact(now.saturating_duration_since(arrival)),
            ),
            None => (0, 0),
        };
        Some(ReportBlock {
            ssrc: self.ssrc,
            fraction_lost,
            cumulative_lost,
            extended_highest_sequence: self.extended_highest_sequence() as u32,
            jitter: self.jitter(),
            last_sender_report,
            delay_since_last_sender_report,
        })
    }
}

/// The round-trip time from a report block a receiver sent about our
/// stream, which arrived at `arrival` (RFC 3550 §6.4.1): A - LSR - DLSR in
/// compact NTP units. `None` when LSR is 0 (the receiver has no SR of
/// ours) or DLSR exceeds the time since the SR (clock trouble: the result
/// would be negative). The 16-bit seconds wrap is handled.
pub fn round_trip_time(block: &ReportBlock, arrival: NtpTime) -> Option<Duration> {
    if block.last_sender_report == 0 {
        return None;
    }
    let since_sr = arrival.compact().wrapping_sub(block.last_sender_report);
    // A "negative" elapsed time (A before LSR) shows as a huge value here:
    // treat anything past half the range as negative.
    if since_sr > i32::MAX as u32 {
        return None;
    }
    let rtt = since_sr.checked_sub(block.delay_since_last_sender_report)?;
    Some(NtpTime::compact_to_duration(rtt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_units_are_the_128_bit_formula() {
        use std::time::Duration;
        let reference =
            |d: Duration, rate: u32| (d.as_nanos() * u128::from(rate) / 1_000_000_000) as u32;
        let durations = [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_nanos(11_111),
            Duration::from_micros(3333),
            Duration::from_millis(999),
            Duration::new(1, 999_999_999),
            Duration::new(47_721, 858_833_333),
            Duration::new(86_400 * 365, 123_456_789),
            Duration::new(u64::MAX / 4, 999_999_999),
            Duration::MAX,
        ];
        for d in durations {
            for rate in [1, 8000, 48_000, 90_000, u32::MAX] {
                assert_eq!(clock_units(d, rate), reference(d, rate), "{d:?} {rate}");
            }
        }
    }

    #[test]
    fn probation_then_valid() {
        let t = Instant::now();
        let mut s = ReceiveStats::new(1, 8000);
        assert_eq!(s.report_block(t), None);
        assert_eq!(s.on_packet(10, 0, t), PacketStatus::Probation);
        assert!(!s.is_valid());
        assert_eq!(s.on_packet(11, 0, t), PacketStatus::InOrder);
        assert!(s.is_valid());
        assert_eq!((s.expected(), s.received()), (1, 1));
    }

    #[test]
    fn first_packet_valid_without_probation() {
        let t = Instant::now();
        let mut s = ReceiveStats::new(1, 8000).with_min_sequential(0);
        assert_eq!(s.on_packet(65535, 0, t), PacketStatus::InOrder);
        assert_eq!(s.on_packet(0, 0, t), PacketStatus::InOrder);
        assert_eq!(s.cycles(), 1);
        assert_eq!(s.extended_highest_sequence(), 65536);
        assert_eq!((s.expected(), s.received()), (2, 2));
    }

    #[test]
    fn fraction_after_a_gap() {
        let t = Instant::now();
        let mut s = ReceiveStats::new(1, 8000).with_min_sequential(1);
        s.on_packet(0, 0, t);
        s.report_block(t);
        s.on_packet(100, 0, t);
        // 100 expected, 1 received: 99 * 256 / 100 = 253.
        assert_eq!(s.report_block(t).unwrap().fraction_lost, 253);
        // Nothing new: 0 expected, fraction 0.
        assert_eq!(s.report_block(t).unwrap().fraction_lost, 0);
    }

    #[test]
    fn rtt_negative_or_without_sr() {
        let block = ReportBlock {
            last_sender_report: 0xb705_2000,
            delay_since_last_sender_report: 0x0005_4000,
            ..ReportBlock::default()
        };
        let a = |c: u32| NtpTime(u64::from(c) << 16);
        assert_eq!(
            round_trip_time(&block, a(0xb710_8000)),
            Some(Duration::from_millis(6125))
        );
        assert_eq!(
            round_trip_time(&block, a(0xb70a_6000)),
            Some(Duration::ZERO)
        );
        assert_eq!(round_trip_time(&block, a(0xb70a_5fff)), None);
        assert_eq!(round_trip_time(&block, a(0xb700_0000)), None);
        let no_sr = ReportBlock {
            last_sender_report: 0,
            ..block
        };
        assert_eq!(round_trip_time(&no_sr, a(0xb710_8000)), None);
        // Across the 16-bit seconds wrap.
        let wrap = ReportBlock {
            last_sender_report: 0xffff_8000,
            delay_since_last_sender_report: 0x0000_4000,
            ..block
        };
        assert_eq!(
            round_trip_time(&wrap, a(0x0000_8000)),
            Some(Duration::from_millis(750))
        );
    }
}
