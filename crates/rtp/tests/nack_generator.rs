//! The NACK generator: the reordering delay, retries every round-trip
//! time up to the maximum, recovery, the wrap at 65535, the bounds on
//! missing packets and jumps, the RTCP packets, and hostile sequences.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sansrtc_rtp::rtcp::{parse_compound, RtcpPacket};
use sansrtc_rtp::{NackConfig, NackGenerator, NackPacketStatus, MAX_NACK_PAIRS};

const RTT: Duration = Duration::from_millis(50);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A generator with `config` that has seen `seqs`, all at `at`.
fn fed(config: NackConfig, seqs: &[u16], at: Instant) -> NackGenerator {
    let mut g = NackGenerator::new(config);
    for &s in seqs {
        g.on_packet(s, at);
    }
    g
}

#[test]
fn a_gap_is_requested_after_the_reordering_delay() {
    let t0 = Instant::now();
    let mut g = NackGenerator::default();
    assert_eq!(g.next_timeout(), None);
    assert_eq!(g.on_packet(100, t0), NackPacketStatus::First);
    assert_eq!(g.on_packet(101, t0), NackPacketStatus::InOrder);
    assert_eq!(g.next_timeout(), None);
    assert_eq!(g.on_packet(104, t0 + ms(1)), NackPacketStatus::InOrder);
    assert_eq!(g.missing().collect::<Vec<_>>(), [102, 103]);
    assert_eq!(g.poll_nacks(t0 + ms(10), RTT), [0u16; 0]);
    assert_eq!(g.next_timeout(), Some(t0 + ms(11)));
    assert_eq!(g.poll_nacks(t0 + ms(11), RTT), [102, 103]);
    // Not again before a round-trip time.
    assert_eq!(g.poll_nacks(t0 + ms(60), RTT), [0u16; 0]);
    assert_eq!(g.next_timeout(), Some(t0 + ms(61)));
    assert_eq!(g.poll_nacks(t0 + ms(61), RTT), [102, 103]);
    let s = g.stats();
    assert_eq!((s.missing, s.requested), (2, 4));
    assert_eq!(g.newest(), Some(104));
}

#[test]
fn reordering_resolved_before_the_first_request_sends_nothing() {
    let t0 = Instant::now();
    let mut g = fed(NackConfig::default(), &[1, 3], t0);
    g.on_packet(4, t0 + ms(1));
    assert_eq!(g.on_packet(2, t0 + ms(5)), NackPacketStatus::Reordered);
    assert_eq!(g.next_timeout(), None);
    assert_eq!(g.poll_nacks(t0 + ms(100), RTT), [0u16; 0]);
    let s = g.stats();
    assert_eq!(
        (s.missing, s.reordered, s.requested, s.recovered),
        (1, 1, 0, 0)
    );
    // Seen again: a duplicate, untracked.
    assert_eq!(g.on_packet(2, t0 + ms(6)), NackPacketStatus::Untracked);
    assert_eq!(g.on_packet(4, t0 + ms(6)), NackPacketStatus::Untracked);
}

#[test]
fn wraps_at_65535() {
    let t0 = Instant::now();
    let mut g = fed(NackConfig::default(), &[65533, 2], t0);
    assert_eq!(g.missing().collect::<Vec<_>>(), [65534, 65535, 0, 1]);
    assert_eq!(g.poll_nacks(t0 + ms(10), RTT), [65534, 65535, 0, 1]);
    assert_eq!(g.on_packet(65535, t0 + ms(20)), NackPacketStatus::Recovered);
    assert_eq!(g.on_packet(0, t0 + ms(20)), NackPacketStatus::Recovered);
    assert_eq!(g.poll_nacks(t0 + ms(60), RTT), [65534, 1]);
    assert_eq!(g.stats().recovered, 2);
}

#[test]
fn retries_stop_after_the_maximum() {
    let t0 = Instant::now();
    let mut g = fed(NackConfig::default(), &[10, 12], t0);
    let mut requests = 0;
    let mut now = t0;
    while let Some(due) = g.next_timeout() {
        assert!(due >= now);
        now = due;
        let lost = g.poll_nacks(now, RTT);
        assert!(lost.is_empty() || lost == [11]);
        requests += lost.len();
        assert!(now - t0 < Duration::from_secs(2), "never gives up");
    }
    assert_eq!(requests, 10);
    // The last request got its round-trip time before giving up.
    assert_eq!(now, t0 + ms(10) + RTT * 10);
    let s = g.stats();
    assert_eq!((s.requested, s.given_up, s.recovered), (10, 1, 0));
    assert_eq!(g.missing_count(), 0);
    // A retransmission after giving up is just a late packet.
    assert_eq!(g.on_packet(11, now), NackPacketStatus::Untracked);
    assert!(!g.take_keyframe_request());
}

#[test]
fn zero_rtt_retries_at_the_minimum_interval() {
    let t0 = Instant::now();
    let config = NackConfig {
        max_requests: 3,
        ..NackConfig::default()
    };
    let mut g = fed(config, &[0, 2], t0);
    assert_eq!(g.poll_nacks(t0 + ms(10), Duration::ZERO), [1]);
    assert_eq!(g.poll_nacks(t0 + ms(14), Duration::ZERO), [0u16; 0]);
    assert_eq!(g.poll_nacks(t0 + ms(15), Duration::ZERO), [1]);
    // Duration::MAX: never due again (no overflow).
    assert_eq!(g.poll_nacks(t0 + ms(100), Duration::MAX), [0u16; 0]);
    assert_eq!(g.next_timeout(), None);
    assert_eq!(g.missing_count(), 1);
}

#[test]
fn zero_max_requests_gives_up_unrequested() {
    let t0 = Instant::now();
    let config = NackConfig {
        max_requests: 0,
        ..NackConfig::default()
    };
    let mut g = fed(config, &[0, 3], t0);
    assert_eq!(g.poll_nacks(t0 + ms(10), RTT), [0u16; 0]);
    assert_eq!(g.stats().given_up, 2);
    assert_eq!(g.next_timeout(), None);
}

#[test]
fn a_burst_of_5000_missing_is_bounded() {
    let t0 = Instant::now();
    // Default: a gap of 5000 is a jump; the state starts over.
    let mut g = fed(NackConfig::default(), &[60_000, 60_002], t0);
    assert_eq!(
        g.on_packet(60_000u16.wrapping_add(5003), t0),
        NackPacketStatus::Reset
    );
    assert_eq!(g.missing_count(), 0);
    let s = g.stats();
    assert_eq!((s.resets, s.dropped), (1, 1));
    assert!(g.take_keyframe_request());
    assert!(!g.take_keyframe_request());
    assert_eq!(g.poll_nacks(t0 + ms(100), RTT), [0u16; 0]);

    // Jumps allowed: the newest 1000 are tracked, the 4000 before dropped.
    let far_jumps = NackConfig {
        max_jump: 20_000,
        ..NackConfig::default()
    };
    let mut g = NackGenerator::new(far_jumps);
    g.on_packet(65_000, t0);
    assert_eq!(
        g.on_packet(65_000u16.wrapping_add(5001), t0),
        NackPacketStatus::InOrder
    );
    assert_eq!(g.missing_count(), 1000);
    let s = g.stats();
    assert_eq!((s.missing, s.dropped), (5000, 4000));
    assert!(g.take_keyframe_request());
    let first = 65_000u16.wrapping_add(4001);
    assert_eq!(g.missing().next(), Some(first));
    let lost = g.poll_nacks(t0 + ms(10), RTT);
    assert_eq!(lost.len(), 1000);
    assert_eq!(lost[0], first);
    assert_eq!(lost[999], 65_000u16.wrapping_add(5000));
    // A dropped one arriving late is untracked.
    assert_eq!(g.on_packet(65_001, t0), NackPacketStatus::Untracked);

    // 5000 lost one by one in gaps of 5: still at most 1000 tracked.
    let mut g = NackGenerator::new(far_jumps);
    let mut seq = 0u16;
    for _ in 0..=1250 {
        g.on_packet(seq, t0);
        assert!(g.missing_count() <= 1000);
        seq = seq.wrapping_add(5);
    }
    let s = g.stats();
    assert_eq!(s.missing, 5000);
    assert_eq!(s.dropped, 4000);
    assert_eq!(g.missing_count(), 1000);
}

#[test]
fn old_entries_beyond_the_jump_limit_are_dropped() {
    let t0 = Instant::now();
    let config = NackConfig {
        max_missing: 5000,
        ..NackConfig::default()
    };
    let mut g = fed(config, &[0, 2], t0); // 1 missing
    for s in (3..=3001u16).step_by(1000) {
        g.on_packet(s, t0);
    }
    // 1 is now 3000 behind the newest (3001): still kept.
    g.on_packet(3001, t0);
    assert!(g.missing().any(|s| s == 1));
    g.on_packet(3002, t0);
    assert!(!g.missing().any(|s| s == 1));
    assert_eq!(g.stats().dropped, 1);
}

#[test]
fn a_large_backward_jump_starts_over() {
    let t0 = Instant::now();
    let mut g = fed(NackConfig::default(), &[40_000, 40_002], t0);
    assert_eq!(g.on_packet(30_000, t0), NackPacketStatus::Reset);
    assert_eq!(g.newest(), Some(30_000));
    assert_eq!(g.missing_count(), 0);
    assert_eq!(g.on_packet(30_002, t0), NackPacketStatus::InOrder);
    assert_eq!(g.missing().collect::<Vec<_>>(), [30_001]);
    // Exactly max_jump behind: a late packet, not a jump.
    assert_eq!(g.on_packet(27_002, t0), NackPacketStatus::Untracked);
    assert_eq!(g.on_packet(27_001, t0), NackPacketStatus::Reset);
}

#[test]
fn rtcp_packets_parse_back_and_split() {
    let t0 = Instant::now();
    let mut g = NackGenerator::new(NackConfig {
        max_jump: 10_000,
        ..NackConfig::default()
    });
    // Every 17th lost: each needs its own PID/BLP pair.
    let mut expected = Vec::new();
    for s in 0..(17 * 260u16) {
        if s % 17 == 5 {
            expected.push(s);
        } else {
            g.on_packet(s, t0);
        }
    }
    let nacks = g.poll_rtcp(t0 + ms(10), RTT, 0xaaaa, 0xbbbb);
    assert_eq!(nacks.len(), 2);
    assert_eq!(nacks[0].pairs.len(), MAX_NACK_PAIRS);
    let mut datagram = Vec::new();
    for n in &nacks {
        n.write(&mut datagram);
    }
    let mut lost = Vec::new();
    for p in parse_compound(&datagram) {
        let RtcpPacket::Nack(n) = p.unwrap() else {
            panic!("not a NACK")
        };
        assert_eq!((n.sender_ssrc, n.media_ssrc), (0xaaaa, 0xbbbb));
        lost.extend(n.lost());
    }
    assert_eq!(lost, expected);
    assert!(g.poll_rtcp(t0 + ms(11), RTT, 1, 2).is_empty());
}

#[test]
fn rtcp_across_the_wrap() {
    let t0 = Instant::now();
    let mut g = fed(NackConfig::default(), &[65534, 1], t0);
    let nacks = g.poll_rtcp(t0 + ms(10), RTT, 1, 2);
    assert_eq!(nacks.len(), 1);
    assert_eq!(nacks[0].pairs.len(), 1);
    assert_eq!(nacks[0].lost().collect::<Vec<_>>(), [65535, 0]);
}

#[test]
fn reset_forgets_the_source() {
    let t0 = Instant::now();
    let mut g = fed(NackConfig::default(), &[5, 9], t0);
    g.reset();
    assert_eq!(g.next_timeout(), None);
    assert_eq!(g.on_packet(100, t0), NackPacketStatus::First);
    assert_eq!(g.stats().missing, 3);
}

proptest! {
    /// Any sequence of packets and polls: the state stays bounded, every
    /// missing sequence number is within the jump limit behind the newest,
    /// no sequence number is requested more than the maximum between
    /// resets, and requests only name missing packets.
    #[test]
    fn hostile_sequences(
        ops in proptest::collection::vec((any::<u16>(), any::<bool>(), 0u64..40, any::<bool>()), 1..400),
        max_missing in 1usize..200,
    ) {
        let config = NackConfig { max_missing, max_requests: 4, ..NackConfig::default() };
        let mut g = NackGenerator::new(config);
        let t0 = Instant::now();
        let mut now = t0;
        let mut seq = 0u16;
        let mut requested: HashMap<u16, u32> = HashMap::new();
        for (x, far, dt, poll) in ops {
            now += Duration::from_millis(dt);
            if poll {
                let missing: Vec<u16> = g.missing().collect();
                for s in g.poll_nacks(now, Duration::from_millis(u64::from(x % 200))) {
                    prop_assert!(missing.contains(&s));
                    let n = requested.entry(s).or_default();
                    *n += 1;
                    prop_assert!(*n <= 4);
                }
                if let Some(t) = g.next_timeout() {
                    prop_assert!(t > now);
                }
            } else {
                seq = if far { x } else { seq.wrapping_add(x % 64).wrapping_sub(8) };
                // Only the requests of packets still missing count (one
                // given up may go missing again after a wrap).
                requested.retain(|&s, _| g.missing().any(|m| m == s));
                g.on_packet(seq, now);
            }
            prop_assert!(g.missing_count() <= max_missing);
            let newest = g.newest().unwrap_or(0);
            for m in g.missing() {
                let behind = newest.wrapping_sub(m);
                prop_assert!((1..=3000).contains(&behind));
            }
        }
    }
}
