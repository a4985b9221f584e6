//! Receive statistics (RFC 3550 Appendix A): sequence validation (A.1),
//! loss and fraction lost (A.3), jitter (A.8), LSR/DLSR in the report
//! block, the round-trip time of §6.4.1, and hostile sequences.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use sansrtc_rtp::rtcp::ReportBlock;
use sansrtc_rtp::{
    round_trip_time, NtpTime, PacketStatus, ReceiveStats, MAX_DROPOUT, MAX_MISORDER,
};

const SSRC: u32 = 0x5353_5243;

/// A stream whose probation is over: `first` was the probation packet,
/// `first + 1` the first valid one (A.1 starts counting there).
fn valid_from(first: u16, t: Instant) -> ReceiveStats {
    let mut s = ReceiveStats::new(SSRC, 8000);
    assert_eq!(s.on_packet(first, 0, t), PacketStatus::Probation);
    assert_eq!(
        s.on_packet(first.wrapping_add(1), 0, t),
        PacketStatus::InOrder
    );
    s
}

#[test]
fn probation_needs_two_sequential_packets() {
    let t = Instant::now();
    let mut s = ReceiveStats::new(SSRC, 8000);
    assert_eq!(s.report_block(t), None);
    assert_eq!(s.on_packet(5, 0, t), PacketStatus::Probation);
    // Not sequential: probation starts again from 7.
    assert_eq!(s.on_packet(7, 0, t), PacketStatus::Probation);
    assert!(!s.is_valid());
    assert_eq!(s.report_block(t), None);
    assert_eq!((s.expected(), s.received()), (0, 0));
    assert_eq!(s.on_packet(8, 0, t), PacketStatus::InOrder);
    assert!(s.is_valid());
    // Counting starts at the packet that ended probation.
    assert_eq!((s.expected(), s.received()), (1, 1));
    assert_eq!(s.extended_highest_sequence(), 8);
    let block = s.report_block(t).unwrap();
    assert_eq!(block.ssrc, SSRC);
    assert_eq!(block.extended_highest_sequence, 8);
    assert_eq!((block.fraction_lost, block.cumulative_lost), (0, 0));
}

#[test]
fn probation_across_the_wrap() {
    let t = Instant::now();
    let mut s = ReceiveStats::new(SSRC, 8000);
    assert_eq!(s.on_packet(65535, 0, t), PacketStatus::Probation);
    assert_eq!(s.on_packet(0, 0, t), PacketStatus::InOrder);
    assert_eq!(s.cycles(), 0);
    assert_eq!(s.extended_highest_sequence(), 0);
}

#[test]
fn wrap_around_counts_a_cycle() {
    let t = Instant::now();
    let mut s = valid_from(65530, t);
    for seq in [65532, 65533, 65534, 65535] {
        assert_eq!(s.on_packet(seq, 0, t), PacketStatus::InOrder);
    }
    assert_eq!(s.cycles(), 0);
    assert_eq!(s.on_packet(0, 0, t), PacketStatus::InOrder);
    assert_eq!(s.cycles(), 1);
    assert_eq!(s.on_packet(2, 0, t), PacketStatus::InOrder);
    assert_eq!(s.extended_highest_sequence(), 65536 + 2);
    // 65531..=65535, 0, 2: 7 received of 8 expected.
    assert_eq!((s.expected(), s.received(), s.cumulative_lost()), (8, 7, 1));
    // A late packet from before the wrap does not count another cycle.
    assert_eq!(s.on_packet(65534, 0, t), PacketStatus::Duplicate);
    assert_eq!(s.on_packet(1, 0, t), PacketStatus::Reordered);
    assert_eq!(s.cycles(), 1);
    let block = s.report_block(t).unwrap();
    assert_eq!(block.extended_highest_sequence, 0x0001_0002);
    // 9 received (one duplicate) of 8 expected.
    assert_eq!(block.cumulative_lost, -1);
}

#[test]
fn many_wraps() {
    let t = Instant::now();
    let mut s = valid_from(0, t);
    let mut seq = 1u16;
    for _ in 0..3 * 65536 / 2000 + 1 {
        seq = seq.wrapping_add(2000);
        assert_eq!(s.on_packet(seq, 0, t), PacketStatus::InOrder);
    }
    assert_eq!(s.cycles(), 3);
    assert_eq!(s.extended_highest_sequence(), 3 * 65536 + u64::from(seq));
}

#[test]
fn big_jump_needs_two_sequential_packets_to_restart() {
    let t = Instant::now();
    let mut s = valid_from(99, t);
    for seq in 101..=110 {
        s.on_packet(seq, 0, t);
    }
    assert_eq!((s.expected(), s.received()), (11, 11));
    // A jump of MAX_DROPOUT or more: not counted.
    assert_eq!(s.on_packet(110 + MAX_DROPOUT, 0, t), PacketStatus::Jump);
    assert_eq!(s.received(), 11);
    assert_eq!(s.extended_highest_sequence(), 110);
    // The stream goes on: the jump was a stray packet.
    assert_eq!(s.on_packet(111, 0, t), PacketStatus::InOrder);
    // One short of MAX_DROPOUT is still in order (a gap).
    assert_eq!(
        s.on_packet(111 + MAX_DROPOUT - 1, 0, t),
        PacketStatus::InOrder
    );
    assert_eq!(s.cumulative_lost(), i64::from(MAX_DROPOUT) - 2);

    // A jump, then a jump elsewhere: neither is followed.
    assert_eq!(s.on_packet(40_000, 0, t), PacketStatus::Jump);
    assert_eq!(s.on_packet(50_000, 0, t), PacketStatus::Jump);
    // The packet after the last jump: the source restarted.
    assert_eq!(s.on_packet(50_001, 0, t), PacketStatus::Restarted);
    assert!(s.is_valid());
    assert_eq!((s.expected(), s.received(), s.cycles()), (1, 1, 0));
    assert_eq!(s.extended_highest_sequence(), 50_001);
    assert_eq!(s.on_packet(50_002, 0, t), PacketStatus::InOrder);
    let block = s.report_block(t).unwrap();
    assert_eq!((block.cumulative_lost, block.fraction_lost), (0, 0));
    assert_eq!(block.extended_highest_sequence, 50_002);
}

#[test]
fn jump_backwards_is_a_jump_too() {
    let t = Instant::now();
    let mut s = valid_from(10_000, t);
    // MAX_MISORDER behind: too old to be reordered, a jump...
    assert_eq!(s.on_packet(10_001 - MAX_MISORDER, 0, t), PacketStatus::Jump);
    // ...but the packet after it is within MAX_MISORDER again: reordered
    // (A.1 tests the window before the restart condition).
    assert_eq!(
        s.on_packet(10_001 - MAX_MISORDER + 1, 0, t),
        PacketStatus::Reordered
    );
    // Far behind, twice in a row: a restart with a lower sequence number.
    assert_eq!(s.on_packet(5000, 0, t), PacketStatus::Jump);
    assert_eq!(s.on_packet(5001, 0, t), PacketStatus::Restarted);
    assert_eq!(s.extended_highest_sequence(), 5001);
    assert_eq!((s.expected(), s.received()), (1, 1));
}

#[test]
fn reordered_and_duplicate_packets() {
    let t = Instant::now();
    let mut s = valid_from(0, t);
    assert_eq!(s.on_packet(2, 0, t), PacketStatus::InOrder);
    assert_eq!(s.on_packet(4, 0, t), PacketStatus::InOrder);
    assert_eq!(s.cumulative_lost(), 1);
    assert_eq!(s.on_packet(3, 0, t), PacketStatus::Reordered);
    assert_eq!(s.cumulative_lost(), 0);
    assert_eq!(s.on_packet(3, 0, t), PacketStatus::Duplicate);
    assert_eq!(s.on_packet(4, 0, t), PacketStatus::Duplicate);
    // RFC 3550 §6.4.1: duplicates count as received, so loss goes negative.
    assert_eq!(
        (s.received(), s.duplicates(), s.cumulative_lost()),
        (6, 2, -2)
    );
    assert_eq!(s.extended_highest_sequence(), 4);
}

#[test]
fn old_duplicates() {
    let t = Instant::now();
    let mut s = valid_from(99, t);
    for seq in 101..=300 {
        s.on_packet(seq, 0, t);
    }
    assert_eq!((s.received(), s.duplicates()), (201, 0));
    // Up to MAX_MISORDER - 1 behind: recognised as duplicates.
    assert_eq!(s.on_packet(300, 0, t), PacketStatus::Duplicate);
    assert_eq!(s.on_packet(250, 0, t), PacketStatus::Duplicate);
    assert_eq!(
        s.on_packet(300 - (MAX_MISORDER - 1), 0, t),
        PacketStatus::Duplicate
    );
    assert_eq!(s.duplicates(), 3);
    assert_eq!(s.received(), 204);
    // Older: a jump, not counted; the stream goes on normally after it.
    assert_eq!(s.on_packet(300 - MAX_MISORDER, 0, t), PacketStatus::Jump);
    assert_eq!(s.on_packet(150, 0, t), PacketStatus::Jump);
    assert_eq!(s.on_packet(301, 0, t), PacketStatus::InOrder);
    assert_eq!((s.received(), s.duplicates()), (205, 3));
    assert_eq!(s.cumulative_lost(), -3);
}

/// 100 packets expected, 10 of them dropped: cumulative 10, fraction
/// 10 * 256 / 100 = 25.6, floor 25 (RFC 3550 A.3).
#[test]
fn loss_on_a_known_pattern() {
    let t = Instant::now();
    let mut s = valid_from(0, t); // counts from seq 1
    let dropped = [5, 17, 18, 30, 44, 51, 52, 53, 77, 90];
    for seq in 2..=100u16 {
        if !dropped.contains(&seq) {
            assert_eq!(s.on_packet(seq, 0, t), PacketStatus::InOrder);
        }
    }
    assert_eq!((s.expected(), s.received()), (100, 90));
    let block = s.report_block(t).unwrap();
    assert_eq!(block.cumulative_lost, 10);
    assert_eq!(block.fraction_lost, 25);
    assert_eq!(block.extended_highest_sequence, 100);

    // Next interval: 101..=200, nothing lost; then one late packet.
    for seq in 101..=200 {
        s.on_packet(seq, 0, t);
    }
    let block = s.report_block(t).unwrap();
    assert_eq!((block.cumulative_lost, block.fraction_lost), (10, 0));

    // Next: 201..=250 with every other packet lost: 25 of 50, 128/256.
    for seq in (202..=250).step_by(2) {
        s.on_packet(seq, 0, t);
    }
    let block = s.report_block(t).unwrap();
    assert_eq!((block.cumulative_lost, block.fraction_lost), (35, 128));

    // Late packets from that interval: more received than expected in
    // this one, so fraction 0 (lost_interval <= 0), and the loss shrinks.
    assert_eq!(s.on_packet(249, 0, t), PacketStatus::Reordered);
    assert_eq!(s.on_packet(251, 0, t), PacketStatus::InOrder);
    let block = s.report_block(t).unwrap();
    assert_eq!((block.cumulative_lost, block.fraction_lost), (34, 0));
    // Nothing at all since: 0 expected, fraction 0.
    assert_eq!(s.report_block(t).unwrap().fraction_lost, 0);
}

/// A stream valid from its first packet (no probation, so the first
/// packet starts the jitter), fed `n` packets from seq 1, one every 20 ms
/// at 8 kHz (160 units), each arriving `delay(i)` late.
fn jitter_stream(t0: Instant, n: u32, delay: impl Fn(u32) -> Duration) -> ReceiveStats {
    let mut s = ReceiveStats::new(SSRC, 8000).with_min_sequential(1);
    for i in 0..n {
        let ts = 0x7fff_ff00u32.wrapping_add(160 * i);
        let arrival = t0 + Duration::from_millis(20 * u64::from(i)) + delay(i);
        assert_eq!(
            s.on_packet(1 + i as u16, ts, arrival),
            PacketStatus::InOrder
        );
    }
    s
}

#[test]
fn jitter_is_zero_for_constant_transit() {
    let t0 = Instant::now();
    let mut s = jitter_stream(t0, 500, |_| Duration::from_millis(35));
    assert_eq!(s.jitter(), 0);
    assert_eq!(s.report_block(t0).unwrap().jitter, 0);
}

#[test]
fn jitter_for_alternating_delay() {
    let t0 = Instant::now();
    // Delays 0 and 10 ms alternate: |D| = 80 units for every packet after
    // the first.
    let delay = |i: u32| Duration::from_millis(if i % 2 == 0 { 0 } else { 10 });

    // The first packets by hand, A.8's integer form J16 += |D| - (J16+8)/16:
    // J16 = 0 - 0 + 80 = 80        -> jitter 5
    // J16 = 80 - 5 + 80 = 155      -> 9
    // J16 = 155 - 10 + 80 = 225    -> 14
    // (A.8's floating form: 5, 9.6875, 14.08.)
    let mut expected_jitter = Vec::new();
    for n in 1..=4 {
        expected_jitter.push(jitter_stream(t0, n, delay).jitter());
    }
    assert_eq!(expected_jitter, [0, 5, 9, 14]);

    // Long run: the same recurrence, and the floating form's closed form
    // 80 * (1 - (15/16)^k) after k differences, agree.
    let n = 400;
    let s = jitter_stream(t0, n, delay);
    let mut j16: u64 = 0;
    for _ in 1..n {
        j16 = j16 - ((j16 + 8) >> 4) + 80;
    }
    assert_eq!(u64::from(s.jitter()), j16 >> 4);
    let float = 80.0 * (1.0 - (15.0f64 / 16.0).powi(n as i32 - 1));
    assert!(
        (f64::from(s.jitter()) - float).abs() <= 1.0,
        "{} vs {float}",
        s.jitter()
    );
    assert!((79..=80).contains(&s.jitter()));
}

#[test]
fn duplicates_and_jumps_do_not_move_the_jitter() {
    let t0 = Instant::now();
    let mut s = jitter_stream(t0, 50, |_| Duration::ZERO);
    let late = t0 + Duration::from_secs(30);
    assert_eq!(s.on_packet(50, 0, late), PacketStatus::Duplicate);
    assert_eq!(s.on_packet(30_000, 0, late), PacketStatus::Jump);
    assert_eq!(s.jitter(), 0);
}

#[test]
fn lsr_and_dlsr() {
    let t0 = Instant::now();
    let mut s = valid_from(0, t0);
    let block = s.report_block(t0).unwrap();
    assert_eq!(
        (
            block.last_sender_report,
            block.delay_since_last_sender_report
        ),
        (0, 0)
    );
    s.on_sender_report(NtpTime::from_parts(0x1234_b705, 0x2000_0000), t0);
    let block = s.report_block(t0 + Duration::from_millis(5250)).unwrap();
    assert_eq!(block.last_sender_report, 0xb705_2000);
    assert_eq!(block.delay_since_last_sender_report, 0x0005_4000);
    // A `now` before the SR's arrival: DLSR 0, not a panic.
    let block = s.report_block(t0.checked_sub(Duration::from_millis(1)).unwrap_or(t0));
    assert_eq!(block.unwrap().delay_since_last_sender_report, 0);
}

/// RFC 3550 §6.4.1's figure: A = 0xb710:8000 (46864.500 s), LSR =
/// 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.250 s): RTT =
/// 0x0006:2000 = 6.125 s.
#[test]
fn round_trip_time_rfc3550_example() {
    let block = ReportBlock {
        ssrc: SSRC,
        last_sender_report: 0xb705_2000,
        delay_since_last_sender_report: 0x0005_4000,
        ..ReportBlock::default()
    };
    let a = NtpTime::from_parts(0xdead_b710, 0x8000_0000);
    assert_eq!(a.compact(), 0xb710_8000);
    assert_eq!(
        round_trip_time(&block, a),
        Some(Duration::from_millis(6125))
    );
    assert_eq!(
        NtpTime::compact_to_duration(0x0006_2000),
        Duration::from_millis(6125)
    );
    // LSR 0: no SR of ours reached the receiver.
    let no_sr = ReportBlock {
        last_sender_report: 0,
        ..block
    };
    assert_eq!(round_trip_time(&no_sr, a), None);
    // A DLSR longer than the time since the SR: negative, None.
    let bad = ReportBlock {
        delay_since_last_sender_report: 0x000b_6001,
        ..block
    };
    assert_eq!(round_trip_time(&bad, a), None);
}

/// Sender and receiver together: the SR's NTP time goes out, comes back
/// as LSR with the receiver's DLSR, and the sender finds the path delay.
#[test]
fn round_trip_end_to_end() {
    let t0 = Instant::now();
    let wall0 = Duration::from_secs(1_700_000_000);
    let one_way = Duration::from_millis(40);
    let hold = Duration::from_millis(730);
    let mut receiver = valid_from(0, t0);
    let sr_sent = NtpTime::from_unix(wall0);
    receiver.on_sender_report(sr_sent, t0 + one_way);
    let block = receiver.report_block(t0 + one_way + hold).unwrap();
    let arrival = NtpTime::from_unix(wall0 + one_way + hold + one_way);
    let rtt = round_trip_time(&block, arrival).unwrap();
    let error = rtt.max(2 * one_way) - rtt.min(2 * one_way); // Duration::abs_diff is 1.81
    assert!(error <= Duration::from_micros(31), "{rtt:?}");
}

fn arrival(t0: Instant, ms: u32) -> Instant {
    t0 + Duration::from_millis(u64::from(ms))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Random sequence numbers, timestamps and arrival times, reports in
    /// between: no panic (overflow checks are on in tests), and the counts
    /// stay consistent.
    #[test]
    fn hostile_sequences(
        packets in proptest::collection::vec((any::<u16>(), any::<u32>(), 0u32..100_000_000, any::<u8>()), 0..300),
        clock_rate in prop_oneof![Just(0u32), Just(8000), Just(90_000), Just(u32::MAX)],
        min_sequential in 0u32..4,
    ) {
        let t0 = Instant::now();
        let mut s = ReceiveStats::new(SSRC, clock_rate).with_min_sequential(min_sequential);
        s.on_sender_report(NtpTime(u64::MAX), arrival(t0, 5));
        for (seq, ts, ms, report) in packets {
            let status = s.on_packet(seq, ts, arrival(t0, ms));
            if status.is_valid() {
                prop_assert!(s.is_valid());
            }
            prop_assert!(s.duplicates() <= s.received());
            prop_assert_eq!(
                s.cumulative_lost(),
                s.expected() as i64 - s.received() as i64
            );
            if report < 16 {
                match s.report_block(arrival(t0, ms)) {
                    Some(block) => {
                        prop_assert!(s.is_valid());
                        prop_assert!(s.expected() >= 1);
                        prop_assert_eq!(
                            block.extended_highest_sequence,
                            s.extended_highest_sequence() as u32
                        );
                        prop_assert_eq!(block.jitter, s.jitter());
                    }
                    None => prop_assert!(!s.is_valid()),
                }
            }
        }
    }

    /// Huge jumps and wrap-arounds: an in-order stream with gaps below
    /// MAX_DROPOUT matches a simple model of A.1.
    #[test]
    fn gaps_match_a_model(
        start in any::<u16>(),
        gaps in proptest::collection::vec(1u16..MAX_DROPOUT, 1..400),
    ) {
        let t0 = Instant::now();
        let mut s = ReceiveStats::new(SSRC, 90_000);
        s.on_packet(start, 0, t0);
        let first = start.wrapping_add(1);
        prop_assert_eq!(s.on_packet(first, 0, t0), PacketStatus::InOrder);
        let mut extended = u64::from(first);
        let mut received = 1u64;
        for gap in gaps {
            extended += u64::from(gap);
            received += 1;
            prop_assert_eq!(s.on_packet(extended as u16, 0, t0), PacketStatus::InOrder);
        }
        prop_assert_eq!(s.extended_highest_sequence(), extended);
        prop_assert_eq!(s.cycles(), extended >> 16);
        prop_assert_eq!(s.expected(), extended - u64::from(first) + 1);
        prop_assert_eq!(s.received(), received);
        let block = s.report_block(t0).unwrap();
        let lost = s.expected() - received;
        prop_assert_eq!(block.cumulative_lost as u64, lost.min(0x7f_ffff));
        prop_assert_eq!(u64::from(block.fraction_lost), lost * 256 / s.expected());
    }

    /// Round-trip time: any A, LSR != 0 and DLSR give either None or
    /// A - LSR - DLSR, never a panic.
    #[test]
    fn round_trip_time_never_panics(a in any::<u64>(), lsr in any::<u32>(), dlsr in any::<u32>()) {
        let block = ReportBlock {
            last_sender_report: lsr,
            delay_since_last_sender_report: dlsr,
            ..ReportBlock::default()
        };
        if let Some(rtt) = round_trip_time(&block, NtpTime(a)) {
            prop_assert!(lsr != 0);
            let compact = NtpTime(a).compact().wrapping_sub(lsr).wrapping_sub(dlsr);
            prop_assert_eq!(rtt, NtpTime::compact_to_duration(compact));
        }
    }
}
