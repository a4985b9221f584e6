//! Transport-wide congestion control: the sender's counter and send
//! records, the header extension, and the receiver's feedback checked by
//! parsing it back (known arrivals, wrap, duplicates, reordering, late
//! packets, a gap of 10,000, deltas too large, size splitting, the window,
//! a restarted sender, hostile input).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sansrtc_rtp::rtcp::{parse_compound, RtcpPacket, TransportCc};
use sansrtc_rtp::{
    set_transport_sequence, transport_sequence, ExtensionForm, RtpHeader, RtpWriter,
    TransportSequencer, TwccPacketStatus, TwccRecorder, TwccRecorderConfig, MAX_LATE_ARRIVAL_DEPTH,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

/// Writes the feedback packets as one datagram and parses them back with
/// the rtcp module.
fn parse_back(feedback: &[TransportCc]) -> Vec<TransportCc> {
    let mut datagram = Vec::new();
    for f in feedback {
        f.write(&mut datagram);
    }
    parse_compound(&datagram)
        .map(|p| match p.unwrap() {
            RtcpPacket::TransportCc(t) => t,
            other => panic!("not transport feedback: {other:?}"),
        })
        .collect()
}

/// Every (sequence, arrival µs from the base) the packets report, in order.
fn reported(feedback: &[TransportCc]) -> Vec<(u16, Option<i64>)> {
    parse_back(feedback)
        .iter()
        .flat_map(|t| t.packets().collect::<Vec<_>>())
        .collect()
}

fn assert_close(got: Option<i64>, want_us: u64) {
    let got = got.expect("reported as received");
    assert!(
        (got - want_us as i64).abs() <= 125,
        "arrival {got} µs, expected {want_us} µs"
    );
}

#[test]
fn sequencer_wraps_and_remembers() {
    let t0 = Instant::now();
    let mut s = TransportSequencer::with_capacity(65534, 4);
    assert_eq!(s.sent(65534), None);
    let seqs: Vec<u16> = (0..6)
        .map(|i| s.on_send(t0 + ms(i), 100 + i as usize))
        .collect();
    assert_eq!(seqs, [65534, 65535, 0, 1, 2, 3]);
    assert_eq!(s.next_sequence(), 4);
    // The last 4 are remembered.
    assert_eq!(s.sent(65534), None);
    assert_eq!(s.sent(65535), None);
    let r = s.sent(0).unwrap();
    assert_eq!((r.send_time, r.size), (t0 + ms(2), 102));
    assert_eq!(
        s.sent(1).unwrap().extended_sequence,
        r.extended_sequence + 1
    );
    assert_eq!(s.sent(3).unwrap().size, 105);
    // Not sent yet.
    assert_eq!(s.sent(4), None);
    assert_eq!(s.sent(30_000), None);
}

#[test]
fn header_extension_read_and_rewritten() {
    for form in [ExtensionForm::OneByte, ExtensionForm::TwoByte] {
        let mut p = Vec::new();
        RtpWriter {
            extensions: &[(1, &[9]), (5, &[0, 0]), (6, &[1, 2, 3])],
            extension_form: form,
            payload: b"x",
            ..RtpWriter::default()
        }
        .write(&mut p)
        .unwrap();
        assert_eq!(
            transport_sequence(&RtpHeader::parse(&p).unwrap(), 5),
            Some(0)
        );
        let before = p.clone();
        assert!(set_transport_sequence(&mut p, 5, 0xabcd));
        let h = RtpHeader::parse(&p).unwrap();
        assert_eq!(transport_sequence(&h, 5), Some(0xabcd));
        let ext: Vec<_> = h.extensions().map(|e| e.unwrap()).collect();
        assert_eq!((ext[0].data, ext[2].data), (&[9][..], &[1, 2, 3][..]));
        assert_eq!(p.len(), before.len());
        // Wrong length, absent id, not RTP: nothing changes.
        for id in [1, 6, 7] {
            let copy = p.clone();
            assert!(!set_transport_sequence(&mut p, id, 1));
            assert_eq!(p, copy);
            assert_eq!(transport_sequence(&RtpHeader::parse(&p).unwrap(), id), None);
        }
    }
    assert!(!set_transport_sequence(&mut [0u8; 3], 5, 1));
    let mut plain = Vec::new();
    RtpWriter::default().write(&mut plain).unwrap();
    assert!(!set_transport_sequence(&mut plain, 5, 1));
    // A truncated element in the block.
    let mut broken = vec![0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 1];
    broken.extend_from_slice(&[0x13, 1, 2, 3]); // id 1, 4 bytes: overruns
    assert!(!set_transport_sequence(&mut broken, 1, 1));
}

#[test]
fn known_arrival_pattern() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::default();
    // seq, arrival in µs after the first.
    let pattern: [(u16, Option<u64>); 9] = [
        (100, Some(0)),
        (101, Some(1_100)),
        (102, None),
        (103, Some(70_000)), // a large delta (over 63.75 ms)
        (104, Some(69_000)), // negative delta
        (105, Some(69_010)), // rounds to the same time
        (106, None),
        (107, None),
        (108, Some(200_377)),
    ];
    for &(seq, at) in &pattern {
        if let Some(at) = at {
            assert_eq!(r.on_packet(seq, t0 + us(at)), TwccPacketStatus::Recorded);
        }
    }
    assert_eq!(r.next_timeout(), Some(t0));
    let fb = r.poll_feedback(t0 + ms(250), 0xaaaa, 0xbbbb);
    assert_eq!(fb.len(), 1);
    let parsed = parse_back(&fb);
    assert_eq!(parsed, fb);
    let p = &parsed[0];
    assert_eq!((p.sender_ssrc, p.media_ssrc), (0xaaaa, 0xbbbb));
    assert_eq!(
        (p.base_sequence, p.status_count, p.feedback_count),
        (100, 9, 0)
    );
    assert_eq!(p.reference_time, 0);
    let got: Vec<_> = p.packets().collect();
    assert_eq!(got.len(), 9);
    for ((seq, at), &(want_seq, want_at)) in got.iter().zip(&pattern) {
        assert_eq!(*seq, want_seq);
        match want_at {
            None => assert_eq!(*at, None),
            Some(w) => assert_close(*at, w),
        }
    }
    assert!(!r.has_pending());
    assert_eq!(r.next_timeout(), None);
    assert!(r.poll_feedback(t0 + ms(300), 1, 2).is_empty());
    // The next packet: feedback count 1, from 109 on.
    r.on_packet(110, t0 + ms(300));
    assert_eq!(r.next_timeout(), Some(t0 + ms(350)));
    let fb = r.poll_feedback(t0 + ms(350), 1, 2);
    assert_eq!(fb[0].feedback_count, 1);
    assert_eq!(fb[0].reference_time, 300 / 64);
    let got = reported(&fb);
    assert_eq!(got[0], (109, None));
    assert_eq!(got[1].0, 110);
    assert_close(got[1].1, 300_000);
}

#[test]
fn wraps_at_65535() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::default();
    for (i, seq) in [65533u16, 65534, 65535, 0, 1].into_iter().enumerate() {
        if seq != 65535 {
            r.on_packet(seq, t0 + ms(i as u64));
        }
    }
    let fb = r.poll_feedback(t0 + ms(10), 1, 2);
    assert_eq!(fb.len(), 1);
    assert_eq!((fb[0].base_sequence, fb[0].status_count), (65533, 5));
    let got = reported(&fb);
    let seqs: Vec<u16> = got.iter().map(|g| g.0).collect();
    assert_eq!(seqs, [65533, 65534, 65535, 0, 1]);
    assert_eq!(got[2].1, None);
    assert_close(got[3].1, 3_000);
    assert_close(got[4].1, 4_000);
}

#[test]
fn duplicates_and_reordering() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::default();
    r.on_packet(10, t0);
    r.on_packet(12, t0 + ms(2));
    r.on_packet(11, t0 + ms(3)); // reordered: negative-going arrival order
    assert_eq!(r.on_packet(12, t0 + ms(9)), TwccPacketStatus::Duplicate);
    assert_eq!(r.on_packet(10, t0 + ms(9)), TwccPacketStatus::Duplicate);
    let got = reported(&r.poll_feedback(t0 + ms(10), 1, 2));
    assert_eq!(got.len(), 3);
    assert_close(got[0].1, 0);
    assert_close(got[1].1, 3_000);
    assert_close(got[2].1, 2_000); // the first arrival is kept
    assert_eq!(r.stats().duplicates, 2);

    // A late packet after its neighbours were reported: reported again
    // from it.
    r.on_packet(14, t0 + ms(20));
    let got = reported(&r.poll_feedback(t0 + ms(30), 1, 2));
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [13, 14]);
    assert_eq!(got[0].1, None);
    assert_eq!(r.on_packet(13, t0 + ms(31)), TwccPacketStatus::Recorded);
    let got = reported(&r.poll_feedback(t0 + ms(40), 1, 2));
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [13, 14]);
    assert_close(got[0].1, 31_000);
    assert_close(got[1].1, 20_000);
}

#[test]
fn a_gap_of_10000() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::default();
    r.on_packet(60_000, t0);
    let after = 60_000u16.wrapping_add(10_001);
    r.on_packet(after, t0 + ms(5));
    let fb = r.poll_feedback(t0 + ms(10), 1, 2);
    assert_eq!(fb.len(), 1);
    assert_eq!(fb[0].status_count, 10_002);
    let got = reported(&fb);
    assert_eq!(got.len(), 10_002);
    assert_eq!(got.iter().filter(|g| g.1.is_some()).count(), 2);
    assert_eq!(got[10_001].0, after);
    assert_close(got[10_001].1, 5_000);
    let mut buf = Vec::new();
    fb[0].write(&mut buf);
    assert!(buf.len() <= 1200, "{} bytes", buf.len());
}

#[test]
fn deltas_too_large_split_the_feedback() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::default();
    let arrivals = [
        (1u16, 0u64),
        (2, 8_000),
        (3, 20_000),
        (5, 20_001),
        (6, 8_000),
    ];
    for &(seq, at) in &arrivals {
        r.on_packet(seq, t0 + ms(at));
    }
    let fb = r.poll_feedback(t0 + ms(20_002), 1, 2);
    // 8.0 s fits (under 8191.75 ms), 12 s does not, neither does -12 s.
    assert_eq!(fb.len(), 3);
    assert_eq!(
        fb.iter().map(|f| f.feedback_count).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(
        fb.iter()
            .map(|f| (f.base_sequence, f.status_count))
            .collect::<Vec<_>>(),
        [(1, 2), (3, 3), (6, 1)]
    );
    let got = reported(&fb);
    assert_eq!(
        got.iter().map(|g| g.0).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(got[3].1, None);
    let mut want = arrivals.iter().map(|a| a.1 * 1000);
    for g in got.iter().filter(|g| g.1.is_some()) {
        assert_close(g.1, want.next().unwrap());
    }
    assert_eq!(r.stats().feedback_packets, 3);
    assert_eq!(r.feedback_count(), 3);
}

#[test]
fn big_feedback_is_split_by_size() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::default();
    let mut expected = HashMap::new();
    // 3000 packets, every third lost, large deltas every 50th.
    let mut at = 0u64;
    for i in 0..3000u32 {
        let seq = (65000 + i) as u16;
        if i > 0 {
            at += if i % 50 == 0 { 70_000 } else { 300 };
        }
        if i % 3 != 1 {
            r.on_packet(seq, t0 + us(at));
            expected.insert(seq, at);
        }
    }
    let fb = r.poll_feedback(t0 + Duration::from_secs(5), 1, 2);
    assert!(fb.len() > 1);
    for f in &fb {
        let mut buf = Vec::new();
        f.write(&mut buf);
        assert!(buf.len() <= 1200, "{} bytes", buf.len());
    }
    let got = reported(&fb);
    assert_eq!(got.len(), 3000);
    for (i, (seq, arrival)) in got.iter().enumerate() {
        assert_eq!(*seq, (65000 + i as u32) as u16);
        match expected.get(seq) {
            Some(&w) => assert_close(*arrival, w),
            None => assert_eq!(*arrival, None),
        }
    }
    // A smaller limit: more packets, same content.
    let mut small = TwccRecorder::new(TwccRecorderConfig {
        max_packet_size: 0, // clamped to the minimum
        ..TwccRecorderConfig::default()
    });
    let mut in_order: Vec<(u32, u16, u64)> = expected
        .iter()
        .map(|(&seq, &a)| (u32::from(seq.wrapping_sub(65000)), seq, a))
        .collect();
    in_order.sort_unstable();
    for (_, seq, a) in in_order {
        small.on_packet(seq, t0 + us(a));
    }
    let fb_small = small.poll_feedback(t0 + Duration::from_secs(5), 1, 2);
    assert!(fb_small.len() > fb.len());
    let got_small = reported(&fb_small);
    assert_eq!(got_small.len(), 3000);
    for (a, b) in got_small.iter().zip(&got) {
        assert_eq!(a.0, b.0);
        assert_eq!(a.1.is_some(), b.1.is_some());
    }
}

#[test]
fn the_window_is_bounded() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::default();
    for i in 0..40_000u32 {
        r.on_packet(i as u16, t0 + us(u64::from(i) * 10));
        assert!(r.len() <= 1 << 15);
    }
    assert_eq!(r.stats().dropped, 40_000 - (1 << 15));
    let fb = r.poll_feedback(t0 + Duration::from_secs(1), 1, 2);
    let got = reported(&fb);
    assert_eq!(got.len(), 1 << 15);
    assert_eq!(got[0].0, (40_000 - (1 << 15)) as u16);
    // A packet behind the window (2^15 behind the newest, 39999) is
    // refused; one further back reads as ahead, as 16 bits must.
    assert_eq!(
        r.on_packet(7231, t0 + Duration::from_secs(1)),
        TwccPacketStatus::TooOld
    );
    assert_eq!(r.stats().too_old, 1);
    // Reported arrivals older than the back window were forgotten.
    assert!(r.len() < 1 << 15);
}

#[test]
fn a_restarted_sender_is_followed() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::new(TwccRecorderConfig {
        window: 1000,
        ..TwccRecorderConfig::default()
    });
    r.on_packet(5000, t0);
    r.on_packet(5001, t0);
    assert_eq!(r.on_packet(10, t0 + ms(1)), TwccPacketStatus::TooOld);
    assert_eq!(r.on_packet(12, t0 + ms(2)), TwccPacketStatus::TooOld);
    assert_eq!(r.on_packet(13, t0 + ms(3)), TwccPacketStatus::Restarted);
    assert_eq!((r.stats().restarts, r.stats().too_old), (1, 2));
    assert_eq!(r.stats().dropped, 2);
    let got = reported(&r.poll_feedback(t0 + ms(5), 1, 2));
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [12, 13]);
    assert_close(got[0].1, 2_000);
    assert_close(got[1].1, 3_000);
}

#[test]
fn arrival_before_the_base_counts_as_the_base() {
    let t0 = Instant::now() + Duration::from_secs(1);
    let mut r = TwccRecorder::default();
    r.on_packet(1, t0);
    r.on_packet(2, t0 - ms(500));
    assert_eq!(r.base(), Some(t0));
    let got = reported(&r.poll_feedback(t0, 1, 2));
    assert_close(got[1].1, 0);
}

#[test]
fn sender_matches_feedback_to_send_times() {
    let t0 = Instant::now();
    let mut s = TransportSequencer::new(65535);
    let mut r = TwccRecorder::default();
    for i in 0..20u64 {
        let seq = s.on_send(t0 + ms(i), 1000 + i as usize);
        if i % 4 != 3 {
            r.on_packet(seq, t0 + ms(i + 25));
        }
    }
    let fb = r.poll_feedback(t0 + ms(100), 1, 2);
    let results: Vec<_> = fb.iter().flat_map(|f| s.feedback_results(f)).collect();
    assert_eq!(results.len(), 19); // 19 is the last received
    for (i, res) in results.iter().enumerate() {
        assert_eq!(res.sequence, 65535u16.wrapping_add(i as u16));
        assert_eq!(res.send_time, Some(t0 + ms(i as u64)));
        assert_eq!(res.size, Some(1000 + i));
        assert_eq!(res.arrival_us.is_some(), i % 4 != 3);
    }
}

proptest! {
    /// Any arrivals: every received sequence number since the last
    /// feedback is reported exactly once per poll with its first arrival
    /// (within 125 µs), lost ones as lost, and the state stays bounded.
    #[test]
    fn arrivals_round_trip(
        steps in proptest::collection::vec((0u16..40, 0u64..3_000_000, 0u8..10), 1..300),
        start: u16,
    ) {
        let t0 = Instant::now();
        let mut r = TwccRecorder::default();
        let mut seq = start;
        let mut at = 0u64;
        let mut first: HashMap<u16, u64> = HashMap::new();
        let mut pending: Vec<u16> = Vec::new();
        let mut base_at = None;
        for (step, dt, action) in steps {
            // Mostly forward, some reordering and duplicates.
            seq = seq.wrapping_add(step).wrapping_sub(5);
            at += if action == 0 { dt * 4 } else { dt % 20_000 };
            if action == 9 {
                let got = reported(&r.poll_feedback(t0 + us(at), 7, 8));
                let received: Vec<u16> = got.iter().filter(|g| g.1.is_some()).map(|g| g.0).collect();
                for s in &pending {
                    prop_assert!(received.contains(s), "{} not reported", s);
                }
                for (s, a) in &got {
                    if let Some(a) = a {
                        let want = (first[s] - base_at.unwrap_or(0)) as i64;
                        prop_assert!((a - want).abs() <= 125, "seq {} at {} want {}", s, a, want);
                    }
                }
                pending.clear();
            } else {
                let status = r.on_packet(seq, t0 + us(at));
                if status == TwccPacketStatus::Recorded {
                    base_at.get_or_insert(at);
                    first.insert(seq, at);
                    pending.push(seq);
                }
            }
            prop_assert!(r.len() <= 1 << 15);
        }
    }
}

/// A late packet may be inserted at most `MAX_LATE_ARRIVAL_DEPTH` arrivals
/// back: further back it is ignored (too old), so a peer alternating new
/// and very late sequence numbers cannot make each arrival move the whole
/// window; the arrivals held stay sorted and the feedback stays right.
#[test]
fn a_late_packet_deep_in_the_window_is_ignored() {
    let t0 = Instant::now();
    let mut r = TwccRecorder::new(TwccRecorderConfig::default());
    // 4000 packets with every even one missing, in order.
    for i in 0..4000u16 {
        if i % 2 == 1 {
            r.on_packet(i, t0 + us(u64::from(i) * 10));
        }
    }
    let held = r.stats().recorded;
    // The odd ones are held, the newest 3999; an even one has
    // (3999 - n) / 2 + 1 held arrivals after it.
    let shallow = 3998 - 2 * (MAX_LATE_ARRIVAL_DEPTH as u16) + 20;
    let deep = 3998 - 2 * (MAX_LATE_ARRIVAL_DEPTH as u16) - 20;
    assert_eq!(
        r.on_packet(shallow, t0 + ms(50)),
        TwccPacketStatus::Recorded
    );
    assert_eq!(r.on_packet(deep, t0 + ms(50)), TwccPacketStatus::TooOld);
    assert_eq!(r.stats().recorded, held + 1);
    assert_eq!(r.stats().too_old, 1);
    // Hostile alternation: each late one is refused at the same depth.
    for k in 0..1000u16 {
        let late = deep - 2 * (k % 500);
        assert_eq!(r.on_packet(late, t0 + ms(60)), TwccPacketStatus::TooOld);
    }
    let feedback = parse_back(&r.poll_feedback(t0 + ms(200), 1, 2));
    let got = reported(&feedback);
    assert!(got.iter().any(|(s, a)| *s == shallow && a.is_some()));
    assert!(got.iter().all(|(s, a)| *s != deep || a.is_none()));
}
