//! The answerer (DTLS client) starts DTLS on its first valid ICE pair,
//! before the controlling offerer has nominated. A peer that drops data
//! until its own ICE is connected (libjuice under node-datachannel, seen in
//! the interop matrix: our ClientHello at +0 ms, its first check at +8 ms,
//! the ClientHello again only at +1000 ms) loses that ClientHello. The
//! retransmission must come after a fraction of a second, as libwebrtc's
//! does (2 × ICE RTT, at least 50 ms), not after RFC 6347's 1 s.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Pair, ADDR_A, ADDR_B};
use sansrtc::*;

static DROPPED: AtomicBool = AtomicBool::new(false);

/// Drops the first DTLS datagram from b (the DTLS client) to a.
fn drop_first_client_hello(t: &Transmit) -> bool {
    let dtls = t.contents.first().is_some_and(|b| (20..=63).contains(b));
    let b_to_a = t.source == ADDR_B.parse().unwrap() && t.destination == ADDR_A.parse().unwrap();
    dtls && b_to_a && !DROPPED.swap(true, Ordering::SeqCst)
}

#[test]
fn a_lost_first_client_hello_costs_less_than_a_second() {
    let mut p = Pair::new();
    let start = p.now;
    p.a.create_data_channel(start, DataChannelInit::new("echo"))
        .unwrap();
    p.drop = Some(drop_first_client_hello);
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        !Pair::opened(&p.events_a).is_empty()
    }));
    assert!(DROPPED.load(Ordering::SeqCst), "no ClientHello was dropped");
    let dtls = p.b.dtls_stats().unwrap();
    assert!(dtls.retransmissions >= 1, "{dtls:?}");
    let took = p.now - start;
    assert!(
        took < Duration::from_millis(500),
        "the channel opened after {took:?}"
    );
}
