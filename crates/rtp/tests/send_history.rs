//! The sender's packet history: lookups by sequence number across the
//! wrap, the count and age bounds, refused and replaced insertions, and
//! hostile sequences of insertions.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use sansrtc_rtp::{RtpHeader, RtpWriter, SendHistory, SendHistoryConfig, MAX_HISTORY_CAPACITY};

fn packet(seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    RtpWriter {
        payload_type: 96,
        sequence_number: seq,
        timestamp: u32::from(seq) * 3000,
        ssrc: 0x1234,
        payload,
        ..RtpWriter::default()
    }
    .write(&mut out)
    .unwrap();
    out
}

fn history(capacity: usize, max_age_ms: u64) -> SendHistory {
    SendHistory::new(SendHistoryConfig {
        capacity,
        max_age: Duration::from_millis(max_age_ms),
    })
}

#[test]
fn lookups_across_the_wrap() {
    let t = Instant::now();
    let mut h = SendHistory::default();
    let seqs: Vec<u16> = (65530..=65535).chain(0..6).collect();
    for &s in &seqs {
        assert_eq!(h.insert(&packet(s, &s.to_be_bytes()), t), Ok(Some(s)));
    }
    for &s in &seqs {
        assert_eq!(h.get(s, t), Some(&packet(s, &s.to_be_bytes())[..]));
    }
    let before = h.entry(65535, t).unwrap().extended_sequence;
    let after = h.entry(0, t).unwrap().extended_sequence;
    assert_eq!(after, before + 1);
    assert_eq!(h.get(6, t), None);
    assert_eq!(h.get(65529, t), None);
    assert_eq!(h.len(), 12);
    assert_eq!(h.stats().evicted_by_count, 0);
}

#[test]
fn count_bound_evicts_the_oldest() {
    let t = Instant::now();
    let mut h = history(4, 1000);
    for s in 65530..=65535u16 {
        h.insert(&packet(s, b"x"), t).unwrap();
        assert!(h.len() <= 4);
    }
    for s in 0..4u16 {
        h.insert(&packet(s, b"x"), t).unwrap();
        assert!(h.len() <= 4);
    }
    assert_eq!(h.len(), 4);
    assert_eq!(h.stats().evicted_by_count, 6);
    for s in (65530..=65535).chain(4..10) {
        assert_eq!(h.get(s, t), None, "seq {s}");
    }
    for s in 0..4 {
        assert!(h.get(s, t).is_some());
    }
}

#[test]
fn age_bound_hides_and_frees() {
    let t0 = Instant::now();
    let ms = Duration::from_millis;
    let mut h = history(1024, 100);
    h.insert(&packet(1, b"a"), t0).unwrap();
    h.insert(&packet(2, b"b"), t0 + ms(50)).unwrap();
    // Exactly the maximum age is still kept.
    assert!(h.get(1, t0 + ms(100)).is_some());
    assert_eq!(h.get(1, t0 + ms(101)), None);
    assert!(h.get(2, t0 + ms(101)).is_some());
    assert_eq!(h.len(), 2);
    h.expire(t0 + ms(101));
    assert_eq!(h.len(), 1);
    assert_eq!(h.stats().evicted_by_age, 1);
    // An insertion frees old packets too.
    h.insert(&packet(3, b"c"), t0 + ms(500)).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h.stats().evicted_by_age, 2);
    assert_eq!(h.get(2, t0 + ms(500)), None);
    // A lookup at an earlier instant than the send time still finds it.
    assert!(h.get(3, t0).is_some());
}

#[test]
fn refused_replaced_and_out_of_order_insertions() {
    let t = Instant::now();
    let mut h = history(4, 1000);
    h.insert(&packet(10, b"ten"), t).unwrap();
    // 4 behind the newest: outside the window of 4.
    assert_eq!(h.insert(&packet(6, b"six"), t), Ok(None));
    assert_eq!(h.stats().rejected, 1);
    // 3 behind: accepted, out of order.
    assert_eq!(h.insert(&packet(7, b"seven"), t), Ok(Some(7)));
    assert_eq!(h.get(7, t), Some(&packet(7, b"seven")[..]));
    // The same sequence number again replaces it.
    assert_eq!(h.insert(&packet(7, b"SEVEN"), t), Ok(Some(7)));
    assert_eq!(h.get(7, t), Some(&packet(7, b"SEVEN")[..]));
    assert_eq!(h.len(), 2);
    assert_eq!(h.stats().evicted_by_count, 1);
    // Not RTP.
    assert!(h.insert(&[0x80, 0], t).is_err());
    assert!(h.insert(&[], t).is_err());
    assert_eq!(h.stats().rejected, 3);
    assert_eq!(h.len(), 2);
}

#[test]
fn a_large_jump_empties_the_ring() {
    let t = Instant::now();
    let mut h = history(8, 1000);
    for s in 0..8u16 {
        h.insert(&packet(s, b"x"), t).unwrap();
    }
    h.insert(&packet(30_000, b"y"), t).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h.stats().evicted_by_count, 8);
    for s in 0..8 {
        assert_eq!(h.get(s, t), None);
    }
    assert!(h.get(30_000, t).is_some());
}

#[test]
fn lookups_in_an_empty_history_and_after_clear() {
    let t = Instant::now();
    let mut h = SendHistory::default();
    assert_eq!(h.get(0, t), None);
    assert!(h.is_empty());
    h.insert(&packet(5, b"x"), t).unwrap();
    assert_eq!(h.get_for_resend(5, t), Some(&packet(5, b"x")[..]));
    assert_eq!(h.get_for_resend(6, t), None);
    assert_eq!(h.stats().hits, 1);
    h.clear();
    assert_eq!(h.get(5, t), None);
    assert!(h.is_empty());
    h.insert(&packet(40_000, b"z"), t).unwrap();
    assert!(h.get(40_000, t).is_some());
}

#[test]
fn capacity_is_clamped() {
    assert_eq!(history(0, 1).config().capacity, 1);
    assert_eq!(
        history(usize::MAX, 1).config().capacity,
        MAX_HISTORY_CAPACITY
    );
    let t = Instant::now();
    let mut h = history(1, 1000);
    h.insert(&packet(1, b"a"), t).unwrap();
    h.insert(&packet(2, b"b"), t).unwrap();
    assert_eq!(h.get(1, t), None);
    assert!(h.get(2, t).is_some());
    assert_eq!(h.len(), 1);
}

proptest! {
    /// Whatever the sequence numbers and times, the history stays within
    /// its bounds, a lookup returns the packet with that sequence number
    /// (the last one inserted under it) or nothing, and the newest packet
    /// is always found while fresh.
    #[test]
    fn hostile_insertions(
        capacity in 1usize..64,
        ops in proptest::collection::vec((any::<u16>(), 0u64..50, any::<bool>()), 1..300),
    ) {
        let t0 = Instant::now();
        let mut h = history(capacity, 100);
        let mut now = t0;
        let mut seq = 0u16;
        for (jump, dt, far) in ops {
            // Mostly small steps either way, sometimes anywhere.
            seq = if far { jump } else { seq.wrapping_add(jump % 16).wrapping_sub(4) };
            now += Duration::from_millis(dt);
            let p = packet(seq, &now.duration_since(t0).as_millis().to_be_bytes());
            let r = h.insert(&p, now).unwrap();
            prop_assert!(h.len() <= capacity);
            if r.is_some() {
                prop_assert_eq!(h.get(seq, now), Some(&p[..]));
            }
            for probe in [seq, seq.wrapping_sub(1), seq.wrapping_add(1), jump] {
                if let Some(found) = h.get(probe, now) {
                    prop_assert_eq!(RtpHeader::parse(found).unwrap().sequence_number(), probe);
                }
            }
        }
        let s = h.stats();
        prop_assert_eq!(
            s.inserted - s.evicted_by_count - s.evicted_by_age,
            h.len() as u64
        );
    }
}
