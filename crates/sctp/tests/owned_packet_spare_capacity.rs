//! A packet handed over by value in a buffer more than twice its length
//! (a short SACK in its datagram's buffer, a driver's receive buffer) is
//! read where it lies: no reallocation to shrink the buffer, and what is
//! kept of it (a DATA payload) is copied, so the message still arrives
//! whole. Allocations and reallocations are counted by a global
//! allocator; one test in this binary, so that no other thread's are
//! counted.

mod common;

use std::time::Duration;

use cap::Cap;
use common::raw_peer::{be32, chunk, chunks_of, data, PeerShape, RawPeer, INITIAL_TSN};
use sansrtc_proto::Output;
use sansrtc_sctp::{SctpConfig, SendOptions};

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// DATA chunk flags: a whole message (B and E).
const WHOLE: u8 = 0b11;
/// SACK chunk type (RFC 9260 §3.3.4).
const SACK: u8 = 3;

/// `packet` in a buffer of four times its length.
fn oversized(packet: &[u8]) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(4 * packet.len());
    buffer.extend_from_slice(packet);
    buffer
}

/// Drains the association; returns the DATA chunks' TSNs it sent.
fn sent_tsns(p: &mut RawPeer) -> Vec<u32> {
    let mut tsns = Vec::new();
    loop {
        match p.assoc.poll_output() {
            Output::Transmit(packet) => tsns.extend(
                chunks_of(&packet)
                    .into_iter()
                    .filter(|c| c.0 == 0)
                    .map(|c| be32(&c.2, 0)),
            ),
            Output::Event(_) => {}
            Output::Timeout(_) => return tsns,
        }
    }
}

#[test]
fn packets_in_oversized_buffers_are_read_in_place_and_kept_whole() {
    let mut p = RawPeer::establish(SctpConfig::default(), PeerShape::default());

    // A SACK of the one DATA chunk we sent, in a buffer four times its size.
    p.assoc
        .send(p.now, 1, 53, vec![9u8; 100], SendOptions::default())
        .unwrap();
    let tsns = sent_tsns(&mut p);
    assert_eq!(tsns.len(), 1, "one DATA chunk sent");
    let mut sack = Vec::new();
    sack.extend_from_slice(&tsns[0].to_be_bytes()); // cumulative TSN ack
    sack.extend_from_slice(&(1u32 << 20).to_be_bytes()); // a_rwnd
    sack.extend_from_slice(&[0; 4]); // no gap blocks, no duplicates
    let packet = oversized(&p.packet(&[chunk(SACK, 0, &sack)]));
    // Bytes ever allocated, reallocations counted at their new size.
    let before = ALLOCATOR.total_allocated();
    p.assoc.handle_receive_owned(p.now, packet);
    let allocated = ALLOCATOR.total_allocated() - before;
    assert_eq!(allocated, 0, "the SACK's buffer was reallocated or copied");
    // Applied: once the retransmission timeout has long passed, nothing
    // is sent again (an unacknowledged chunk would be).
    sent_tsns(&mut p);
    p.now += Duration::from_secs(10);
    p.assoc.handle_timeout(p.now);
    assert_eq!(
        sent_tsns(&mut p),
        Vec::<u32>::new(),
        "the SACK was not applied"
    );

    // A DATA chunk filling its packet, in a buffer four times its size:
    // kept as a copy, delivered whole.
    let payload: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let packet = oversized(&p.packet(&[data(INITIAL_TSN, 1, 0, WHOLE, &payload)]));
    p.assoc.handle_receive_owned(p.now, packet);
    sent_tsns(&mut p);
    let messages = p.read();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].data, payload);
    assert_eq!(messages[0].ppid, 53, "the ppid of common::raw_peer::data");
}
