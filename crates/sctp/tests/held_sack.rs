//! `Association::hold_sack`: while held, a SACK with nothing else to send
//! is not built; packets received meanwhile are acknowledged by one SACK
//! once the hold is lifted (its cumulative TSN and gap blocks cover them
//! all), or by the SACK that rides with the next DATA. Without the hold,
//! every second packet is acknowledged at once (RFC 9260 §6.2), as
//! `wire.rs` checks too.

mod common;

use common::raw_peer::{chunks_of, data, sacks, RawPeer, INITIAL_TSN};
use sansrtc_sctp::{SctpConfig, SendOptions};

/// DATA chunk flags: a whole message (B and E).
const WHOLE: u8 = 0b11;
/// SACK chunk type (RFC 9260 §3.3.4).
const SACK: u8 = 3;
/// DATA chunk type.
const DATA: u8 = 0;

/// Feeds one packet per TSN offset (a whole message each, stream 1, SSN
/// = offset), draining after each; returns everything sent back.
fn feed(p: &mut RawPeer, offsets: &[u32]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for &i in offsets {
        let chunk = data(INITIAL_TSN + i, 1, i as u16, WHOLE, &[i as u8; 100]);
        let packet = p.packet(&[chunk]);
        out.extend(p.feed(&packet).0);
    }
    out
}

#[test]
fn without_the_hold_every_second_packet_is_acknowledged_at_once() {
    let mut p = RawPeer::establish(SctpConfig::default(), Default::default());
    let out = feed(&mut p, &[0, 1, 2, 3, 4, 5]);
    let cums: Vec<u32> = sacks(&out).into_iter().map(|s| s.0).collect();
    assert_eq!(
        cums,
        [1, 3, 5].map(|i| INITIAL_TSN + i),
        "a SACK after the second, fourth and sixth packet"
    );
}

#[test]
fn a_held_batch_is_acknowledged_once_when_the_hold_is_lifted() {
    let mut p = RawPeer::establish(SctpConfig::default(), Default::default());
    p.assoc.hold_sack(true);
    let out = feed(&mut p, &[0, 1, 2, 3, 4, 5]);
    assert!(out.is_empty(), "sent while held: {out:?}");
    assert!(p.assoc.sack_owed());
    // The messages were delivered all the same.
    let read: Vec<u8> = std::iter::from_fn(|| p.assoc.read())
        .map(|m| m.data[0])
        .collect();
    assert_eq!(read, [0, 1, 2, 3, 4, 5]);
    p.assoc.hold_sack(false);
    let (out, _) = p.drain();
    assert_eq!(out.len(), 1, "one packet");
    assert_eq!(sacks(&out), vec![(INITIAL_TSN + 5, vec![], vec![])]);
    assert!(!p.assoc.sack_owed());
    // Nothing more is owed: the next poll sends nothing.
    assert!(p.drain().0.is_empty());
}

#[test]
fn a_held_sack_covers_the_gaps_of_its_batch() {
    let mut p = RawPeer::establish(SctpConfig::default(), Default::default());
    p.assoc.hold_sack(true);
    // TSN +2 is missing: a gap (which calls for a SACK at once) is held too.
    let out = feed(&mut p, &[0, 1, 3, 4]);
    assert!(out.is_empty(), "sent while held: {out:?}");
    p.assoc.hold_sack(false);
    let (out, _) = p.drain();
    assert_eq!(sacks(&out), vec![(INITIAL_TSN + 1, vec![(2, 3)], vec![])]);
}

#[test]
fn a_held_sack_rides_with_the_next_data() {
    let mut p = RawPeer::establish(SctpConfig::default(), Default::default());
    p.assoc.hold_sack(true);
    assert!(feed(&mut p, &[0, 1, 2]).is_empty());
    p.assoc
        .send(p.now, 1, 51, b"reply".to_vec(), SendOptions::default())
        .unwrap();
    // Still held, but the packet that carries DATA carries the SACK.
    let (out, _) = p.drain();
    assert_eq!(out.len(), 1);
    let kinds: Vec<u8> = chunks_of(&out[0]).into_iter().map(|c| c.0).collect();
    assert_eq!(kinds, [SACK, DATA]);
    assert_eq!(sacks(&out), vec![(INITIAL_TSN + 2, vec![], vec![])]);
    assert!(!p.assoc.sack_owed());
    p.assoc.hold_sack(false);
    assert!(p.drain().0.is_empty(), "acknowledged twice");
}
