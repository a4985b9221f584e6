//! A packet given back with `Association::recycle_packet` carries the next
//! data packet of the same drain (no allocation per packet once the layer
//! below has copied it), whatever it held before; a buffer of another
//! size is not kept, and what the peer reads is unchanged.

mod common;

use common::raw_peer::{chunks_of, PeerShape, RawPeer};
use sansrtc_proto::Output;
use sansrtc_sctp::{SctpConfig, SendOptions};

fn message(i: u8, len: usize) -> Vec<u8> {
    (0..len).map(|j| i ^ (j as u8)).collect()
}

/// The DATA payloads of `packet`, in order.
fn payloads(packet: &[u8]) -> Vec<Vec<u8>> {
    chunks_of(packet)
        .into_iter()
        .filter(|c| c.0 == 0)
        .map(|(_, _, v)| v[12..].to_vec())
        .collect()
}

#[test]
fn a_recycled_packet_carries_the_next_packet_of_the_drain() {
    let mut p = RawPeer::establish(SctpConfig::default(), PeerShape::default());
    // Three unfragmented messages, one packet each (1100 + 1100 > one
    // MTU), all within the initial congestion window.
    let sent: Vec<Vec<u8>> = (0..3).map(|i| message(i, 1100)).collect();
    for m in &sent {
        p.assoc
            .send(p.now, 1, 53, m.clone(), SendOptions::default())
            .unwrap();
    }
    let mut received = Vec::new();
    let mut reused = 0;
    let mut previous: Option<*const u8> = None;
    let mut blockers = Vec::new();
    loop {
        match p.assoc.poll_output() {
            Output::Transmit(packet) => {
                if previous == Some(packet.as_ptr()) {
                    reused += 1;
                }
                // The layer below reads it, then gives it back dirty.
                received.extend(payloads(&packet));
                previous = Some(packet.as_ptr());
                let capacity = packet.capacity();
                let mut dirty = packet;
                dirty.iter_mut().for_each(|b| *b = 0xee);
                p.assoc.recycle_packet(dirty);
                // Had the buffer been dropped, the allocator would hand
                // its memory to this block (not to the next packet).
                blockers.push(Vec::<u8>::with_capacity(capacity));
            }
            Output::Event(_) => {}
            Output::Timeout(_) => break,
        }
    }
    assert_eq!(received.len(), sent.len(), "one packet per message");
    assert!(received == sent, "the peer reads every message intact");
    assert_eq!(
        reused,
        sent.len() - 1,
        "every packet after the first reused"
    );
}

#[test]
fn a_buffer_of_another_size_is_not_kept() {
    let mut p = RawPeer::establish(SctpConfig::default(), PeerShape::default());
    for i in 0..2 {
        p.assoc
            .send(p.now, 1, 53, message(i, 1100), SendOptions::default())
            .unwrap();
    }
    let Output::Transmit(first) = p.assoc.poll_output() else {
        panic!("a packet is due");
    };
    // A huge buffer (far past twice the MTU) is dropped, not held.
    let huge: Vec<u8> = Vec::with_capacity(64 * 1024);
    let huge_at = huge.as_ptr();
    p.assoc.recycle_packet(huge);
    let Output::Transmit(second) = p.assoc.poll_output() else {
        panic!("a packet is due");
    };
    assert_ne!(second.as_ptr(), huge_at);
    assert!(second.capacity() < 64 * 1024);
    assert_eq!(payloads(&first), vec![message(0, 1100)]);
    assert_eq!(payloads(&second), vec![message(1, 1100)]);
}
