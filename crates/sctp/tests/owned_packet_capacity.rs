//! A packet handed over by value in a buffer far larger than itself (a
//! driver's whole receive buffer) does not pin that buffer: what the
//! association holds stays within what its receive window charges for,
//! counted by a global allocator. One test in this binary, so that no
//! other thread's allocations are counted.

mod common;

use cap::Cap;
use common::raw_peer::{data, PeerShape, RawPeer, INITIAL_TSN};
use sansrtc_proto::Output;
use sansrtc_sctp::SctpConfig;

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// DATA chunk flags: the first fragment of a message (RFC 9260 §3.3.1).
const BEGIN: u8 = 0b10;
const BUFFER: usize = 64 * 1024;
const FRAGMENTS: u32 = 64;
const PAYLOAD: usize = 1000;

#[test]
fn fragments_in_oversized_buffers_hold_about_their_own_size() {
    let mut p = RawPeer::establish(SctpConfig::default(), PeerShape::default());
    let before = ALLOCATOR.allocated();
    for i in 0..FRAGMENTS {
        // The first fragment of message i (never ended: it stays held).
        let chunk = data(INITIAL_TSN + i, 1, i as u16, BEGIN, &[i as u8; PAYLOAD]);
        let packet = p.packet(&[chunk]);
        let mut buffer = Vec::with_capacity(BUFFER);
        buffer.extend_from_slice(&packet);
        p.assoc.handle_receive_owned(p.now, buffer);
        while !matches!(p.assoc.poll_output(), Output::Timeout(_)) {}
    }
    let held = ALLOCATOR.allocated().saturating_sub(before);
    // Kept as slices of their packets, each fragment holds about its
    // packet; a pinned buffer would be 64 KiB each (4 MiB in all).
    let bound = FRAGMENTS as usize * 3 * PAYLOAD;
    assert!(
        held < bound,
        "{held} bytes held for {FRAGMENTS} fragments of {PAYLOAD} bytes (bound {bound})"
    );
    assert!(held >= FRAGMENTS as usize * PAYLOAD, "{held}: not kept?");
}
